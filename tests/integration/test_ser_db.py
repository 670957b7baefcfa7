"""tools/ser-db: the SER 0.9 schema in SQLite and in a MariaDB server this
test starts itself; subscribers added, changed and removed with the HA1
values serctl's gen_ha1 gives; refusals with their exit codes."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from sertest import SOURCE_DIR, main  # noqa

SER_DB = os.path.join(SOURCE_DIR, "tools", "ser-db")

# (table, columns in order) of the tables the modules use, as SER 0.9.6 made them.
EXPECTED_COLUMNS = {
    "version": ["table_name", "table_version"],
    "location": ["username", "domain", "contact", "received", "expires", "q", "callid", "cseq", "last_modified",
                 "replicate", "state", "flags", "user_agent"],
    "uri": ["username", "domain", "uri_user", "last_modified"],
    "subscriber": ["phplib_id", "username", "domain", "password", "first_name", "last_name", "phone",
                   "email_address", "datetime_created", "datetime_modified", "confirmation", "flag",
                   "sendnotification", "greeting", "ha1", "ha1b", "allow_find", "timezone", "rpid", "domn", "uuid"],
}
ALL_TABLES = {"version", "acc", "active_sessions", "aliases", "event", "grp", "location", "missed_calls", "pending",
              "phonebook", "reserved", "subscriber", "config", "silo", "domain", "uri", "server_monitoring",
              "usr_preferences", "preferences_types", "trusted", "server_monitoring_agg", "admin_privileges",
              "calls_forwarding", "speed_dial"}


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def ser_db(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([SER_DB] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=e, timeout=60)
    return p.returncode, p.stdout.decode(errors="replace")


class SqliteTool(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ser-db-it-")
        self.path = os.path.join(self.dir, "ser.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def db(self):
        return sqlite3.connect(self.path)

    def test_create_makes_every_table_and_version_row(self):
        rc, out = ser_db("create", "sqlite", self.path)
        self.assertEqual(rc, 0, out)
        c = self.db()
        tables = {r[0] for r in c.execute("select name from sqlite_master where type='table'")} - {"sqlite_sequence"}
        self.assertEqual(tables, ALL_TABLES)
        for t, cols in EXPECTED_COLUMNS.items():
            self.assertEqual([r[1] for r in c.execute("pragma table_info(%s)" % t)], cols, t)
        versions = dict(c.execute("select table_name, table_version from version"))
        self.assertEqual((versions["location"], versions["aliases"], versions["subscriber"], versions["uri"]),
                         (6, 6, 5, 1))
        self.assertEqual(len(versions), 24)   # the realm row too, with no realm table (as SER)
        self.assertEqual(c.execute("select count(*) from subscriber").fetchone()[0], 0)   # no admin/heslo by default

    def test_create_refuses_existing_file_unless_forced(self):
        self.assertEqual(ser_db("create", "sqlite", self.path)[0], 0)
        rc, out = ser_db("create", "sqlite", self.path)
        self.assertEqual(rc, 1)
        self.assertIn("exists already", out)
        rc, out = ser_db("create", "sqlite", self.path, "--force", "--with-admin", env={"SIP_DOMAIN": "example.org"})
        self.assertEqual(rc, 0, out)
        row = self.db().execute("select username, domain, password, ha1, ha1b from subscriber").fetchone()
        self.assertEqual(row, ("admin", "example.org", "heslo", md5("admin:example.org:heslo"),
                               md5("admin@example.org:example.org:heslo")))

    def test_add_passwd_rm_user(self):
        ser_db("create", "sqlite", self.path)
        url = "sqlite://" + self.path
        pw = "it's a \\ \"pass\"; drop table subscriber; --"
        rc, out = ser_db("add-user", url, "alice@example.com", pw, "alice@example.com")
        self.assertEqual(rc, 0, out)
        c = self.db()
        row = c.execute("select password, ha1, ha1b, email_address from subscriber where username='alice'").fetchone()
        self.assertEqual(row, (pw, md5("alice:example.com:" + pw), md5("alice@example.com:example.com:" + pw),
                               "alice@example.com"))
        self.assertEqual(c.execute("select username, domain, uri_user from uri").fetchall(),
                         [("alice", "example.com", "alice")])
        self.assertEqual(ser_db("add-user", url, "alice@example.com", "x")[0], 1)   # exists
        self.assertEqual(ser_db("passwd", self.path, "alice@example.com", "new")[0], 0)
        c = self.db()
        self.assertEqual(c.execute("select ha1 from subscriber").fetchone()[0], md5("alice:example.com:new"))
        rc, out = ser_db("add-user", url, "bob", "pw", env={"SIP_DOMAIN": "example.net"})
        self.assertEqual(rc, 0, out)
        rc, out = ser_db("add-user", url, "carol", "pw", env={"SIP_DOMAIN": ""})
        self.assertEqual(rc, 1)
        self.assertIn("domain unknown", out)
        self.assertEqual(ser_db("rm-user", url, "alice@example.com")[0], 0)
        self.assertEqual(ser_db("rm-user", url, "alice@example.com")[0], 1)
        rc, out = ser_db("show-users", url)
        self.assertEqual(out.split(), ["bob", "example.net"])

    def test_usage_and_missing_database(self):
        self.assertEqual(ser_db()[0], 1)
        self.assertEqual(ser_db("frobnicate")[0], 1)
        rc, out = ser_db("add-user", "sqlite://" + self.path, "a@b", "c")
        self.assertEqual(rc, 1)
        self.assertIn("create it", out)


class MysqlTool(unittest.TestCase):
    """ser-db create mysql against a private MariaDB server: the database,
    the SER logins (ser/heslo read-write, serro/47serro11 read-only), the
    admin user, then subscribers through a mysql:// db_url."""

    @classmethod
    def setUpClass(cls):
        from mariadb import MariaDB
        cls.server = MariaDB()
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def test_create_users_and_subscribers(self):
        env = self.server.ser_db_env()
        env["SIP_DOMAIN"] = "example.com"
        rc, out = ser_db("create", "mysql", "ser", env=env)
        self.assertEqual(rc, 0, out)
        rc, out = ser_db("create", "mysql", "ser", env=env)
        self.assertEqual(rc, 1, out)
        self.assertIn("exists already", out)
        rows = self.server.query("ser", "select table_version from version where table_name='location'")
        self.assertEqual(rows, [["6"]])
        rows = self.server.query("ser", "select username, domain, ha1 from subscriber")
        self.assertEqual(rows, [["admin", "example.com", md5("admin:example.com:heslo")]])
        url = self.server.url("ser", "heslo", "ser")
        pw = "o'r\\ly"
        rc, out = ser_db("add-user", url, "alice@example.com", pw, env=env)
        self.assertEqual(rc, 0, out)
        rows = self.server.query("ser", "select password, ha1 from subscriber where username='alice'")
        self.assertEqual(rows, [[pw.replace("\\", "\\\\"), md5("alice:example.com:" + pw)]])
        # The read-only login may read but not write.
        ro = self.server.url("serro", "47serro11", "ser")
        self.assertEqual(ser_db("show-users", ro, env=env)[0], 0)
        rc, out = ser_db("add-user", ro, "mallory@example.com", "x", env=env)
        self.assertEqual(rc, 2, out)


if __name__ == "__main__":
    main()
