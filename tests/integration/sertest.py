"""Helpers for integration tests: run a real `ser` on loopback, talk to it
over real UDP/TCP sockets, drive sipp phones, and clean up every process.

Environment (set by meson): SER_BIN, SER_BUILD_DIR, SER_SOURCE_DIR."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

SER_BIN = os.environ.get("SER_BIN", "build/runtime/ser")
SOURCE_DIR = os.environ.get("SER_SOURCE_DIR", os.getcwd())
BUILD_DIR = os.environ.get("SER_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))
SIPP = "/usr/bin/sipp"


def free_port(kind=socket.SOCK_DGRAM, also_tcp=True):
    """A port free for UDP and (optionally) TCP on 127.0.0.1."""
    for _ in range(200):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        ok = True
        if also_tcp:
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                t.bind(("127.0.0.1", port))
            except OSError:
                ok = False
            t.close()
        u.close()
        if ok:
            return port
    raise RuntimeError("no free port")


def crlf(text):
    """Message text written with LF line ends -> CRLF, Content-Length fixed."""
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    head, sep, body = text.partition("\r\n\r\n")
    if "Content-Length:" in head and "@CL@" in head:
        head = head.replace("@CL@", str(len(body.encode())))
    return (head + sep + body).encode()


class Ser:
    """A running ser process. Use as a context manager."""

    def __init__(self, cfg_text, extra_args=(), port=None, name="ser"):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="ser-it-")
        self.cfg_path = os.path.join(self.dir, name + ".cfg")
        with open(self.cfg_path, "w") as f:
            f.write(cfg_text.replace("@PORT@", str(self.port)))
        self.log_path = os.path.join(self.dir, "ser.log")
        self.args = [SER_BIN, "-f", self.cfg_path, "--foreground", "--stderr"] + list(extra_args)
        self.proc = None

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()   # never leave a ser running behind a failed start
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        rc = self.stop()
        # A clean SIGTERM shutdown exits 0; under the sanitizers a leak or an
        # error report makes it non-zero, which fails the test here.
        if exc_type is None and rc != 0:
            raise AssertionError("ser exited with status %s after SIGTERM:\n%s" % (rc, self.output()[-5000:]))

    def wait_ready(self, timeout=10.0):
        """Ready when an OPTIONS to the UDP port gets any answer or the log says started."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("ser exited with %s:\n%s" % (self.proc.returncode, self.output()))
            if "ser started" in self.output():
                return
            time.sleep(0.05)
        raise RuntimeError("ser did not start:\n" + self.output())

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()
            self.log = None
            # The log stays readable through output(); the temp dir goes.
            self.final_output = self.output()
            shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode if self.proc else None

    def alive(self):
        return self.proc.poll() is None

    def wait_output(self, text, timeout=10.0):
        """True once `text` is in the log; timer-driven events (expiry,
        flushes) land within a few timer ticks, not at an exact moment."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.output():
                return True
            time.sleep(0.1)
        return False

    def output(self):
        if getattr(self, "final_output", None) is not None:
            return self.final_output
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""


class Peer:
    """A UDP endpoint on 127.0.0.1 that sends raw messages and collects what arrives."""

    def __init__(self, port=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port or 0))
        self.port = self.sock.getsockname()[1]

    def send(self, data, port, host="127.0.0.1"):
        if isinstance(data, str):
            data = crlf(data)
        self.sock.sendto(data, (host, port))

    def recv(self, timeout=2.0):
        """One datagram as text, or None after `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            data, addr = self.sock.recvfrom(70000)
            self.last_from = addr
            return data.decode(errors="replace")
        except socket.timeout:
            return None

    def recv_all(self, timeout=0.5):
        out = []
        while True:
            m = self.recv(timeout)
            if m is None:
                return out
            out.append(m)

    def close(self):
        self.sock.close()


class RecordingPeer(Peer):
    """A Peer whose reader thread timestamps every datagram on arrival, so a
    test can watch several peers at once, or take a burst bigger than a
    socket buffer."""

    def __init__(self, port=None):
        super().__init__(port)
        self.log = []      # (monotonic time of arrival, text)
        self.cond = threading.Condition()
        self.stopping = False
        self.sock.settimeout(0.05)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while not self.stopping:
            try:
                data, addr = self.sock.recvfrom(70000)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.cond:
                self.log.append((time.monotonic(), data.decode(errors="replace")))
                self.cond.notify_all()

    def messages(self, pred=lambda m: True):
        with self.cond:
            return [(t, m) for (t, m) in self.log if pred(m)]

    def close(self):
        self.stopping = True
        self.reader.join()
        self.sock.close()


def tcp_exchange(port, data, expect=1, timeout=3.0):
    """Sends `data` on a new TCP connection and reads `expect` messages."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if isinstance(data, str):
        data = crlf(data)
    s.sendall(data)
    buf = b""
    msgs = []
    deadline = time.time() + timeout
    while len(msgs) < expect and time.time() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
        while b"\r\n\r\n" in buf:
            head, _, rest = buf.partition(b"\r\n\r\n")
            m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
            n = int(m.group(1)) if m else 0
            if len(rest) < n:
                break
            msgs.append((head + b"\r\n\r\n" + rest[:n]).decode(errors="replace"))
            buf = rest[n:]
    s.close()
    return msgs


def header(msg, name):
    """Values of every header `name` (case-insensitive) in a message text."""
    out = []
    for line in msg.split("\r\n")[1:]:
        if not line:
            break
        k, _, v = line.partition(":")
        if k.strip().lower() == name.lower():
            out.append(v.strip())
    return out


def status(msg):
    first = msg.split("\r\n", 1)[0]
    parts = first.split(" ", 2)
    return int(parts[1]) if parts[0].startswith("SIP/") else None


def run_sipp(args, timeout=60):
    """Runs sipp to completion (bounded by -m and timeout). Returns (rc, output)."""
    cmd = [SIPP, "-nostdin", "-timeout", "%ds" % max(5, timeout - 5), "-timeout_error"] + list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace")


def start_sipp(args, timeout=10.0):
    """Starts a sipp in the background; with -p, returns once its port is
    bound (UDP, or TCP with -t t1) (a sipp that could not bind it exits: that raises, with its
    output, instead of a test failing later on a callee that never answers)."""
    cmd = [SIPP, "-nostdin"] + list(args)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if "-p" not in args:
        return p
    port = int(args[list(args).index("-p") + 1])
    deadline = time.time() + timeout
    while time.time() < deadline:
        if p.poll() is not None:
            raise RuntimeError("sipp exited at start (%s):\n%s" % (p.returncode, p.stdout.read().decode(errors="replace")))
        bound = subprocess.run(["ss", "-Hutlnp", "sport = :%d" % port], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL).stdout.decode()
        if "pid=%d," % p.pid in bound:
            return p
        time.sleep(0.05)
    stop_proc(p)
    raise RuntimeError("sipp did not bind port %d within %.0f s" % (port, timeout))


def stop_proc(p, timeout=5):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def fifo_command(fifo, command, lines=(), fifo_dir="/tmp/", timeout=5.0):
    """One request to ser's FIFO as serctl sends it; returns the reply text
    (None when none came within `timeout`)."""
    import select
    name = "ser_it_reply_%d_%d" % (os.getpid(), int(time.monotonic() * 1e6))
    path = os.path.join(fifo_dir, name)
    os.mkfifo(path, 0o600)
    try:
        rfd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            req = ":%s:%s\n" % (command, name) + "".join(l + "\n" for l in lines) + "\n"
            wfd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            try:
                os.write(wfd, req.encode())
            finally:
                os.close(wfd)
            out, deadline, got = b"", time.monotonic() + timeout, False
            while time.monotonic() < deadline:
                r, _, _ = select.select([rfd], [], [], max(0.0, deadline - time.monotonic()))
                if not r:
                    break
                chunk = os.read(rfd, 65536)
                if chunk:
                    out += chunk
                    got = True
                elif got:
                    return out.decode(errors="replace")
                else:
                    time.sleep(0.01)   # no writer yet
            return out.decode(errors="replace") if got else None
        finally:
            os.close(rfd)
    finally:
        os.unlink(path)


def module_path(name):
    return os.path.join(BUILD_DIR, "modules", name, name + ".so")


def main():
    unittest.main(verbosity=2)
