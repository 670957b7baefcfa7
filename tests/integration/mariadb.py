"""A private MariaDB server for integration tests: its own data directory,
socket and TCP port on 127.0.0.1 under a temporary directory. Started by the
test that needs it and removed with everything it made; stop()/start()
simulate an outage on the same port and data.

For a server inside a network/mount namespace (test_nat_e2e): `run_prefix`
is put before the mariadbd command (e.g. nsenter ...), `sock` is the socket
path mariadbd is told (as seen inside), `client_sock` the same socket as
reached from this process, `networking=False` opens no TCP port, and
`base_dir` is where the temporary directory goes (a directory the namespace
sees)."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

from sertest import free_port


class MariaDB:
    def __init__(self, run_prefix=(), sock=None, client_sock=None, networking=True, base_dir=None):
        self.dir = None
        self.proc = None
        self.port = 0
        self.run_prefix = list(run_prefix)
        self.server_sock = sock
        self.client_sock = client_sock
        self.networking = networking
        self.base_dir = base_dir

    # ---- life cycle
    def __enter__(self):
        for tool in ("mariadbd", "mariadb-install-db", "mariadb"):
            if not shutil.which(tool):
                raise RuntimeError("%s not installed (tools/setup.sh installs mariadb-server)" % tool)
        self.dir = tempfile.mkdtemp(prefix="ser-it-mdb-", dir=self.base_dir)
        self.data = os.path.join(self.dir, "data")
        self.sock = self.client_sock or self.server_sock or os.path.join(self.dir, "mysqld.sock")
        self.log = os.path.join(self.dir, "mysqld.log")
        # A private tmpdir: servers of parallel tests sharing /tmp collide on
        # temporary table names while installing.
        self.tmp = os.path.join(self.dir, "tmp")
        os.mkdir(self.tmp)
        try:
            with open(self.log, "ab") as log:
                subprocess.run(["mariadb-install-db", "--no-defaults", "--user=root", "--datadir=" + self.data,
                                "--tmpdir=" + self.tmp, "--auth-root-authentication-method=normal", "--skip-test-db"],
                               stdout=log, stderr=subprocess.STDOUT, check=True, timeout=120)
            if self.networking:
                self.port = free_port()
            self.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def start(self, timeout=60.0):
        if self.proc:
            return
        log = open(self.log, "ab")
        net = ["--port=%d" % self.port, "--bind-address=127.0.0.1"] if self.networking else ["--skip-networking"]
        self.proc = subprocess.Popen(
            self.run_prefix +
            ["mariadbd", "--no-defaults", "--user=root", "--datadir=" + self.data,
             "--socket=" + (self.server_sock or self.sock)] + net +
            ["--log-error=" + self.log,
             "--pid-file=" + os.path.join(self.dir, "mysqld.pid"), "--skip-log-bin",
             "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M", "--tmpdir=" + self.tmp],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                raise RuntimeError("mariadbd exited at start:\n" + self.log_tail())
            if self._client("SELECT 1", check=False).returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("mariadbd did not become ready:\n" + self.log_tail())

    def stop(self):
        if not self.proc:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def log_tail(self, n=3000):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    # ---- use
    def ser_db_env(self):
        """Environment for tools/ser-db to reach this server as root."""
        env = dict(os.environ)
        env["MYSQL_UNIX_PORT"] = self.sock
        env.pop("MYSQL_HOST", None)
        return env

    def url(self, user, password, db):
        return "mysql://%s:%s@127.0.0.1:%d/%s" % (user, password, self.port, db)

    def _client(self, sql, db=None, check=True):
        args = ["mariadb", "--no-defaults", "--socket=" + self.sock, "-uroot", "--batch", "--skip-column-names"]
        if db:
            args.append(db)
        return subprocess.run(args + ["-e", sql], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              check=check, timeout=60)

    def query(self, db, sql):
        """Rows of `sql` as lists of strings (NULL as 'NULL')."""
        out = self._client(sql, db).stdout.decode(errors="replace")
        return [line.split("\t") for line in out.splitlines() if line]
