"""A scripted stand-in for an RTP proxy's control socket (rtpproxy protocol,
unix stream or UDP with cookies): records every command and answers V/VF
as a 2006 rtpproxy does, everything else with `answer(command)`. Used to
see exactly what nathelper sends; the media relay is tested with our real
rtpproxy."""

import os
import socket
import threading


class FakeRtpproxy:
    def __init__(self, path=None, udp_port=None, version="20040107", answer=None, cookie_override=None):
        self.commands = []
        self.version = version
        self.answer = answer or (lambda cmd: "0" if cmd[:1].upper() == "D" else "35000")
        self.cookie_override = cookie_override   # answer with this cookie instead of the right one
        self.silent = False                      # UDP: receive but never answer
        self.lock = threading.Lock()
        self.stopping = False
        self.path = path
        self.udp_port = udp_port
        self.sock = None

    # ---- lifecycle
    def start(self):
        self.stopping = False
        if self.path:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(self.path)
            self.sock.listen(16)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("127.0.0.1", self.udp_port or 0))
            self.udp_port = self.sock.getsockname()[1]
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._serve_unix if self.path else self._serve_udp, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.stopping = True
        self.thread.join(5)
        self.sock.close()
        if self.path:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- what was received
    def sent(self, skip_version=True):
        with self.lock:
            return [c for c in self.commands if not (skip_version and c.split(" ")[0].upper() in ("V", "VF"))]

    def clear(self):
        with self.lock:
            self.commands.clear()

    # ---- protocol
    def _reply(self, cmd):
        with self.lock:
            self.commands.append(cmd)
        word = cmd.split(" ")[0].upper() if cmd else ""
        if word == "V":
            return self.version
        if word == "VF":
            return "1"
        return self.answer(cmd)

    def _serve_unix(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                conn.settimeout(2)
                try:
                    cmd = conn.recv(8192).decode(errors="replace")
                    conn.sendall((self._reply(cmd) + "\n").encode())
                except OSError:
                    pass

    def _serve_udp(self):
        while not self.stopping:
            try:
                data, addr = self.sock.recvfrom(8192)
            except (socket.timeout, OSError):
                continue
            text = data.decode(errors="replace")
            cookie, _, cmd = text.partition(" ")
            with self.lock:
                self.commands.append("COOKIE " + cookie)
            reply = self._reply(cmd)
            if self.silent:
                continue
            out = (self.cookie_override or cookie) + " " + reply + "\n"
            try:
                self.sock.sendto(out.encode(), addr)
            except OSError:
                pass
