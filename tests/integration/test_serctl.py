"""tools/serctl, SER 0.9's control tool: subscribers in SQLite and in a
MariaDB server this test starts itself (the stored ha1/ha1b as SER computed
them, duplicates refused, SQL text in names stored as data, a wrong database
password refused with the database unchanged); the FIFO and unix-socket
commands against a running ser (ps, uptime, version, monitor, fifo, ping,
ul and alias); clear errors for a server that is not running and for a FIFO
nobody reads; and the operator's path through cfg/quickstart.cfg: serctl add,
a sipp phone registers with digest, serctl ul show lists it, a call, serctl
rm, the next REGISTER is challenged again."""

import hashlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from sertest import (SOURCE_DIR, Peer, Ser, free_port, header, main, run_sipp, start_sipp,  # noqa: E402
                     status, stop_proc)
from sipauth import Phone  # noqa: E402

SERCTL = os.path.join(SOURCE_DIR, "tools", "serctl")
SER_DB = os.path.join(SOURCE_DIR, "tools", "ser-db")
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
SQL_NAMES = ["x'); DROP TABLE subscriber; --", "o\\'; DELETE FROM uri; #", '"; UPDATE subscriber SET ha1=\'\' --']


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def run(cmd, env, timeout=60):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def base_env(fifo_dir, **extra):
    """serctl's environment: never the machine's /tmp/ser_fifo or SQL_* settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SQL_", "SER_FIFO", "SER_UNIXSOCK", "SER_DB_URL")) and k not in ("PW", "SIP_DOMAIN")}
    env.update({"SER_FIFO": os.path.join(fifo_dir, "ser_fifo"), "SER_FIFO_DIR": fifo_dir})
    env.update(extra)
    return env


# ---- subscribers in the database ---------------------------------------------

class SubscriberCases:
    """Run against each database (mixin); subclasses set up self.env (with
    the db_url) and rows(sql). No ser is running: the FIFO does not exist."""

    def serctl(self, *args, **env):
        e = dict(self.env)
        e.update(env)
        return run([SERCTL] + list(args), e)

    def subscriber(self, user, domain):
        return self.rows("SELECT username, domain, password, ha1, ha1b, email_address, phplib_id FROM subscriber "
                         "WHERE username=%s AND domain=%s" % (self.lit(user), self.lit(domain)))

    @staticmethod
    def lit(v):
        return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"

    def all_rows(self):
        return (self.rows("SELECT * FROM subscriber ORDER BY username"), self.rows("SELECT * FROM uri ORDER BY username"))

    def test_add_stores_the_hashes_ser_computed(self):
        pw = "s3cr'et \\ \"pw\""
        rc, out, err = self.serctl("add", "alice@example.com", pw, "alice@example.org")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("new user alice@example.com added", out)
        self.assertIn("alias check skipped: ser is not running", err)
        ha1 = md5("alice:example.com:" + pw)
        self.assertEqual(self.subscriber("alice", "example.com"),
                         [["alice", "example.com", pw, ha1, md5("alice@example.com:example.com:" + pw),
                           "alice@example.org", ha1]])
        self.assertEqual(self.rows("SELECT username, domain, uri_user FROM uri WHERE username='alice'"),
                         [["alice", "example.com", "alice"]])
        # The domain of a bare user name comes from SIP_DOMAIN.
        rc, out, err = self.serctl("add", "dave", "davepw", SIP_DOMAIN="example.net")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.subscriber("dave", "example.net")[0][3], md5("dave:example.net:davepw"))
        rc, out, err = self.serctl("add", "erin", "pw")
        self.assertEqual(rc, 1)
        self.assertIn("domain unknown", err)

    def test_existing_user_is_refused_and_nothing_changes(self):
        self.assertEqual(self.serctl("add", "bob@example.com", "first")[0], 0)
        before = self.all_rows()
        rc, out, err = self.serctl("add", "bob@example.com", "second", "other@example.com")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("user already exists", err)
        self.assertEqual(self.all_rows(), before)

    def test_add_is_one_transaction(self):
        # A uri row left behind makes the second insert fail: the first is undone.
        self.rows_exec("INSERT INTO uri (username, domain, uri_user) VALUES ('olga', 'example.com', 'olga')")
        rc, out, err = self.serctl("add", "olga@example.com", "pw")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("user already exists", err)
        self.assertEqual(self.subscriber("olga", "example.com"), [])

    def test_sql_text_in_names_is_stored_as_data(self):
        for name in SQL_NAMES:
            rc, out, err = self.serctl("add", name + "@sqli.example", "pw'; --", "m@x")
            self.assertEqual(rc, 0, name + out + err)
        self.assertEqual(sorted(r[0] for r in self.rows("SELECT username FROM subscriber WHERE domain='sqli.example'")),
                         sorted(SQL_NAMES))
        self.assertEqual(sorted(r[0] for r in self.rows("SELECT uri_user FROM uri WHERE domain='sqli.example'")),
                         sorted(SQL_NAMES))
        for name in SQL_NAMES:
            self.assertEqual(self.subscriber(name, "sqli.example")[0][3], md5("%s:sqli.example:pw'; --" % name))
        # A second add of such a name is a duplicate; passwd and rm touch that row only.
        self.assertEqual(self.serctl("add", SQL_NAMES[0] + "@sqli.example", "x")[0], 1)
        self.assertEqual(self.serctl("passwd", SQL_NAMES[1] + "@sqli.example", "new")[0], 0)
        self.assertEqual(self.subscriber(SQL_NAMES[1], "sqli.example")[0][3], md5(SQL_NAMES[1] + ":sqli.example:new"))
        self.assertEqual(self.subscriber(SQL_NAMES[2], "sqli.example")[0][3], md5(SQL_NAMES[2] + ":sqli.example:pw'; --"))
        rc, out, err = self.serctl("rm", SQL_NAMES[0] + "@sqli.example")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(sorted(r[0] for r in self.rows("SELECT username FROM subscriber WHERE domain='sqli.example'")),
                         sorted(SQL_NAMES[1:]))

    def test_passwd_and_rm(self):
        self.assertEqual(self.serctl("add", "carol@example.com", "old")[0], 0)
        self.rows_exec("INSERT INTO grp (username, domain, grp) VALUES ('carol', 'example.com', 'local')")
        rc, out, err = self.serctl("passwd", "carol@example.com", "new")
        self.assertEqual((rc, out.strip()), (0, "password change succeeded"), err)
        row = self.subscriber("carol", "example.com")[0]
        self.assertEqual((row[2], row[3], row[4]), ("new", md5("carol:example.com:new"),
                                                    md5("carol@example.com:example.com:new")))
        rc, out, err = self.serctl("rm", "carol@example.com")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("registrations were not removed: ser is not running", err)
        for t in ("subscriber", "uri", "grp"):
            self.assertEqual(self.rows("SELECT count(*) FROM %s WHERE username='carol'" % t), [["0"]], t)
        for cmd in (["rm", "carol@example.com"], ["passwd", "carol@example.com", "x"]):
            rc, out, err = self.serctl(*cmd)
            self.assertEqual(rc, 1)
            self.assertIn("non-existent user", err)

    def test_bad_arguments_are_refused(self):
        before = self.all_rows()
        for args in (["add", "eve@example.com"], ["add", "eve\n@example.com", "pw"], ["add", "eve@example.com", "p\nw"],
                     ["add", "@example.com", "pw"], ["rm"], ["frobnicate"]):
            rc, out, err = self.serctl(*args)
            self.assertEqual(rc, 1, args)
            self.assertTrue(err.strip(), args)
        self.assertEqual(self.all_rows(), before)


class SqliteSubscribers(SubscriberCases, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # One empty database, copied for each test.
        cls.template_dir = tempfile.mkdtemp(prefix="ser-it-serctl-")
        cls.template = os.path.join(cls.template_dir, "ser.db")
        rc, out, err = run([SER_DB, "create", "sqlite", cls.template], os.environ)
        assert rc == 0, out + err
        c = sqlite3.connect(cls.template)
        c.execute("PRAGMA journal_mode=DELETE")   # everything in the one file
        c.close()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.template_dir, ignore_errors=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ser-it-serctl-")
        self.path = os.path.join(self.dir, "ser.db")
        shutil.copy(self.template, self.path)
        self.env = base_env(self.dir, SER_DB_URL="sqlite://" + self.path)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, sql):
        c = sqlite3.connect(self.path)
        try:
            return [["" if v is None else str(v) for v in r] for r in c.execute(sql)]
        finally:
            c.close()

    def rows_exec(self, sql):
        c = sqlite3.connect(self.path)
        c.execute(sql)
        c.commit()
        c.close()

    @staticmethod
    def lit(v):
        return "'" + v.replace("'", "''") + "'"

    def test_db_option_and_missing_database(self):
        rc, out, err = self.serctl("-d", self.path, "add", "frank@example.com", "pw")
        self.assertEqual(rc, 0, out + err)
        rc, out, err = self.serctl("-d", "sqlite://" + self.path + ".none", "add", "gina@example.com", "pw")
        self.assertEqual(rc, 1)
        self.assertIn("no database", err)
        self.assertFalse(os.path.exists(self.path + ".none"))


class MariaDbSubscribers(SubscriberCases, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from mariadb import MariaDB
        cls.server = MariaDB()
        cls.server.__enter__()
        try:
            env = cls.server.ser_db_env()
            env["SIP_DOMAIN"] = "example.com"
            rc, out, err = run([SER_DB, "create", "mysql", "ser", "--no-admin"], env)
            assert rc == 0, out + err
        except BaseException:
            cls.server.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ser-it-serctl-")
        self.env = base_env(self.dir, SER_DB_URL=self.server.url("ser", "heslo", "ser"))
        for t in ("subscriber", "uri", "grp"):
            self.server.query("ser", "DELETE FROM %s" % t)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, sql):
        # The client's batch output escapes \, newline and tab.
        unescape = {"n": "\n", "t": "\t", "0": "\0", "\\": "\\"}
        return [[re.sub(r"\\(.)", lambda m: unescape.get(m.group(1), m.group(1)), v) for v in r]
                for r in self.server.query("ser", sql)]

    def rows_exec(self, sql):
        self.server.query("ser", sql)

    def test_wrong_password_is_refused_and_nothing_changes(self):
        self.assertEqual(self.serctl("add", "hank@example.com", "pw")[0], 0)
        before = self.all_rows()
        bad = self.server.url("ser", "wrong", "ser")
        for cmd in (["add", "ivan@example.com", "pw"], ["passwd", "hank@example.com", "x"], ["rm", "hank@example.com"]):
            rc, out, err = self.serctl(*cmd, SER_DB_URL=bad)
            self.assertEqual(rc, 4, cmd)
            self.assertIn("access denied (wrong user name or password?)", err)
            self.assertEqual(self.all_rows(), before)
        # SER's variables, with the wrong password in PW.
        rc, out, err = self.serctl("add", "ivan@example.com", "pw", SER_DB_URL="", SQL_HOST="localhost",
                                   SQL_USER="ser", SQL_DB="ser", PW="wrong", MYSQL_UNIX_PORT=self.server.sock)
        self.assertEqual(rc, 4)
        self.assertIn("Access denied for user 'ser'@'localhost'", err)
        self.assertEqual(self.all_rows(), before)

    def test_ser_environment_variables(self):
        env = dict(SER_DB_URL="", SQL_HOST="localhost", SQL_DB="ser", MYSQL_UNIX_PORT=self.server.sock)
        rc, out, err = self.serctl("add", "judy@example.com", "pw", PW="heslo", **env)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.subscriber("judy", "example.com")[0][3], md5("judy:example.com:pw"))
        rc, out, err = self.serctl("passwd", "judy@example.com", "pw2", SQL_PASSWORD="heslo", **env)
        self.assertEqual(rc, 0, out + err)
        # The read-only login may not write.
        before = self.all_rows()
        rc, out, err = self.serctl("add", "kim@example.com", "pw", SQL_USER="serro", PW="47serro11", **env)
        self.assertEqual(rc, 4, out + err)
        self.assertEqual(self.all_rows(), before)


# ---- commands through a running ser ------------------------------------------

SERVER_CFG = r'''
debug=3
listen=udp:127.0.0.1:@PORT@
children=2
fifo="@DIR@/ser_fifo"
fifo_dir="@DIR@/"
unix_sock="@DIR@/ser_sock"
loadmodule "sqlite.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
modparam("auth_db|usrloc", "db_url", "@DBURL@")
modparam("tm", "fr_timer", 1)

route {
  if (method == "REGISTER") {
    # The stored ha1 (or ha1b for a digest user name with a domain).
    if (!www_authorize("", "subscriber")) {
      www_challenge("", "0");
      break;
    };
    if (!save("location")) {
      sl_reply_error();
    };
    break;
  };
  if (method == "OPTIONS" && uri == myself) {
    sl_send_reply("200", "OK");
    break;
  };
  if (lookup("aliases")) {
    t_relay();
    break;
  };
  if (!lookup("location")) {
    sl_send_reply("404", "Not Found");
    break;
  };
  t_relay();
}
'''


class ServerCommands(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ser-it-serctl-")
        cls.db = os.path.join(cls.dir, "ser.db")
        run([SER_DB, "create", "sqlite", cls.db], os.environ)
        cls.env = base_env(cls.dir, SER_DB_URL="sqlite://" + cls.db, SIP_DOMAIN="127.0.0.1")
        cls.ser = Ser(SERVER_CFG.replace("@DIR@", cls.dir).replace("@DBURL@", "sqlite://" + cls.db))
        try:
            cls.ser.__enter__()
        except BaseException:
            shutil.rmtree(cls.dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.ser.__exit__(None, None, None)
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def serctl(self, *args, timeout=60, **env):
        e = dict(self.env)
        e.update(env)
        return run([SERCTL] + list(args), e, timeout)

    def tearDown(self):
        # Every reply FIFO/socket serctl made is gone again.
        self.assertEqual(sorted(f for f in os.listdir(self.dir) if f.startswith("serctl")), [])

    def test_ps_uptime_version_fifo(self):
        rc, out, err = self.serctl("ps")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"(?m)^\d+\t%d\t" % self.ser.proc.pid)
        self.assertIn("fifo server", out)
        rc, out, err = self.serctl("uptime")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"(?m)^Up time: \d+ \[sec\]$")
        self.assertFalse(out.startswith("200"))
        rc, out, err = self.serctl("version")
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("serctl "))
        self.assertIn("Server: ser (", out)
        rc, out, err = self.serctl("fifo", "print", "hello world")
        self.assertEqual((rc, out), (0, "hello world\n"), err)
        rc, out, err = self.serctl("fifo", "which")
        self.assertIn("ul_show_contact", out.split())
        rc, out, err = self.serctl("fifo", "nosuch")
        self.assertEqual(rc, 1)
        self.assertIn("500 command 'nosuch' not available", err)

    def test_unix_socket(self):
        rc, out, err = self.serctl("-s", os.path.join(self.dir, "ser_sock"), "uptime")
        self.assertEqual(rc, 0, err)
        self.assertIn("Up Since:", out)
        rc, out, err = self.serctl("ul", "show", "nobody", SER_UNIXSOCK=os.path.join(self.dir, "ser_sock"))
        self.assertEqual(rc, 1)
        self.assertIn("404 Username nobody@127.0.0.1 in table location not found", err)

    def test_monitor_cycles(self):
        rc, out, err = self.serctl("monitor", "2", WATCH_PERIOD="0.2")
        self.assertEqual(rc, 0, err)
        self.assertEqual(re.findall(r"\[cycle #: (\d+)", out), ["1", "2"])
        self.assertEqual(out.count("Up time:"), 2)
        self.assertIn("'location'", out)   # ul_stats
        self.assertIn("Completion status", out)   # t_stats
        self.assertNotIn("\033", out)   # no screen control when not on a terminal

    def test_ping(self):
        peer = Peer()
        seen = []

        def answer():
            m = peer.recv(10)
            if m:
                seen.append(m)
                lines = [l for l in m.split("\r\n") if l.split(":")[0].lower() in ("via", "from", "to", "call-id", "cseq")]
                peer.send("SIP/2.0 200 OK\r\n" + "\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n", self.ser.port)
        t = threading.Thread(target=answer)
        t.start()
        try:
            rc, out, err = self.serctl("ping", "sip:pinged@127.0.0.1:%d" % peer.port)
        finally:
            t.join()
            peer.close()
        self.assertEqual((rc, out), (0, "200 OK\n"), err)
        self.assertTrue(seen[0].startswith("OPTIONS sip:pinged@127.0.0.1:%d SIP/2.0" % peer.port))
        self.assertIn("sip:daemon@%s" % socket.gethostname(), header(seen[0], "From")[0])
        self.assertEqual(header(seen[0], "To"), ["<sip:pinged@127.0.0.1:%d>" % peer.port])
        # Nobody answers: tm's fr_timer (1 s) ends the transaction with 408.
        rc, out, err = self.serctl("ping", "sip:gone@127.0.0.1:%d" % free_port())
        self.assertEqual(rc, 1, out + err)
        self.assertTrue(out.startswith("408 "), out + err)

    def test_ul_and_alias(self):
        rc, out, err = self.serctl("ul", "add", "lena", "sip:lena@127.0.0.1:5999")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("200 Added to table", out)
        rc, out, err = self.serctl("ul", "show", "lena@127.0.0.1")
        self.assertEqual(rc, 0, err)
        self.assertIn("<sip:lena@127.0.0.1:5999>", out)
        rc, out, err = self.serctl("online")
        self.assertIn("lena", out.split())
        rc, out, err = self.serctl("ul", "rm", "lena")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.serctl("ul", "show", "lena")[0], 1)
        self.assertEqual(self.serctl("ul", "add", "lena", "not-a-uri")[0], 1)
        # Aliases: a permanent entry in "aliases"; not over a subscriber, and
        # no subscriber over an alias.
        self.assertEqual(self.serctl("add", "mona", "monapw")[0], 0)
        rc, out, err = self.serctl("alias", "add", "mona", "sip:mona@127.0.0.1:5998")
        self.assertEqual(rc, 1)
        self.assertIn("existing subscriber", err)
        rc, out, err = self.serctl("alias", "add", "sales", "sip:mona@127.0.0.1:5998")
        self.assertEqual(rc, 0, out + err)
        rc, out, err = self.serctl("alias", "show", "sales")
        self.assertIn("<sip:mona@127.0.0.1:5998>", out)
        rc, out, err = self.serctl("add", "sales", "pw")
        self.assertEqual(rc, 1)
        self.assertIn("existing alias", err)
        self.assertEqual(self.serctl("alias", "rm", "sales")[0], 0)
        self.assertEqual(self.serctl("alias", "show", "sales")[0], 1)
        self.assertEqual(self.serctl("add", "sales", "pw")[0], 0)

    def test_stored_hashes_authenticate(self):
        """The config reads the ha1 and ha1b columns serctl wrote: a phone
        registers as nina (ha1) and as nina@127.0.0.1 (ha1b)."""
        self.assertEqual(self.serctl("add", "nina", "n'pw")[0], 0)
        domain = "127.0.0.1:%d" % self.ser.port
        for digest_user in ("nina", "nina@127.0.0.1"):
            phone = Phone(self.ser.port, "nina", domain, "n'pw")
            try:
                r = phone.register(user=digest_user)
                self.assertEqual(status(r), 200, digest_user + str(r))
                wrong = phone.register(user=digest_user, password="wrong")
                self.assertEqual(status(wrong), 401, digest_user)
            finally:
                phone.close()


class Unreachable(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ser-it-serctl-")
        self.env = base_env(self.dir)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def left_over(self):
        return [f for f in os.listdir(self.dir) if f.startswith("serctl")]

    def test_server_not_running(self):
        for args in (["ps"], ["ul", "show", "a@b"], ["monitor", "1"], ["ping", "sip:a@b.example"]):
            rc, out, err = run([SERCTL] + args, self.env)
            self.assertEqual(rc, 2, args)
            self.assertIn("ser is not running: there is no FIFO %s/ser_fifo" % self.dir, err)
        rc, out, err = run([SERCTL, "-s", os.path.join(self.dir, "ser_sock"), "ps"], self.env)
        self.assertEqual(rc, 2)
        self.assertIn("ser is not running: there is no socket", err)
        self.assertEqual(self.left_over(), [])

    def test_fifo_nobody_reads(self):
        os.mkfifo(os.path.join(self.dir, "ser_fifo"))
        rc, out, err = run([SERCTL, "uptime"], self.env, timeout=10)
        self.assertEqual(rc, 2)
        self.assertIn("nobody reads the FIFO %s/ser_fifo" % self.dir, err)
        self.assertEqual(self.left_over(), [])
        # A stale socket (its server gone) likewise.
        path = os.path.join(self.dir, "stale_sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        s.close()
        rc, out, err = run([SERCTL, "-s", path, "ps"], self.env, timeout=10)
        self.assertEqual(rc, 2)
        self.assertIn("nobody reads the socket", err)
        self.assertEqual(self.left_over(), [])

    def test_not_a_fifo(self):
        open(os.path.join(self.dir, "ser_fifo"), "w").close()
        rc, out, err = run([SERCTL, "ps"], self.env)
        self.assertEqual(rc, 2)
        self.assertIn("is not a FIFO", err)


# ---- the operator's path through the quickstart config ---------------------

class QuickstartPath(unittest.TestCase):
    """cfg/quickstart.cfg as shipped (database path and port replaced), ser
    started with -i FIFO as tools/quickstart.sh starts it."""

    def test_add_register_show_call_rm(self):
        d = tempfile.mkdtemp(prefix="ser-it-serctl-")
        uas = None
        phone = None
        try:
            db = os.path.join(d, "ser.db")
            env = base_env(d, SER_DB_URL="sqlite://" + db, SIP_DOMAIN="127.0.0.1")
            ctl = lambda *a: run([SERCTL] + list(a), env)   # noqa: E731
            run([SER_DB, "create", "sqlite", db], os.environ)
            self.assertEqual(ctl("add", "alice@127.0.0.1", "alicepw", "alice@example.com")[0], 0)   # before ser runs
            with open(os.path.join(SOURCE_DIR, "cfg", "quickstart.cfg")) as f:
                cfg = f.read().replace("sqlite:///var/lib/ser/ser.db", "sqlite://" + db).replace("port=5060", "port=@PORT@")
            cfg = 'fifo_dir="%s/"\n' % d + cfg
            with Ser(cfg, extra_args=["-i", env["SER_FIFO"]]) as ser:
                self.assertEqual(ctl("add", "bob", "bobpw")[0], 0)   # while it runs: the alias check is made
                here = "127.0.0.1:%d" % ser.port
                reg_port = free_port()
                inf = os.path.join(d, "reg.csv")
                with open(inf, "w") as f:
                    f.write("SEQUENTIAL\nalice;%s;600;\n" % here)
                rc, out = run_sipp([here, "-sf", os.path.join(SCENARIOS, "reg_auth.xml"), "-inf", inf, "-au", "alice",
                                    "-ap", "alicepw", "-i", "127.0.0.1", "-p", str(reg_port), "-m", "1"], timeout=30)
                self.assertEqual(rc, 0, out[-2000:] + ser.output()[-2000:])
                rc, out, err = ctl("ul", "show", "alice")
                self.assertEqual(rc, 0, err)
                self.assertIn("<sip:alice@127.0.0.1:%d>" % reg_port, out)
                # bob's phone (a sipp callee) registers; alice calls it.
                uas_port = free_port()
                uas = start_sipp(["-sf", os.path.join(SCENARIOS, "uas_dialog.xml"), "-i", "127.0.0.1",
                                  "-p", str(uas_port), "-m", "1"])
                phone = Phone(ser.port, "bob", here, "bobpw")
                self.assertEqual(status(phone.register(contacts=["<sip:bob@127.0.0.1:%d>" % uas_port], expires=600)),
                                 200)
                self.assertIn("<sip:bob@127.0.0.1:%d>" % uas_port, ctl("ul", "show", "bob")[1])
                inf = os.path.join(d, "call.csv")
                with open(inf, "w") as f:
                    f.write("SEQUENTIAL\nalice;%s;bob;\n" % here)
                rc, out = run_sipp([here, "-sf", os.path.join(SCENARIOS, "uac_auth.xml"), "-inf", inf, "-au", "alice",
                                    "-ap", "alicepw", "-i", "127.0.0.1", "-p", str(free_port()), "-m", "1"], timeout=30)
                self.assertEqual(rc, 0, out[-2000:] + ser.output()[-2000:])
                uas.wait(10)
                self.assertEqual(uas.returncode, 0)
                # bob removed: his registration goes, his next REGISTER is challenged again.
                rc, out, err = ctl("rm", "bob")
                self.assertEqual(rc, 0, out + err)
                self.assertEqual(err, "")
                rc, out, err = ctl("ul", "show", "bob")
                self.assertEqual(rc, 1)
                self.assertIn("404", err)
                r = phone.register(contacts=["<sip:bob@127.0.0.1:%d>" % uas_port], expires=600)
                self.assertEqual(status(r), 401, r)
                # alice is untouched.
                self.assertEqual(ctl("ul", "show", "alice")[0], 0)
        finally:
            if uas:
                stop_proc(uas)
                uas.stdout.close()
            if phone:
                phone.close()
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
