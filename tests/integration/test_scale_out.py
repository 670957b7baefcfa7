"""Scale-out with real processes on loopback addresses:
  * two ser instances (A on 127.0.0.11, B on 127.0.0.12) on one private
    MariaDB server: with usrloc db_mode 3 a phone registered through A is
    found by B, an unregistration through B is seen by A, calls between
    phones registered on different instances complete through either one,
    and B killed with SIGKILL leaves A routing while B restarted routes to
    every registration in the table; with db_mode 1 an instance sees the
    other's registrations only after a restart (its preload, modules.md §6.4);
  * one ser with two of our rtpproxy daemons (127.0.0.21 weight 2,
    127.0.0.22 weight 1) in nathelper's rtpproxy_sock: calls are spread by
    weight (modules.md §12.8), media flows through each, and when one daemon
    dies every new call goes to the other.
Registrations are auth-less (digest is covered by test_registrar); the
phones are raw UDP sockets on 127.0.0.1."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa
from media_call import Call

RTPPROXY_BIN = os.environ.get("RTPPROXY_BIN", os.path.join(BUILD_DIR, "rtpproxy", "rtpproxy"))
SER_DB = os.path.join(SOURCE_DIR, "tools", "ser-db")
DOMAIN = "example.com"
ADDR_A, ADDR_B = "127.0.0.11", "127.0.0.12"

REGISTRAR_CFG = r'''
debug=3
listen=udp:@ADDR@:@PORT@
children=2
alias="example.com"
loadmodule "mysql.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "db_url", "@DBURL@")
modparam("usrloc", "db_mode", @DBMODE@)
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
    if (!save("location")) {
      sl_reply_error();
    };
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


class Ua:
    """A phone on 127.0.0.1: REGISTERs through a proxy, calls and answers."""

    def __init__(self, user):
        self.user = user
        self.peer = Peer()
        self.contact = "sip:%s@127.0.0.1:%d" % (user, self.peer.port)
        self.cseq = 0

    def close(self):
        self.peer.close()

    def send(self, text, proxy):
        self.peer.sock.sendto(text.encode(), proxy)

    def final(self, timeout=3.0):
        """The next final reply (provisionals skipped), or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.peer.recv(max(0.05, deadline - time.time()))
            if m is not None and (status(m) or 0) >= 200:
                return m
        return None

    def register(self, proxy, expires=600):
        self.cseq += 1
        text = ("REGISTER sip:%s SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-reg-%s-%d\r\n"
                "Max-Forwards: 70\r\nFrom: <sip:%s@%s>;tag=r%s\r\nTo: <sip:%s@%s>\r\n"
                "Call-ID: reg-%s-%d\r\nCSeq: %d REGISTER\r\nContact: <%s>\r\nExpires: %d\r\n"
                "Content-Length: 0\r\n\r\n"
                % (DOMAIN, self.peer.port, self.user, self.cseq, self.user, DOMAIN, self.user, self.user, DOMAIN,
                   self.user, self.peer.port, self.cseq, self.contact, expires))
        self.send(text, proxy)
        return self.final()

    def next_request(self, method, timeout=3.0):
        """The next request of `method` relayed to this phone (others, e.g.
        retransmissions, skipped), or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.peer.recv(max(0.05, deadline - time.time()))
            if m is not None and m.startswith(method + " "):
                return m
        return None

    def answer(self, req, to_tag):
        """200 OK to `req`, sent back where it came from."""
        head = req.partition("\r\n\r\n")[0].split("\r\n")
        keep = [l for l in head if l.split(":")[0].lower() in ("via", "from", "call-id", "cseq", "record-route")]
        to = [l for l in head if l.lower().startswith("to:")][0]
        if ";tag=" not in to:
            to += ";tag=" + to_tag
        reply = "\r\n".join(["SIP/2.0 200 OK"] + keep + [to, "Contact: <%s>" % self.contact,
                                                          "Content-Length: 0"]) + "\r\n\r\n"
        self.peer.sock.sendto(reply.encode(), self.peer.last_from)


def in_dialog(method, ruri, caller, callid, cseq, to_tag, route, branch):
    lines = ["%s %s SIP/2.0" % (method, ruri),
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s" % (caller.peer.port, branch),
             "Max-Forwards: 70",
             "From: <sip:%s@%s>;tag=from-%s" % (caller.user, DOMAIN, callid),
             "To: <%s>%s" % (ruri, ";tag=" + to_tag if to_tag else ""),
             "Call-ID: " + callid, "CSeq: %d %s" % (cseq, method),
             "Contact: <%s>" % caller.contact]
    lines += ["Route: " + r for r in route]
    return "\r\n".join(lines + ["Content-Length: 0"]) + "\r\n\r\n"


def call(caller, callee, proxy, callid):
    """INVITE sip:<callee>@example.com through `proxy`, 200, ACK, BYE, 200.
    Returns None when the call completed, else what went wrong."""
    aor = "sip:%s@%s" % (callee.user, DOMAIN)
    caller.send(in_dialog("INVITE", aor, caller, callid, 1, None, [], callid + "-inv"), proxy)
    inv = callee.next_request("INVITE")
    if inv is None:
        return "the INVITE did not reach %s (caller got: %s)" % (callee.user, caller.final(0.5))
    if inv.split(" ")[1] != callee.contact:
        return "INVITE reached the callee with R-URI %s" % inv.split(" ")[1]
    callee.answer(inv, "tag-" + callid)
    ok = caller.final()
    if ok is None or status(ok) != 200:
        return "caller got %s instead of 200" % ok
    route = list(reversed(header(ok, "Record-Route")))
    if not route:
        return "no Record-Route in the 200: %s" % ok
    target = re.search(r"<([^>]+)>", header(ok, "Contact")[0]).group(1)
    to_tag = re.search(r";tag=([^;>\s]+)", header(ok, "To")[0]).group(1)
    caller.send(in_dialog("ACK", target, caller, callid, 1, to_tag, route, callid + "-ack"), proxy)
    if callee.next_request("ACK") is None:
        return "the ACK did not reach the callee"
    caller.send(in_dialog("BYE", target, caller, callid, 2, to_tag, route, callid + "-bye"), proxy)
    bye = callee.next_request("BYE")
    if bye is None:
        return "the BYE did not reach the callee"
    callee.answer(bye, to_tag)
    ok = caller.final()
    if ok is None or status(ok) != 200:
        return "BYE answered %s" % ok
    return None


def invite_status(caller, callee_user, proxy, callid):
    """The final status a proxy gives an INVITE to an AOR nobody answers."""
    caller.send(in_dialog("INVITE", "sip:%s@%s" % (callee_user, DOMAIN), caller, callid, 1, None, [],
                          callid + "-inv"), proxy)
    r = caller.final()
    return status(r) if r else None


class SharedLocationTable(unittest.TestCase):
    """Two ser instances on one MariaDB `location` table."""

    @classmethod
    def setUpClass(cls):
        from mariadb import MariaDB
        cls.db = MariaDB().__enter__()
        try:
            env = cls.db.ser_db_env()
            env["SIP_DOMAIN"] = DOMAIN
            subprocess.run([SER_DB, "create", "mysql", "ser"], env=env, check=True, timeout=60,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            cls.url = cls.db.url("ser", "heslo", "ser")
        except BaseException:
            cls.db.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.db.__exit__(None, None, None)

    def setUp(self):
        self.db.query("ser", "delete from location")
        self.sers, self.uas = [], []

    def tearDown(self):
        for u in self.uas:
            u.close()
        # A clean SIGTERM exit is 0 (non-zero under the sanitizers on a report or a leak).
        bad = [(s.addr, rc, s.output()[-3000:]) for s in self.sers
               for rc in [s.stop()] if not getattr(s, "killed", False) and rc != 0]
        self.assertEqual(bad, [])

    def ser(self, addr, mode, port=None):
        cfg = (REGISTRAR_CFG.replace("@ADDR@", addr).replace("@DBURL@", self.url)
               .replace("@DBMODE@", str(mode)))
        s = Ser(cfg, port=port)
        self.sers.append(s)
        s.__enter__()
        s.addr = (addr, s.port)
        return s

    def ua(self, user):
        u = Ua(user)
        self.uas.append(u)
        return u

    def logs(self, *sers):
        return "".join("\n--- ser %s:%d\n%s" % (s.addr + (s.output()[-2500:],)) for s in sers)

    def registered(self, ua, ser, expires=600):
        r = ua.register(ser.addr, expires)
        self.assertEqual(status(r) if r else None, 200, str(r) + self.logs(ser))
        return r

    def rows(self):
        return sorted(self.db.query("ser", "select username, contact from location"))

    def test_db_mode_3_instances_see_each_other(self):
        a, b = self.ser(ADDR_A, 3), self.ser(ADDR_B, 3)
        alice, bob = self.ua("alice"), self.ua("bob")
        self.registered(alice, a)
        self.registered(bob, b)
        self.assertEqual(self.rows(), [["alice", alice.contact], ["bob", bob.contact]])
        # Registered on A, found through B and the other way round; a call
        # between them completes through either instance.
        for via in (a, b):
            for caller, callee in ((bob, alice), (alice, bob)):
                callid = "m3-%s-%s-%d" % (caller.user, via.addr[0], os.getpid())
                self.assertIsNone(call(caller, callee, via.addr, callid), self.logs(a, b))
        # Unregistered through B: A no longer finds her.
        r = alice.register(b.addr, expires=0)
        self.assertEqual(status(r), 200, r)
        self.assertEqual(header(r, "Contact"), [], r)
        self.assertEqual(invite_status(bob, "alice", a.addr, "m3-gone-%d" % os.getpid()), 404, self.logs(a))
        self.assertEqual(self.rows(), [["bob", bob.contact]])

    def test_db_mode_1_other_instance_sees_registrations_after_restart(self):
        """db_mode 1 loads the table only at start (§6.4): a registration
        through A is in the table at once but not in B's memory until B
        restarts; B's unregistration is not seen by A either."""
        a, b = self.ser(ADDR_A, 1), self.ser(ADDR_B, 1)
        alice, bob = self.ua("alice"), self.ua("bob")
        self.registered(alice, a)
        self.assertEqual(self.rows(), [["alice", alice.contact]])
        self.assertEqual(invite_status(bob, "alice", b.addr, "m1-before-%d" % os.getpid()), 404, self.logs(b))
        port = b.port
        self.assertEqual(b.stop(), 0, b.output()[-3000:])
        b = self.ser(ADDR_B, 1, port=port)
        self.registered(bob, b)
        self.assertIsNone(call(bob, alice, b.addr, "m1-after-%d" % os.getpid()), self.logs(a, b))
        # B unregisters her; A's memory still has her binding.
        r = alice.register(b.addr, expires=0)
        self.assertEqual(header(r, "Contact"), [], r)
        self.assertEqual(invite_status(bob, "alice", b.addr, "m1-gone-b-%d" % os.getpid()), 404, self.logs(b))
        self.assertIsNone(call(bob, alice, a.addr, "m1-stale-a-%d" % os.getpid()), self.logs(a))

    def test_instance_killed_and_restarted(self):
        a, b = self.ser(ADDR_A, 3), self.ser(ADDR_B, 3)
        alice, bob, carol = self.ua("alice"), self.ua("bob"), self.ua("carol")
        self.registered(alice, a)
        self.registered(bob, b)
        b.proc.send_signal(signal.SIGKILL)
        b.proc.wait(5)
        b.killed = True
        port = b.port
        b.stop()
        # A keeps routing, also to the phone registered through B, and
        # takes new registrations.
        self.assertIsNone(call(alice, bob, a.addr, "kill-ab-%d" % os.getpid()), self.logs(a))
        self.assertIsNone(call(bob, alice, a.addr, "kill-ba-%d" % os.getpid()), self.logs(a))
        self.registered(carol, a)
        # B again, same address and port: every binding of the table is
        # reachable through it, including the one made while it was down.
        b = self.ser(ADDR_B, 3, port=port)
        for caller, callee in ((alice, bob), (bob, alice), (alice, carol)):
            callid = "restart-%s-%s-%d" % (caller.user, callee.user, os.getpid())
            self.assertIsNone(call(caller, callee, b.addr, callid), self.logs(a, b))


