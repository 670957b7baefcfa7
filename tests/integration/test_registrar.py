"""Registration and authentication through a running ser on a real database:
the embedded SQLite one and a MariaDB server this test starts itself.
sipp phones register with digest (401, authorized REGISTER, 200 listing the
binding); re-register, several contacts with q, `Contact: *`, expiry;
an INVITE with proxy authentication to a registered user (a sipp callee),
404 for an unregistered one; each usrloc db_mode, including a restart and a
kill -9 of ser (contacts reloaded), two ser instances sharing one table in
db_mode 3; MariaDB stopped while ser runs."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa
from sipauth import Phone, parse_challenge, digest_header, md5  # noqa

SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
SER_DB = os.path.join(SOURCE_DIR, "tools", "ser-db")
DOMAIN = "example.com"
USERS = {"alice": "alicepw", "bob": "bobpw", "carol": "c'a\\r\"ol pw"}

CFG = r'''
debug=3
listen=udp:127.0.0.1:@PORT@
children=2
alias="example.com"
loadmodule "@DRIVER@.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "uri.so"
loadmodule "uri_db.so"
modparam("auth_db|uri_db|usrloc", "db_url", "@DBURL@")
modparam("auth_db", "calculate_ha1", 1)
modparam("auth_db", "password_column", "password")
modparam("usrloc", "db_mode", @DBMODE@)
modparam("usrloc", "timer_interval", @TIMER@)
modparam("registrar", "min_expires", 1)

route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    break;
  };
  if (method != "REGISTER") {
    record_route();
  };
  if (loose_route()) {
    t_relay();
    break;
  };
  if (uri != myself) {
    t_relay();
    break;
  };
  if (method == "REGISTER") {
    @REGISTER@
    if (!save("location")) {
      sl_reply_error();
    };
    break;
  };
  if (method == "INVITE") {
    if (!proxy_authorize("", "subscriber")) {
      proxy_challenge("", "0");
      break;
    } else if (!check_from()) {
      sl_send_reply("403", "Use From=ID");
      break;
    };
    consume_credentials();
  };
  if (method == "ACK") {
    t_relay();
    break;
  };
  if (!lookup("location")) {
    sl_send_reply("404", "User Not Found");
    break;
  };
  if (!t_relay()) {
    sl_reply_error();
  };
}
'''

AUTH_REGISTER = r'''
    if (!www_authorize("", "subscriber")) {
      www_challenge("", "0");
      break;
    };
    if (!check_to()) {
      sl_send_reply("401", "Unauthorized");
      break;
    };
    consume_credentials();
'''


def ser_db(*args, check=True, env=None):
    p = subprocess.run([SER_DB] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
                       env=env)
    if check and p.returncode != 0:
        raise RuntimeError("ser-db %s failed (%d):\n%s" % (" ".join(args), p.returncode, p.stdout.decode()))
    return p.returncode, p.stdout.decode(errors="replace")


class SqliteDb:
    driver = "sqlite"

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="ser-it-db-")
        self.path = os.path.join(self.dir, "ser.db")
        ser_db("create", "sqlite", self.path)
        self.url = "sqlite://" + self.path
        for u, pw in USERS.items():
            ser_db("add-user", self.url, "%s@%s" % (u, DOMAIN), pw)
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, sql):
        out = subprocess.run(["sqlite3", "-separator", "|", self.path, sql], stdout=subprocess.PIPE,
                             check=True, timeout=30).stdout.decode()
        return [line.split("|") for line in out.splitlines() if line]


def mariadb_backend():
    from mariadb import MariaDB  # noqa: started by this test (private datadir and socket)

    class MariaDbBackend:
        driver = "mysql"

        def __enter__(self):
            self.server = MariaDB()
            self.server.__enter__()
            try:
                env = self.server.ser_db_env()
                env["SIP_DOMAIN"] = DOMAIN
                ser_db("create", "mysql", "ser", env=env)
                self.url = self.server.url("ser", "heslo", "ser")
                for u, pw in USERS.items():
                    ser_db("add-user", self.url, "%s@%s" % (u, DOMAIN), pw)
            except BaseException:
                self.server.__exit__(None, None, None)
                raise
            return self

        def __exit__(self, *exc):
            self.server.__exit__(*exc)

        def rows(self, sql):
            return self.server.query("ser", sql)

    return MariaDbBackend()


def config(db, mode=0, timer=60, auth=True):
    return (CFG.replace("@DRIVER@", db.driver).replace("@DBURL@", db.url).replace("@DBMODE@", str(mode))
            .replace("@TIMER@", str(timer)).replace("@REGISTER@", AUTH_REGISTER if auth else ""))


def sipp_register(ser, user, expires=3600):
    """sipp registers `user` with digest; returns (rc, output)."""
    d = tempfile.mkdtemp(prefix="ser-it-sipp-")
    try:
        inf = os.path.join(d, "users.csv")
        with open(inf, "w") as f:
            f.write("SEQUENTIAL\n%s;%s;%d;\n" % (user, DOMAIN, expires))
        return run_sipp(["127.0.0.1:%d" % ser.port, "-sf", os.path.join(SCENARIOS, "reg_auth.xml"),
                         "-inf", inf, "-au", user, "-ap", USERS[user], "-i", "127.0.0.1", "-p", str(free_port()),
                         "-m", "1"], timeout=30)
    finally:
        shutil.rmtree(d, ignore_errors=True)


class RegistrarCases:
    """The cases run against each database (mixin; `make_db` set by subclasses)."""

    make_db = None

    @classmethod
    def setUpClass(cls):
        cls.db = cls.make_db()
        cls.db.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.db.__exit__(None, None, None)

    def setUp(self):
        self.phones = []

    def tearDown(self):
        for p in self.phones:
            p.close()

    def phone(self, ser, user):
        p = Phone(ser.port, user, DOMAIN, USERS[user])
        self.phones.append(p)
        return p

    def clear_location(self):
        self.db.rows("delete from location")

    # ---- registration with digest
    def test_sipp_registers_with_digest(self):
        self.clear_location()
        with Ser(config(self.db)) as ser:
            rc, out = sipp_register(ser, "alice")
            self.assertEqual(rc, 0, out[-3000:] + ser.output()[-3000:])
            self.assertIn("Successful call", out)

    def test_challenge_format_and_wrong_password(self):
        with Ser(config(self.db)) as ser:
            p = self.phone(ser, "alice")
            r = p.register_once()
            self.assertEqual(status(r), 401, r)
            ch = parse_challenge(header(r, "WWW-Authenticate")[0])
            self.assertEqual(ch["realm"], DOMAIN)
            self.assertTrue(ch["nonce"])
            r = p.register(password="wrong")
            self.assertEqual(status(r), 401, r)
            self.assertNotIn("stale", header(r, "WWW-Authenticate")[0].lower())

    def test_unknown_user_challenged(self):
        with Ser(config(self.db)) as ser:
            p = Phone(ser.port, "mallory", DOMAIN, "x")
            self.phones.append(p)
            self.assertEqual(status(p.register()), 401)

    def test_hostile_password_stored_literally(self):
        self.clear_location()
        with Ser(config(self.db)) as ser:
            p = self.phone(ser, "carol")
            r = p.register(expires=600)
            self.assertEqual(status(r), 200, str(r) + ser.output()[-2000:])

    def test_register_refresh_q_star(self):
        self.clear_location()
        with Ser(config(self.db)) as ser:
            p = self.phone(ser, "bob")
            c1 = "<sip:bob@127.0.0.1:%d>" % p.port
            c2 = "<sip:bob@127.0.0.1:%d;transport=udp>;q=0.5" % p.port
            r = p.register(contacts=[c1 + ";q=0.1", c2], expires=600)
            self.assertEqual(status(r), 200, r)
            b = p.bindings(r)
            self.assertEqual([u for u, _ in b], ["sip:bob@127.0.0.1:%d;transport=udp" % p.port,
                                                 "sip:bob@127.0.0.1:%d" % p.port], r)
            self.assertIn(";q=0.5;expires=", b[0][1])
            # Refresh of one contact with a shorter time.
            r = p.register(contacts=[c1 + ";q=0.1;expires=120"])
            exp = {u: int(re.search(r"expires=(\d+)", par).group(1)) for u, par in p.bindings(r)}
            self.assertLessEqual(exp["sip:bob@127.0.0.1:%d" % p.port], 120)
            self.assertGreater(exp["sip:bob@127.0.0.1:%d;transport=udp" % p.port], 500)
            # Contact: * with Expires: 0 removes both.
            r = p.register(contacts=["*"], expires=0)
            self.assertEqual(status(r), 200, r)
            self.assertEqual(header(r, "Contact"), [])
            # Contact: * with a non-zero Expires is refused.
            r = p.register(contacts=["*"], expires=10)
            self.assertEqual(status(r), 400, r)
            self.assertEqual(header(r, "P-Registrar-Error"), ["* used in contact and expires is not zero"])

    def test_binding_expires(self):
        self.clear_location()
        with Ser(config(self.db, timer=1)) as ser:
            p = self.phone(ser, "alice")
            r = p.register(expires=1)
            self.assertEqual(len(p.bindings(r)), 1, r)
            # Expiry is in whole seconds and swept on the timer: 1 s can
            # take up to ~3 s to be logged.
            self.assertTrue(ser.wait_output("has expired"), ser.output())
            r = p.register(contacts=[])
            self.assertEqual(status(r), 200, r)
            self.assertEqual(p.bindings(r), [], r)

    # ---- calls
    def test_invite_with_proxy_auth_to_registered_user(self):
        self.clear_location()
        with Ser(config(self.db)) as ser:
            uas_port = free_port()
            uas = start_sipp(["-sf", os.path.join(SCENARIOS, "uas_dialog.xml"), "-i", "127.0.0.1",
                              "-p", str(uas_port), "-m", "1"])
            d = tempfile.mkdtemp(prefix="ser-it-sipp-")
            try:
                bob = self.phone(ser, "bob")
                r = bob.register(contacts=["<sip:bob@127.0.0.1:%d>" % uas_port], expires=600)
                self.assertEqual(status(r), 200, r)
                inf = os.path.join(d, "call.csv")
                with open(inf, "w") as f:
                    f.write("SEQUENTIAL\nalice;%s;bob;\n" % DOMAIN)
                rc, out = run_sipp(["127.0.0.1:%d" % ser.port, "-sf", os.path.join(SCENARIOS, "uac_auth.xml"),
                                    "-inf", inf, "-au", "alice", "-ap", USERS["alice"], "-i", "127.0.0.1",
                                    "-p", str(free_port()), "-m", "1"], timeout=30)
                self.assertEqual(rc, 0, out[-3000:] + ser.output()[-3000:])
                uas.wait(10)
                self.assertEqual(uas.returncode, 0, uas.stdout.read().decode()[-3000:])
            finally:
                stop_proc(uas)
                uas.stdout.close()
                shutil.rmtree(d, ignore_errors=True)

    def test_invite_to_unregistered_user_404(self):
        self.clear_location()
        with Ser(config(self.db)) as ser:
            alice = self.phone(ser, "alice")
            invite = ("INVITE sip:nobody@%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-i1\r\n"
                      "Max-Forwards: 70\r\nFrom: <sip:alice@%s>;tag=a1\r\nTo: <sip:nobody@%s>\r\n"
                      "Call-ID: inv-404\r\nCSeq: %%d INVITE\r\nContact: <sip:alice@127.0.0.1:%d>\r\n%%s"
                      "Content-Length: 0\r\n\r\n" % (DOMAIN, alice.port, DOMAIN, DOMAIN, alice.port))
            alice.peer.send((invite % (1, "")).encode(), ser.port)
            r = alice.final()
            self.assertEqual(status(r), 407, r)
            ch = parse_challenge(header(r, "Proxy-Authenticate")[0])
            auth = digest_header(ch, "alice", USERS["alice"], "INVITE", "sip:nobody@" + DOMAIN)
            alice.peer.send((invite % (2, "Proxy-Authorization: %s\r\n" % auth)).encode(), ser.port)
            r = alice.final()
            self.assertEqual(status(r), 404, r)
            self.assertIn("User Not Found", r.split("\r\n")[0])

    # ---- persistence per db_mode
    def location_rows(self):
        return self.db.rows("select username, contact from location")

    def test_db_mode_0_writes_nothing(self):
        self.clear_location()
        with Ser(config(self.db, mode=0)) as ser:
            self.assertEqual(status(self.phone(ser, "alice").register(expires=600)), 200)
        self.assertEqual(self.location_rows(), [])

    def wait_rows(self, n, timeout=10.0):
        """Waits for the write-back timer to have written `n` location rows."""
        deadline = time.time() + timeout
        while len(self.location_rows()) != n and time.time() < deadline:
            time.sleep(0.1)

    def restart_keeps(self, mode, kill, flushed=False):
        self.clear_location()
        ser = Ser(config(self.db, mode=mode, timer=1)).__enter__()
        try:
            p = self.phone(ser, "alice")
            r = p.register(expires=600)
            self.assertEqual(status(r), 200, r)
            if flushed:
                self.wait_rows(1)
            if kill:
                ser.proc.send_signal(signal.SIGKILL)
                ser.proc.wait()
            else:
                self.assertEqual(ser.stop(), 0, ser.output()[-3000:])
        finally:
            ser.stop()
        self.assertEqual(len(self.location_rows()), 1, ser.output()[-3000:])
        with Ser(config(self.db, mode=mode, timer=1)) as ser2:
            p2 = self.phone(ser2, "alice")
            r = p2.register(contacts=[])
            self.assertEqual([u for u, _ in p2.bindings(r)], ["sip:alice@127.0.0.1:%d" % p.port], r)

    def test_db_mode_1_restart_reloads(self):
        self.restart_keeps(1, kill=False)

    def test_db_mode_1_kill9_loses_nothing(self):
        self.restart_keeps(1, kill=True)

    def test_db_mode_2_kill9_after_one_timer_interval(self):
        self.restart_keeps(2, kill=True, flushed=True)

    def test_db_mode_3_kill9_loses_nothing(self):
        self.restart_keeps(3, kill=True)

    def test_db_mode_3_two_instances_share_the_table(self):
        """A phone registered through one ser is reached through another."""
        self.clear_location()
        with Ser(config(self.db, mode=3, auth=False)) as a, Ser(config(self.db, mode=3, auth=False)) as b:
            alice = self.phone(a, "alice")
            self.assertEqual(status(alice.register_once(expires=600)), 200)
            bob = self.phone(b, "bob")
            msg = ("MESSAGE sip:alice@%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-m3\r\n"
                   "Max-Forwards: 70\r\nFrom: <sip:bob@%s>;tag=b3\r\nTo: <sip:alice@%s>\r\n"
                   "Call-ID: msg-3\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n"
                   % (DOMAIN, bob.port, DOMAIN, DOMAIN))
            bob.peer.send(msg.encode(), b.port)
            got = alice.peer.recv(3.0)
            self.assertIsNotNone(got, b.output()[-3000:])
            self.assertTrue(got.startswith("MESSAGE "), got)

    def test_db_mode_2_shutdown_flushes(self):
        self.clear_location()
        with Ser(config(self.db, mode=2, timer=60)) as ser:
            self.assertEqual(status(self.phone(ser, "alice").register(expires=600)), 200)
            self.assertEqual(self.location_rows(), [])   # not yet: write-back
        self.assertEqual(len(self.location_rows()), 1)


class SqliteTest(RegistrarCases, unittest.TestCase):
    make_db = SqliteDb


class MariaDbTest(RegistrarCases, unittest.TestCase):
    make_db = staticmethod(mariadb_backend)

    def test_mariadb_stopped_while_running(self):
        """Registered users stay reachable from memory while the server is
        down, errors are logged once per burst, writes resume after."""
        self.clear_location()
        with Ser(config(self.db, mode=2, timer=1, auth=False)) as ser:
            alice = self.phone(ser, "alice")
            self.assertEqual(status(alice.register_once(expires=600)), 200)
            self.wait_rows(1)
            self.db.server.stop()
            try:
                bob = self.phone(ser, "bob")
                for i in range(20):
                    self.assertEqual(status(bob.register_once(expires=600)), 200)
                time.sleep(2.5)   # two flushes fail
                # alice is still found: a MESSAGE to her is relayed to her phone.
                msg = ("MESSAGE sip:alice@%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-m1\r\n"
                       "Max-Forwards: 70\r\nFrom: <sip:bob@%s>;tag=b1\r\nTo: <sip:alice@%s>\r\n"
                       "Call-ID: msg-1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n"
                       % (DOMAIN, bob.port, DOMAIN, DOMAIN))
                bob.peer.send(msg.encode(), ser.port)
                got = alice.peer.recv(3.0)
                self.assertIsNotNone(got, ser.output()[-3000:])
                self.assertTrue(got.startswith("MESSAGE "), got)
            finally:
                self.db.server.start()
            self.wait_rows(2)   # the next flushes write bob
            users = sorted(r[0] for r in self.location_rows())
            self.assertEqual(users, ["alice", "bob"], ser.output()[-3000:])
            errors = [l for l in ser.output().splitlines() if "ERROR" in l]
            self.assertLess(len(errors), 10, "\n".join(errors[-20:]))


class QuickstartTest(unittest.TestCase):
    """cfg/quickstart.cfg as shipped (only its database path and port
    replaced): a phone registers with digest, another calls it with proxy
    authentication, an unregistered user is 404."""

    def setUp(self):
        self.db = SqliteDb()
        self.db.__enter__()
        with open(os.path.join(SOURCE_DIR, "cfg", "quickstart.cfg")) as f:
            cfg = f.read()
        self.assertIn("sqlite:///var/lib/ser/ser.db", cfg)
        self.assertIn("port=5060", cfg)
        self.assertIn("unix:/tmp/ser_rtpproxy.sock", cfg)
        # The media relay, as tools/quickstart.sh starts it.
        self.rtpp_dir = tempfile.mkdtemp(prefix="ser-it-qs-")
        sock = os.path.join(self.rtpp_dir, "rtpproxy.sock")
        self.rtpp_log = os.path.join(self.rtpp_dir, "rtpproxy.log")
        with open(self.rtpp_log, "wb") as log:
            self.rtpp = subprocess.Popen([os.environ.get("RTPPROXY_BIN", os.path.join(BUILD_DIR, "rtpproxy", "rtpproxy")),
                                          "-f", "-l", "127.0.0.1", "-s", "unix:" + sock, "-d", "INFO"],
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline and self.rtpp.poll() is None:
            time.sleep(0.05)
        self.cfg = cfg.replace("sqlite:///var/lib/ser/ser.db", self.db.url).replace("port=5060", "port=@PORT@") \
            .replace("unix:/tmp/ser_rtpproxy.sock", "unix:" + sock)
        self.phones = []

    def tearDown(self):
        for p in self.phones:
            p.close()
        stop_proc(self.rtpp)
        shutil.rmtree(self.rtpp_dir, ignore_errors=True)
        self.db.__exit__(None, None, None)

    def test_register_and_call(self):
        with Ser(self.cfg) as ser:
            uas_port = free_port()
            uas = start_sipp(["-sf", os.path.join(SCENARIOS, "uas_dialog.xml"), "-i", "127.0.0.1",
                              "-p", str(uas_port), "-m", "1"])
            d = tempfile.mkdtemp(prefix="ser-it-sipp-")
            try:
                # The shipped config serves port 5060; here the port is in the
                # request URIs so that `uri == myself` holds.
                here = "127.0.0.1:%d" % ser.port
                bob = Phone(ser.port, "bob", here, USERS["bob"])
                self.phones.append(bob)
                self.assertEqual(status(bob.register_once()), 401)
                r = bob.register(contacts=["<sip:bob@127.0.0.1:%d>" % uas_port], expires=600)
                self.assertEqual(status(r), 200, str(r) + ser.output()[-3000:])
                self.assertEqual([u for u, _ in bob.bindings(r)], ["sip:bob@127.0.0.1:%d" % uas_port])
                inf = os.path.join(d, "call.csv")
                with open(inf, "w") as f:
                    f.write("SEQUENTIAL\nalice;%s;bob;\n" % here)
                rc, out = run_sipp(["127.0.0.1:%d" % ser.port, "-sf", os.path.join(SCENARIOS, "uac_auth.xml"),
                                    "-inf", inf, "-au", "alice", "-ap", USERS["alice"], "-i", "127.0.0.1",
                                    "-p", str(free_port()), "-m", "1"], timeout=30)
                self.assertEqual(rc, 0, out[-3000:] + ser.output()[-3000:])
                uas.wait(10)
                self.assertEqual(uas.returncode, 0)
                # The offer and the answer went through the relay.
                with open(self.rtpp_log) as f:
                    log = f.read()
                self.assertIn("new session", log, log + ser.output()[-3000:])
                self.assertIn("lookup on ports", log, log)
                self.assertIn("forcefully deleting session", log, log)   # BYE
            finally:
                stop_proc(uas)
                uas.stdout.close()
                shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
