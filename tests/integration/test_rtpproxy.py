"""The rtpproxy media relay as a real daemon (spec rtpproxy-protocol):
control over its unix socket and UDP, Python sockets as the phones on
127.0.0.1, a private port range. Checks the reply formats, relaying in
both directions from the right ports, latching (NAT), asymmetric peers,
RTCP on port + 1, delete, timeout, incomplete sessions, garbage on the
control sockets, the UDP cookie, the I listing, SIGTERM and daemon mode.

Environment: RTPPROXY_BIN (set by meson)."""

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from sertest import BUILD_DIR, free_port  # noqa: E402

RTPPROXY_BIN = os.environ.get("RTPPROXY_BIN", os.path.join(BUILD_DIR, "rtpproxy", "rtpproxy"))
RANGE = 40   # ports per daemon


def free_block(count):
    """An even first port of `count` consecutive UDP ports free right now."""
    rng = random.Random(os.getpid())
    for _ in range(300):
        base = rng.randrange(20000, 60000) & ~1
        socks = []
        try:
            for p in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port block")


def rtp_packet(seq, payload_len=160, marker=b"x"):
    """A 20 ms G.711 packet: 12-byte RTP header + 160 bytes (172 in all)."""
    header = bytes([0x80, 0x00]) + seq.to_bytes(2, "big") + (seq * 160).to_bytes(4, "big") + b"\x11\x22\x33\x44"
    return header + (marker * payload_len)[:payload_len]