RELAY_CFG = r'''
debug=3
listen=udp:127.0.0.1:@PORT@
children=2
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "textops.so"
loadmodule "nathelper.so"
modparam("nathelper", "rtpproxy_sock", "@SOCK@")
modparam("nathelper", "rtpproxy_retr", 2)
route {
  if (method == "BYE") unforce_rtp_proxy();
  if (method == "INVITE") {
    force_rtp_proxy();
    t_on_reply("1");
  };
  t_relay();
}
onreply_route[1] {
  if (status =~ "2[0-9][0-9]" && !search("^Content-Length:[ ]*0")) force_rtp_proxy();
}
'''


class RelayNode:
    """Our rtpproxy in the foreground: media and control (UDP) on `addr`."""

    def __init__(self, addr, port_min):
        self.addr = addr
        self.ctl = free_port(also_tcp=False)
        self.proc = subprocess.Popen([RTPPROXY_BIN, "-f", "-l", addr, "-s", "udp:%s:%d" % (addr, self.ctl),
                                      "-m", str(port_min), "-M", str(port_min + 199), "-d", "WARN"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.n = 0
        deadline = time.time() + 5
        while self.command("V", 0.2) != "20040107":
            if time.time() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("rtpproxy on %s did not answer V" % addr)

    def command(self, text, timeout=2.0):
        """One command over UDP with a cookie; the reply without it, or None.
        (The I listing comes back without the cookie, rtpproxy-protocol §3.6.)"""
        self.n += 1
        cookie = "t%d" % self.n
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        try:
            s.sendto(("%s %s" % (cookie, text)).encode(), (self.addr, self.ctl))
            r = s.recv(65536).decode(errors="replace")
            return (r[len(cookie) + 1:] if r.startswith(cookie + " ") else r).strip()
        except OSError:
            return None
        finally:
            s.close()

    def sessions_created(self):
        info = self.command("I") or ""
        m = re.match(r"sessions created: (\d+)", info)
        if not m:
            raise AssertionError("unexpected I reply from %s: %r" % (self.addr, info))
        return int(m.group(1))

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def spec_choice(callid, weights):
    """modules.md §12.8: Call-ID byte sum mod 256, mod the total weight,
    walks the enabled proxies by weight; the index of the one chosen."""
    w = (sum(callid.encode()) & 0xff) % sum(weights)
    for i, weight in enumerate(weights):
        if w < weight:
            return i
        w -= weight


class WeightedRelays(unittest.TestCase):
    CALLS, AFTER_DEATH, PACKETS = 30, 10, 8

    def setUp(self):
        base = 20000 + (os.getpid() % 40) * 1000   # media ports away from other parallel tests
        self.nodes = []
        self.ser = None
        try:
            self.nodes.append(RelayNode("127.0.0.21", base))
            self.nodes.append(RelayNode("127.0.0.22", base + 400))
            sock = "udp:%s:%d=2 udp:%s:%d=1" % (self.nodes[0].addr, self.nodes[0].ctl,
                                                self.nodes[1].addr, self.nodes[1].ctl)
            self.ser = Ser(RELAY_CFG.replace("@SOCK@", sock)).__enter__()
        except BaseException:
            for n in self.nodes:   # tearDown does not run after a failed setUp
                n.stop()
            raise

    def tearDown(self):
        rcs = []
        try:
            if self.ser:
                rcs.append(("ser", self.ser.stop(), self.ser.output()[-3000:]))
        finally:
            for n in self.nodes:
                rc = n.stop()
                if not getattr(n, "killed", False):
                    rcs.append((n.addr, rc, ""))
        self.assertEqual([r for r in rcs if r[1] != 0], [])

    def media_call(self, callid):
        """One call with media both ways; returns the relay address its SDPs name."""
        c = Call(self.ser.port, callid=callid)
        try:
            req, final = c.invite()
            self.assertIsNotNone(final, callid + self.ser.output()[-3000:])
            self.assertEqual(status(final), 200, final)
            self.assertEqual(c.offer[0], c.answer[0], "offer and answer on different relays")
            to_caller, to_callee = c.media(self.PACKETS)
            self.assertGreaterEqual(min(to_caller, to_callee), self.PACKETS - 3,
                                    "%s via %s: %d/%d packets" % (callid, c.offer[0], to_caller, to_callee))
            self.assertEqual(status(c.bye()), 200)
            return c.offer[0]
        finally:
            c.close()

    def test_calls_spread_by_weight_and_survive_a_dead_node(self):
        addrs = [n.addr for n in self.nodes]
        used = {a: 0 for a in addrs}
        for i in range(self.CALLS):
            callid = "scale-out-%d" % i
            relay = self.media_call(callid)
            self.assertEqual(relay, addrs[spec_choice(callid, [2, 1])], callid)
            used[relay] += 1
        # Each daemon created as many sessions as calls went to it, about 2:1.
        self.assertEqual([n.sessions_created() for n in self.nodes], [used[a] for a in addrs])
        self.assertTrue(self.CALLS * 0.5 <= used[addrs[0]] <= self.CALLS * 0.8, used)
        # The weight-2 node dies: new calls all go to the survivor.
        self.nodes[0].stop(signal.SIGKILL)
        self.nodes[0].killed = True
        before = self.nodes[1].sessions_created()
        for i in range(self.AFTER_DEATH):
            self.assertEqual(self.media_call("after-death-%d" % i), addrs[1])
        self.assertEqual(self.nodes[1].sessions_created() - before, self.AFTER_DEATH)
        self.assertIn("disabled", self.ser.output())


if __name__ == "__main__":
    main()
