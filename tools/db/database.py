"""A SER database named by a db_url (sqlite:///path or
mysql://user:password@host[:port]/db), reached from the tools: SQLite
through Python's sqlite3, MySQL/MariaDB through the mariadb (or mysql)
client program. Every value goes in through `?` parameters (SQLite binds
them; for MySQL they are rendered as escaped literals), never as SQL text."""

import os
import re
import shutil
import sqlite3
import subprocess


class Refused(Exception):
    """A request that cannot be done (a usage or validation error)."""


class DbError(Exception):
    """The database failed or could not be reached."""


class Duplicate(DbError):
    """A row with the same key exists (a unique key refused the insert)."""


# ---- MySQL through the client program -------------------------------------

def mysql_client():
    for name in ("mariadb", "mysql"):
        path = shutil.which(name)
        if path:
            return path
    raise DbError("no mysql/mariadb client program found (install mariadb-client)")


def mysql_quote(v):
    """A string literal for MySQL's default sql_mode (backslash escapes on)."""
    if v is None:
        return "NULL"
    out = v.replace("\\", "\\\\").replace("'", "\\'").replace("\0", "\\0").replace("\n", "\\n").replace("\r", "\\r")
    return "'" + out + "'"


def sqlite_quote(v):
    return "NULL" if v is None else "'" + v.replace("'", "''") + "'"


# The client's "ERROR <n> (<state>)[ at line <l>]: <text>" -> a message that
# says what to check.
_MYSQL_HINTS = {
    "1045": "access denied (wrong user name or password?)",
    "1044": "access to the database denied",
    "1049": "no such database",
    "2002": "cannot connect to the server's socket (is MySQL/MariaDB running?)",
    "2003": "cannot connect to the server (is MySQL/MariaDB running, is the port right?)",
    "2005": "unknown server host",
}


def mysql_error(stderr, where):
    text = stderr.strip() or "mysql client failed"
    # On a failing statement of several the client echoes it first: keep its ERROR line.
    m = re.search(r"(?m)^ERROR (\d+).*$", text)
    code = m.group(1) if m else ""
    if m:
        text = m.group(0)
    if code in ("1062", "1586"):
        return Duplicate(text)
    hint = _MYSQL_HINTS.get(code)
    return DbError("%s: %s (%s)" % (where, hint, text) if hint else text)


def mysql_run(sql, user=None, password=None, host=None, port=None, database=None, columns=False):
    """Runs SQL text with the client in batch mode; returns the rows (lists
    of strings) it printed. The client stops at the first failing statement,
    and ends the session, so an open transaction is rolled back."""
    cmd = [mysql_client(), "--batch", "--raw"]
    if not columns:
        cmd.append("--skip-column-names")
    env = dict(os.environ)
    user = user or os.environ.get("MYSQL_ROOT_USER", "root")
    cmd += ["-u", user]
    pw = password if password is not None else os.environ.get("MYSQL_ROOT_PASSWORD")
    if pw:
        env["MYSQL_PWD"] = pw        # not on the command line (ps shows it)
    else:
        env.pop("MYSQL_PWD", None)
    host = host or os.environ.get("MYSQL_HOST")
    if host:
        cmd += ["-h", host]
    port = port or os.environ.get("MYSQL_PORT")
    if port:
        cmd += ["-P", str(port)]
    if os.environ.get("MYSQL_UNIX_PORT"):
        cmd += ["-S", os.environ["MYSQL_UNIX_PORT"]]
    if database:
        cmd.append(database)
    p = subprocess.run(cmd, input=sql.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if p.returncode != 0:
        where = "mysql://%s@%s%s/%s" % (user, host or "localhost", ":%s" % port if port else "", database or "")
        raise mysql_error(p.stderr.decode(errors="replace"), where)
    return [line.split("\t") for line in p.stdout.decode(errors="replace").splitlines()]


# ---- one database ----------------------------------------------------------

class Database:
    """The database of a db_url. `query` runs one statement; `transaction`
    runs several so that either all of them take effect or none."""

    def __init__(self, kind, path=None, user=None, password=None, host=None, port=None, db=None):
        self.kind, self.path = kind, path
        self.user, self.password, self.host, self.port, self.db = user, password, host, port, db
        if kind == "sqlite" and not os.path.exists(path):
            raise Refused("no database '%s' (create it: ser-db create sqlite %s)" % (path, path))

    @classmethod
    def from_url(cls, url):
        if url.startswith("sqlite://"):
            return cls("sqlite", path=url[len("sqlite://"):])
        if url.startswith("mysql://"):
            auth, _, hostdb = url[len("mysql://"):].rpartition("@")
            user, _, password = auth.partition(":")
            hostport, _, db = hostdb.partition("/")
            host, _, port = hostport.partition(":")
            if not db:
                raise Refused("invalid db_url '%s': no database" % url)
            return cls("mysql", user=user, password=password, host=host or None, port=port or None, db=db)
        if "://" not in url:
            return cls("sqlite", path=url)
        raise Refused("unsupported db_url '%s' (sqlite:// or mysql://)" % url)

    def describe(self):
        if self.kind == "sqlite":
            return "sqlite://" + self.path
        return "mysql://%s@%s%s/%s" % (self.user, self.host or "localhost", ":" + self.port if self.port else "",
                                      self.db)

    def query(self, sql, params=()):
        return self.transaction([(sql, params)])

    def transaction(self, statements):
        """[(sql with ? placeholders, params)] atomically; the rows of the last."""
        if self.kind == "sqlite":
            return self._sqlite(statements)
        text = ["START TRANSACTION;"] if len(statements) > 1 else []
        for sql, params in statements:
            parts = sql.split("?")
            if len(parts) != len(params) + 1:
                raise ValueError("%d parameters for %d placeholders" % (len(params), len(parts) - 1))
            text.append(parts[0] + "".join(mysql_quote(None if p is None else str(p)) + rest
                                           for p, rest in zip(params, parts[1:])) + ";")
        if len(statements) > 1:
            text.append("COMMIT;")
        return mysql_run("\n".join(text), user=self.user, password=self.password, host=self.host,
                         port=self.port, database=self.db)

    def _sqlite(self, statements):
        try:
            c = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except sqlite3.Error as e:
            raise DbError("cannot open %s: %s" % (self.path, e))
        try:
            c.execute("BEGIN IMMEDIATE")
            rows = []
            for sql, params in statements:
                rows = c.execute(sql, params).fetchall()
            c.execute("COMMIT")
            return rows
        except sqlite3.Error as e:
            if isinstance(e, sqlite3.IntegrityError) and "UNIQUE" in str(e):
                raise Duplicate(str(e))
            raise DbError("%s: %s" % (self.path, e))
        finally:
            try:
                if c.in_transaction:
                    c.execute("ROLLBACK")
            finally:
                c.close()
