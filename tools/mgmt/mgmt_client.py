"""A client of ser's management interfaces as SER 0.9 defined them.

FIFO: the request `:<command>:<reply name>`, its argument lines and an empty
line go into the server's FIFO; the server answers into the FIFO of that
name in its fifo_dir, which the client makes first and reads until EOF.
Unix socket: one datagram `:<command>:` + argument lines; the answer comes
back as one datagram to the client's own bound socket.

Either way a reply is `<code> <reason>` and lines. Failures to reach the
server raise Unreachable (the server is not running, or nobody reads its
FIFO/socket, or it did not answer in time); failures of this client's own
reply FIFO/socket raise LocalError."""

import errno
import os
import secrets
import select
import socket
import stat
import time


class MgmtError(Exception):
    pass


class Unreachable(MgmtError):
    """The server is not running or does not answer."""


class LocalError(MgmtError):
    """The client's reply FIFO/socket could not be made."""


class Reply:
    def __init__(self, text):
        self.text = text
        first, _, self.body = text.partition("\n")
        code, _, self.reason = first.partition(" ")
        self.first = first
        self.code = int(code) if len(code) == 3 and code.isdigit() else None

    def ok(self):
        return self.code is not None and 200 <= self.code < 300

    def __repr__(self):
        return "Reply(%r)" % self.text


def _request_lines(command, lines):
    if not command or any(c in command for c in ":\r\n"):
        raise MgmtError("invalid command name '%s'" % command)
    for line in lines:
        if "\n" in line or "\r" in line:
            raise MgmtError("an argument contains a line break: %r" % line)
    return list(lines)


def _reply_name():
    # No '.', '/' or '\': ser refuses reply names that could leave fifo_dir.
    return "serctl_%d_%s" % (os.getpid(), secrets.token_hex(4))


class FifoClient:
    def __init__(self, fifo, reply_dir="/tmp", timeout=5.0):
        self.fifo, self.reply_dir, self.timeout = fifo, reply_dir, timeout

    def where(self):
        return "FIFO " + self.fifo

    def _open_server(self):
        try:
            st = os.stat(self.fifo)
        except FileNotFoundError:
            raise Unreachable("ser is not running: there is no FIFO %s (ser makes it with fifo=\"%s\" in its "
                              "config or -i %s)" % (self.fifo, self.fifo, self.fifo))
        except OSError as e:
            raise Unreachable("cannot reach the FIFO %s: %s" % (self.fifo, e.strerror))
        if not stat.S_ISFIFO(st.st_mode):
            raise Unreachable("%s is not a FIFO (set SER_FIFO to the path of ser's fifo=)" % self.fifo)
        try:
            fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:
            if e.errno == errno.ENXIO:
                raise Unreachable("nobody reads the FIFO %s: ser is not running (the FIFO is left over from "
                                  "an earlier run, or belongs to something else)" % self.fifo)
            raise Unreachable("cannot write to the FIFO %s: %s" % (self.fifo, e.strerror))
        return fd, st

    def call(self, command, lines=(), timeout=None):
        timeout = self.timeout if timeout is None else timeout
        lines = _request_lines(command, lines)
        wfd, st = self._open_server()
        name = _reply_name()
        path = os.path.join(self.reply_dir, name)
        rfd = -1
        try:
            try:
                os.mkfifo(path, 0o600)
                if st.st_uid != os.geteuid():
                    os.chmod(path, 0o622)   # a server running as another user must be able to answer
                rfd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            except OSError as e:
                raise LocalError("cannot make the reply FIFO %s: %s (set SER_FIFO_DIR to ser's fifo_dir)"
                                 % (path, e.strerror))
            request = (":%s:%s\n" % (command, name) + "".join(l + "\n" for l in lines) + "\n").encode()
            deadline = time.monotonic() + timeout
            self._write(wfd, request, deadline)
            os.close(wfd)
            wfd = -1
            return Reply(self._read(rfd, deadline, timeout, command))
        finally:
            if wfd >= 0:
                os.close(wfd)
            if rfd >= 0:
                os.close(rfd)
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def _write(self, fd, data, deadline):
        # One write when it fits in PIPE_BUF: atomic, never mixed with another client's.
        done = 0
        while done < len(data):
            try:
                done += os.write(fd, data[done:])
                continue
            except BlockingIOError:
                pass
            except BrokenPipeError:
                raise Unreachable("ser stopped reading the FIFO %s" % self.fifo)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise Unreachable("ser does not read the FIFO %s (its buffer is full)" % self.fifo)

    def _read(self, fd, deadline, timeout, command):
        out = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if out:
                    raise Unreachable("the reply to '%s' was cut off after %d bytes" % (command, len(out)))
                raise Unreachable("no reply to '%s' from ser within %g s (FIFO %s)" % (command, timeout, self.fifo))
            if not select.select([fd], [], [], left)[0]:
                continue
            chunk = os.read(fd, 65536)
            if chunk:
                out += chunk
            elif out:
                return out.decode(errors="replace")   # the server closed: the reply is complete
            else:
                time.sleep(0.01)   # no writer has opened the reply FIFO yet


class UnixSockClient:
    def __init__(self, sock, reply_dir="/tmp", timeout=5.0):
        self.sock, self.reply_dir, self.timeout = sock, reply_dir, timeout

    def where(self):
        return "socket " + self.sock

    def call(self, command, lines=(), timeout=None):
        timeout = self.timeout if timeout is None else timeout
        lines = _request_lines(command, lines)
        try:
            st = os.stat(self.sock)
        except FileNotFoundError:
            raise Unreachable("ser is not running: there is no socket %s (ser makes it with unix_sock=\"%s\" "
                              "in its config or -x %s)" % (self.sock, self.sock, self.sock))
        if not stat.S_ISSOCK(st.st_mode):
            raise Unreachable("%s is not a unix socket (set SER_UNIXSOCK to the path of ser's unix_sock=)"
                              % self.sock)
        path = os.path.join(self.reply_dir, _reply_name())
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            try:
                s.bind(path)
                if st.st_uid != os.geteuid():
                    os.chmod(path, 0o622)
            except OSError as e:
                raise LocalError("cannot bind the reply socket %s: %s" % (path, e.strerror))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            request = (":%s:\n" % command + "".join(l + "\n" for l in lines) + "\n").encode()
            try:
                s.sendto(request, self.sock)
            except ConnectionRefusedError:
                raise Unreachable("nobody reads the socket %s: ser is not running (the socket is left over "
                                  "from an earlier run)" % self.sock)
            except OSError as e:
                raise Unreachable("cannot send to the socket %s: %s" % (self.sock, e.strerror))
            s.settimeout(timeout)
            try:
                return Reply(s.recv(16 << 20).decode(errors="replace"))
            except socket.timeout:
                raise Unreachable("no reply to '%s' from ser within %g s (socket %s)" % (command, timeout, self.sock))
        finally:
            s.close()
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