class Phone:
    """One media socket of a phone (RTP, or RTCP), bound on 127.0.0.1."""

    def __init__(self, port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]

    def send(self, data, port):
        self.sock.sendto(data, ("127.0.0.1", port))

    def recv(self, timeout=1.0):
        """(data, (host, port)) or None."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recvfrom(65536)
        except socket.timeout:
            return None

    def drain(self):
        while self.recv(0.05):
            pass

    def close(self):
        self.sock.close()


def phone_pair():
    """An RTP socket on an even port and its RTCP socket on port + 1."""
    for _ in range(100):
        base = free_block(2)
        try:
            rtp = Phone(base)
        except OSError:
            continue
        try:
            return rtp, Phone(base + 1)
        except OSError:
            rtp.close()
    raise RuntimeError("no free port pair for a phone")


class RtpProxy:
    """A running rtpproxy in the foreground with a private socket dir."""

    def __init__(self, extra=(), foreground=True):
        self.dir = tempfile.mkdtemp(prefix="rtpp-it-")
        self.sock_path = os.path.join(self.dir, "rtpproxy.sock")
        self.udp_port = free_port(also_tcp=False)
        self.port_min = free_block(RANGE)
        self.port_max = self.port_min + RANGE - 1
        self.log_path = os.path.join(self.dir, "rtpproxy.log")
        self.args = [RTPPROXY_BIN, "-l", "127.0.0.1", "-s", "unix:" + self.sock_path,
                     "-s", "udp:127.0.0.1:%d" % self.udp_port,
                     "-m", str(self.port_min), "-M", str(self.port_max), "-d", "INFO"] + list(extra)
        if foreground:
            self.args.insert(1, "-f")
        self.proc = None

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        rc = self.stop()
        output = self.output()
        shutil.rmtree(self.dir, ignore_errors=True)
        # SIGTERM ends it with 0; under the sanitizers a report or a leak
        # makes it non-zero. (A daemonised run's parent exits 0 by itself.)
        if exc_type is None and rc != 0:
            raise AssertionError("rtpproxy exited with %s:\n%s" % (rc, output[-5000:]))

    def wait_ready(self, timeout=5.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None and "-f" in self.args:
                raise AssertionError("rtpproxy exited with %s:\n%s" % (self.proc.returncode, self.output()))
            try:
                if self.cmd("V") == "20040107\n":
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("rtpproxy did not answer V:\n" + self.output())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()
            self.log = None
        return self.proc.returncode if self.proc else None

    def output(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def cmd(self, text, timeout=3.0):
        """One command over the unix socket: connect, one write, read to EOF."""
        data = text.encode() if isinstance(text, str) else text
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.sock_path)
            s.sendall(data)
            chunks = []
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
            return b"".join(chunks).decode(errors="replace")
        finally:
            s.close()

    def udp(self, data, timeout=2.0):
        """One datagram to the UDP control socket; the reply text or None."""
        if isinstance(data, str):
            data = data.encode()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        try:
            s.sendto(data, ("127.0.0.1", self.udp_port))
            return s.recv(65536).decode(errors="replace")
        except socket.timeout:
            return None
        finally:
            s.close()


def port_of(reply):
    return int(reply.split()[0])


class RelayTest(unittest.TestCase):
    """One daemon for the tests that do not need special options."""

    @classmethod
    def setUpClass(cls):
        cls.rp = RtpProxy()
        cls.rp.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.rp.__exit__(None, None, None)

    def setUp(self):
        self.phones = []
        self.call = "call-%s-%d@it" % (self._testMethodName, random.randrange(1 << 30))

    def tearDown(self):
        for p in self.phones:
            p.close()
        self.assertIsNone(self.rp.proc.poll(), "rtpproxy died:\n" + self.rp.output())

    def phone(self, port=0):
        p = Phone(port)
        self.phones.append(p)
        return p

    def in_range(self, port):
        self.assertTrue(self.rp.port_min <= port <= self.rp.port_max - 1, port)
        self.assertEqual(port % 2, 0)

    def setup_call(self, caller, callee, u_mods="", from_tag="ft;1", to_tag="tt"):
        """U for the caller's offer, L for the callee's answer; returns
        (port the callee sends to, port the caller sends to)."""
        u = self.rp.cmd("U%s %s 127.0.0.1 %d %s" % (u_mods, self.call, caller.port, from_tag))
        l = self.rp.cmd("L %s 127.0.0.1 %d %s %s" % (self.call, callee.port, from_tag, to_tag))
        return port_of(u), port_of(l)

    def test_version_and_capabilities(self):
        self.assertEqual(self.rp.cmd("V"), "20040107\n")
        self.assertEqual(self.rp.cmd("VF 20050322"), "1\n")
        self.assertEqual(self.rp.cmd("VF 20991231"), "0\n")
        self.assertEqual(self.rp.udp("4711_0 V"), "4711_0 20040107\n")
        self.assertEqual(self.rp.udp("4711_1 VF 20050322"), "4711_1 1\n")

    def test_update_then_lookup_reply_ports_and_address(self):
        u = self.rp.cmd("U %s 203.0.113.5 49170 1928301774;1" % self.call)
        self.assertRegex(u, r"^\d+ 127\.0\.0\.1\n$")
        l = self.rp.cmd("L %s 198.51.100.20 3456 1928301774;1 a6c85cf" % self.call)
        self.assertRegex(l, r"^\d+ 127\.0\.0\.1\n$")
        self.in_range(port_of(u))
        self.in_range(port_of(l))
        self.assertNotEqual(port_of(u), port_of(l))
        # A retransmitted offer gets the same port; so does the answer.
        self.assertEqual(self.rp.cmd("U %s 203.0.113.5 49170 1928301774;1" % self.call), u)
        self.assertEqual(self.rp.cmd("L %s 198.51.100.20 3456 1928301774;1 a6c85cf" % self.call), l)
        # L for a call nobody offered: port 0, not an error code.
        self.assertEqual(self.rp.cmd("L nosuchcall 198.51.100.20 3456 a b"), "0 127.0.0.1\n")
        self.assertEqual(self.rp.cmd("D %s 1928301774 a6c85cf" % self.call), "0\n")

    def test_relays_both_ways_from_the_right_ports(self):
        caller, callee = self.phone(), self.phone()
        to_callee_port, to_caller_port = self.setup_call(caller, callee)
        # The caller sends to the port in the answer it got; the callee
        # receives it from the port it itself sends to.
        for seq in range(5):
            caller.send(rtp_packet(seq, marker=b"a"), to_caller_port)
            got = callee.recv()
            self.assertIsNotNone(got, "caller -> callee not relayed")
            self.assertEqual(got[0], rtp_packet(seq, marker=b"a"))
            self.assertEqual(got[1], ("127.0.0.1", to_callee_port))
            callee.send(rtp_packet(seq, marker=b"b"), to_callee_port)
            got = caller.recv()
            self.assertIsNotNone(got, "callee -> caller not relayed")
            self.assertEqual(got[0], rtp_packet(seq, marker=b"b"))
            self.assertEqual(got[1], ("127.0.0.1", to_caller_port))
        self.rp.cmd("D %s ft tt" % self.call)

    def test_latches_to_the_real_source_port(self):
        # The offer announces one port, the phone's NAT sends from another.
        announced, real = self.phone(), self.phone()
        callee = self.phone()
        to_callee_port, to_caller_port = self.setup_call(announced, callee)
        real.send(rtp_packet(1), to_caller_port)
        self.assertIsNotNone(callee.recv(), "first packet from the NATed port not relayed")
        callee.send(rtp_packet(2), to_callee_port)
        got = real.recv()
        self.assertIsNotNone(got, "reply did not go to the latched port")
        self.assertEqual(got[1], ("127.0.0.1", to_caller_port))
        self.assertIsNone(announced.recv(0.3), "reply went to the announced port")
        # One re-latch only: a third port of the same host is refused now.
        intruder = self.phone()
        intruder.send(rtp_packet(3), to_caller_port)
        self.assertIsNone(callee.recv(0.3), "packet from a second source relayed")
        callee.send(rtp_packet(4), to_callee_port)
        self.assertIsNotNone(real.recv(), "latched peer lost after an intruder")
        self.rp.cmd("D %s ft" % self.call)

    def test_latches_when_nothing_was_announced(self):
        caller, callee = self.phone(), self.phone()
        u = self.rp.cmd("U %s 0.0.0.0 %d ft" % (self.call, caller.port))   # hold: nothing pre-filled
        l = self.rp.cmd("L %s 127.0.0.1 %d ft tt" % (self.call, callee.port))
        callee.send(rtp_packet(1), port_of(u))     # caller unknown yet: dropped
        self.assertIsNone(caller.recv(0.3))
        caller.send(rtp_packet(2), port_of(l))     # latches the caller
        self.assertIsNotNone(callee.recv())
        callee.send(rtp_packet(3), port_of(u))
        self.assertIsNotNone(caller.recv())
        self.rp.cmd("D %s ft" % self.call)

    def test_asymmetric_party_is_not_latched(self):
        announced, sender = self.phone(), self.phone()
        callee = self.phone()
        to_callee_port, to_caller_port = self.setup_call(announced, callee, u_mods="a")
        # Accepted from any port of the announced host...
        sender.send(rtp_packet(1), to_caller_port)
        self.assertIsNotNone(callee.recv(), "asymmetric party's packet refused")
        # ...but media for it always goes to the announced address.
        callee.send(rtp_packet(2), to_callee_port)
        got = announced.recv()
        self.assertIsNotNone(got, "not sent to the announced address")
        self.assertEqual(got[1], ("127.0.0.1", to_caller_port))
        self.assertIsNone(sender.recv(0.3), "asymmetric party was latched")
        self.rp.cmd("D %s ft" % self.call)

    def test_rtcp_on_port_plus_one(self):
        caller_rtp, caller_rtcp = phone_pair()
        callee_rtp, callee_rtcp = phone_pair()
        self.phones += [caller_rtp, caller_rtcp, callee_rtp, callee_rtcp]
        to_callee_port, to_caller_port = self.setup_call(caller_rtp, callee_rtp)
        caller_rtcp.send(b"\x81\xc8rtcp-sr-from-caller", to_caller_port + 1)
        got = callee_rtcp.recv()
        self.assertIsNotNone(got, "RTCP caller -> callee not relayed")
        self.assertEqual(got[0], b"\x81\xc8rtcp-sr-from-caller")
        self.assertEqual(got[1], ("127.0.0.1", to_callee_port + 1))
        callee_rtcp.send(b"\x81\xc9rtcp-rr-from-callee", to_callee_port + 1)
        got = caller_rtcp.recv()
        self.assertIsNotNone(got, "RTCP callee -> caller not relayed")
        self.assertEqual(got[1], ("127.0.0.1", to_caller_port + 1))
        # RTP still goes to the RTP sockets only.
        caller_rtp.send(rtp_packet(1), to_caller_port)
        self.assertIsNotNone(callee_rtp.recv())
        self.assertIsNone(callee_rtcp.recv(0.2))
        self.rp.cmd("D %s ft" % self.call)

    def test_delete_stops_relaying_and_second_delete_is_e8(self):
        caller, callee = self.phone(), self.phone()
        to_callee_port, to_caller_port = self.setup_call(caller, callee)
        caller.send(rtp_packet(1), to_caller_port)
        self.assertIsNotNone(callee.recv())
        self.assertEqual(self.rp.cmd("D %s ft tt" % self.call), "0\n")
        caller.send(rtp_packet(2), to_caller_port)
        self.assertIsNone(callee.recv(0.5), "relayed after D")
        self.assertEqual(self.rp.cmd("D %s ft tt" % self.call), "E8\n")
        self.assertIn("RTP stats: 0 in from callee, 1 in from caller, 1 relayed, 0 dropped", self.rp.output())

    def test_incomplete_session_ignores_packets(self):
        caller, callee = self.phone(), self.phone()
        u = self.rp.cmd("U %s 127.0.0.1 %d ft" % (self.call, caller.port))
        # Early media before any L: the callee's packets are not relayed.
        callee.send(rtp_packet(1), port_of(u))
        self.assertIsNone(caller.recv(0.5), "relayed on an incomplete session")
        l = self.rp.cmd("L %s 127.0.0.1 %d ft tt" % (self.call, callee.port))
        callee.send(rtp_packet(2), port_of(u))
        got = caller.recv()
        self.assertIsNotNone(got, "not relayed after L")
        self.assertEqual(got[1], ("127.0.0.1", port_of(l)))
        self.rp.cmd("D %s ft" % self.call)

    def test_udp_cookie_rules(self):
        u = self.rp.udp("23017_5 U %s 127.0.0.1 40000 ft;1" % self.call)
        self.assertRegex(u, r"^23017_5 \d+ 127\.0\.0\.1\n$")
        l = self.rp.udp("23017_6 L %s 127.0.0.1 40002 ft;1 tt" % self.call)
        self.assertRegex(l, r"^23017_6 \d+ 127\.0\.0\.1\n$")
        self.assertEqual(self.rp.udp("23017_7 D %s ft tt" % self.call), "23017_7\n")
        self.assertEqual(self.rp.udp("23017_8 D %s ft tt" % self.call), "23017_8 E8\n")
        self.assertEqual(self.rp.udp("23017_9 L nosuch 127.0.0.1 4 a b"), "23017_9 0 127.0.0.1\n")
        self.assertEqual(self.rp.udp("23017_10 K"), "23017_10 E3\n")
        self.assertEqual(self.rp.udp("23017_11"), "23017_11 E0\n")

    def test_garbage_and_truncated_commands_get_error_codes(self):
        cases = {
            "U": "E4\n", "U %s" % self.call: "E4\n", "U %s 127.0.0.1 4000" % self.call: "E4\n",
            "L %s 127.0.0.1" % self.call: "E4\n", "D %s" % self.call: "E1\n", "D": "E1\n",
            "V x": "E2\n", "VF": "E2\n", "hello": "E3\n", "#!/bin/sh": "E3\n",
            "Uiee %s 127.0.0.1 4000 ft" % self.call: "E1\n", "\r\n\t ": "E0\n",
            "P %s x 0" % self.call: "E4\n", "P nosuch x 0 ft": "E8\n", "R nosuch ft": "E8\n", "S nosuch ft": "E8\n",
        }
        for text, expect in cases.items():
            self.assertEqual(self.rp.cmd(text), expect, text)
            self.assertEqual(self.rp.udp("g1 " + text), "g1 " + expect, text)
        rng = random.Random(7)
        for _ in range(50):
            junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
            reply = self.rp.cmd(junk)
            self.assertTrue(reply == "" or reply.startswith("E") or reply[0].isdigit() or "sessions" in reply,
                            (junk, reply))
            self.rp.udp(junk, timeout=0.2)
        # Oversized: refused as a whole (E0), the cookie still answered.
        self.assertEqual(self.rp.cmd("U " + "x" * 20000), "E0\n")
        self.assertEqual(self.rp.udp("big1 U " + "y" * 20000), "big1 E0\n")
        self.assertEqual(self.rp.udp("big2 V" + " " * 9000), "big2 E0\n")
        self.assertEqual(self.rp.cmd("V"), "20040107\n")
        self.assertEqual(self.rp.udp("after V"), "after 20040107\n")

    def test_connection_that_sends_nothing_does_not_block(self):
        idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        idle.connect(self.rp.sock_path)
        try:
            self.assertEqual(self.rp.cmd("V", timeout=2.0), "20040107\n")
            self.assertEqual(self.rp.udp("k V"), "k 20040107\n")
        finally:
            idle.close()

    def test_info_lists_sessions_and_statistics(self):
        caller, callee = self.phone(), self.phone()
        to_callee_port, to_caller_port = self.setup_call(caller, callee, from_tag="ift;1", to_tag="itt")
        for seq in range(3):
            caller.send(rtp_packet(seq), to_caller_port)
            self.assertIsNotNone(callee.recv())
        callee.send(rtp_packet(9), to_callee_port)
        self.assertIsNotNone(caller.recv())
        info = self.rp.cmd("I")
        self.assertTrue(info.startswith("sessions created: "), info)
        self.assertIn("\nactive sessions:\n", info)
        line = "\t%s/ift;1: caller = 127.0.0.1:%d/127.0.0.1:%d, callee = 127.0.0.1:%d/127.0.0.1:%d, " \
               "stats = 1/3/4/0, ttl = " % (self.call, to_caller_port, caller.port, to_callee_port, callee.port)
        self.assertIn(line, info)
        self.assertIn("\tC %s/ift;1: caller = 127.0.0.1:%d/" % (self.call, to_caller_port + 1), info)
        q = self.rp.cmd("Q %s ift itt" % self.call)
        self.assertRegex(q, r"^\d+ 3 1 4 0\n$")
        self.rp.cmd("D %s ift" % self.call)
        self.assertNotIn(self.call, self.rp.cmd("I"))


class LifecycleTest(unittest.TestCase):
    """Daemons of their own: timeout, signals, daemon mode."""

    def test_idle_session_times_out(self):
        with RtpProxy(["-T", "2"]) as rp:
            caller, callee = Phone(), Phone()
            try:
                call = "timeout-%d" % random.randrange(1 << 30)
                u = port_of(rp.cmd("U %s 127.0.0.1 %d ft" % (call, caller.port)))
                l = port_of(rp.cmd("L %s 127.0.0.1 %d ft tt" % (call, callee.port)))
                busy = "busy-%d" % random.randrange(1 << 30)
                bu = port_of(rp.cmd("U %s 127.0.0.1 %d bft" % (busy, callee.port)))
                bl = port_of(rp.cmd("L %s 127.0.0.1 %d bft btt" % (busy, caller.port)))
                # Keep `busy` alive with packets every 0.5 s for 5 s (> ttl).
                deadline = time.time() + 5
                seq = 0
                while time.time() < deadline:
                    callee.send(rtp_packet(seq), bl)
                    seq += 1
                    time.sleep(0.5)
                info = rp.cmd("I")
                self.assertNotIn(call, info, "idle session still listed")
                self.assertIn(busy, info, "active session timed out")
                self.assertIn("session timeout", rp.output())
                caller.drain()
                caller.send(rtp_packet(1), l)
                self.assertIsNone(callee.recv(0.3), "relayed after the timeout")
                self.assertEqual(rp.cmd("D %s ft" % call), "E8\n")
                self.assertEqual(rp.cmd("D %s bft" % busy), "0\n")
                del u, bu
            finally:
                caller.close()
                callee.close()

    def test_sigterm_removes_socket_and_pid_file(self):
        rp = RtpProxy()
        pid_file = os.path.join(rp.dir, "rtpproxy.pid")
        rp.args += ["-p", pid_file]
        with rp:
            self.assertTrue(os.path.exists(rp.sock_path))
            with open(pid_file) as f:
                self.assertEqual(int(f.read()), rp.proc.pid)
            rp.cmd("U sig-call 127.0.0.1 4000 ft")
            rp.proc.send_signal(signal.SIGTERM)
            self.assertEqual(rp.proc.wait(5), 0)
            self.assertFalse(os.path.exists(rp.sock_path), "control socket left behind")
            self.assertFalse(os.path.exists(pid_file), "pid file left behind")
            self.assertIn("session on ports", rp.output())   # statistics logged at shutdown

    def test_sigint_ends_it_too(self):
        with RtpProxy() as rp:
            rp.proc.send_signal(signal.SIGINT)
            self.assertEqual(rp.proc.wait(5), 0)
            self.assertFalse(os.path.exists(rp.sock_path))

    def test_runs_as_root_without_F(self):
        with RtpProxy() as rp:
            self.assertEqual(rp.cmd("V"), "20040107\n")
            if os.getuid() == 0:
                self.assertIn("running as root", rp.output())

    def test_daemon_mode_writes_pid_file(self):
        rp = RtpProxy(foreground=False)
        pid_file = os.path.join(rp.dir, "rtpproxy.pid")
        rp.args += ["-p", pid_file]
        daemon_pid = None
        try:
            with rp:
                self.assertEqual(rp.proc.wait(5), 0)   # the parent returns at once
                deadline = time.time() + 5
                while not os.path.exists(pid_file) and time.time() < deadline:
                    time.sleep(0.05)
                with open(pid_file) as f:
                    daemon_pid = int(f.read())
                self.assertNotEqual(daemon_pid, rp.proc.pid)
                self.assertEqual(rp.cmd("V"), "20040107\n")
                os.kill(daemon_pid, signal.SIGTERM)
                deadline = time.time() + 5
                while os.path.exists(rp.sock_path) and time.time() < deadline:
                    time.sleep(0.05)
                self.assertFalse(os.path.exists(rp.sock_path))
                self.assertFalse(os.path.exists(pid_file))
                daemon_pid = None
        finally:
            if daemon_pid is not None:
                try:
                    os.kill(daemon_pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def test_duplicate_small_packets_with_2(self):
        with RtpProxy(["-2"]) as rp:
            caller, callee = Phone(), Phone()
            try:
                u = port_of(rp.cmd("U dup 127.0.0.1 %d ft" % caller.port))
                l = port_of(rp.cmd("L dup 127.0.0.1 %d ft tt" % callee.port))
                caller.send(b"\x80" * 40, l)       # under 128 bytes: twice
                self.assertIsNotNone(callee.recv())
                self.assertIsNotNone(callee.recv(), "small packet not duplicated")
                caller.send(rtp_packet(1), l)       # 172 bytes: once
                self.assertIsNotNone(callee.recv())
                self.assertIsNone(callee.recv(0.3), "large packet duplicated")
                del u
            finally:
                caller.close()
                callee.close()

    def test_bridge_mode_relays_between_the_two_addresses(self):
        rp = RtpProxy()
        rp.args[rp.args.index("-l") + 1] = "127.0.0.1/127.0.0.2"
        with rp:
            caller, callee = Phone(), Phone()
            try:
                # "ie": the caller faces the first address, the callee the second.
                u = rp.cmd("Uie bridge 127.0.0.1 %d ft" % caller.port)
                self.assertRegex(u, r"^\d+ 127\.0\.0\.2\n$")
                l = rp.cmd("L bridge 127.0.0.1 %d ft tt" % callee.port)
                self.assertRegex(l, r"^\d+ 127\.0\.0\.1\n$")
                caller.sock.sendto(rtp_packet(1), ("127.0.0.1", port_of(l)))
                got = callee.recv()
                self.assertIsNotNone(got, "not relayed across the bridge")
                self.assertEqual(got[1], ("127.0.0.2", port_of(u)))
                callee.sock.sendto(rtp_packet(2), ("127.0.0.2", port_of(u)))
                got = caller.recv()
                self.assertIsNotNone(got)
                self.assertEqual(got[1], ("127.0.0.1", port_of(l)))
            finally:
                caller.close()
                callee.close()

    def test_play_sends_the_prompt_instead_of_the_media(self):
        with RtpProxy() as rp:
            caller, callee = Phone(), Phone()
            prompt = os.path.join(rp.dir, "hold")
            with open(prompt + ".8", "wb") as f:
                f.write(b"\xd5" * 160 * 5)      # 100 ms of PCMA
            try:
                u = port_of(rp.cmd("U moh 127.0.0.1 %d ft" % caller.port))
                l = port_of(rp.cmd("L moh 127.0.0.1 %d ft tt" % callee.port))
                self.assertEqual(rp.cmd("P moh %s 0,8 ft tt" % prompt), "0\n")   # towards the caller
                got = [caller.recv() for _ in range(5)]
                self.assertTrue(all(got), "prompt packets missing")
                for data, src in got:
                    self.assertEqual(len(data), 172)
                    self.assertEqual(data[1] & 0x7f, 8)
                    self.assertEqual(src, ("127.0.0.1", l))
                seqs = [int.from_bytes(d[2:4], "big") for d, _ in got]
                self.assertEqual([(x - seqs[0]) & 0xffff for x in seqs], [0, 1, 2, 3, 4])
                self.assertIsNone(caller.recv(0.3), "played more than once")
                self.assertEqual(rp.cmd("S moh ft tt"), "0\n")
                self.assertEqual(rp.cmd("P moh %s/none 0 ft tt" % rp.dir), "E6\n")
                del u
            finally:
                caller.close()
                callee.close()

    def test_bad_command_line_exits_nonzero(self):
        for args in (["-q"], ["-s", "udp:127.0.0.1:1"], ["-l", "127.0.0.1/"], ["-T", "nope"]):
            p = subprocess.run([RTPPROXY_BIN, "-f"] + args, capture_output=True, timeout=5)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn(b"rtpproxy:", p.stderr)
        v = subprocess.run([RTPPROXY_BIN, "-v"], capture_output=True, timeout=5)
        self.assertEqual(v.returncode, 0)
        self.assertTrue(v.stdout.startswith(b"Basic version: 20040107\n"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
