"""Stateful proxying through a running ser with tm (and rr) on real sockets:
full sipp calls loose-routed on the Record-Route set over UDP, TCP and TCP
to UDP (double Record-Route, r2=on); a failure_route that turns a 486 into
a call to a second callee; CANCEL before the answer; 408 after fr_timer /
fr_inv_timer with the CANCEL to a ringing callee and Timer A's INVITE
retransmissions; caller retransmissions absorbed; parallel forking with
the losing branch cancelled; sipp load with zero failed calls and ser's
memory after the wait timers: not growing from round to round, and back at
its baseline once ser has given the freed heap back."""

import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa

SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
# Everything is slower under AddressSanitizer: timing tolerances grow, the
# load shrinks.
ASAN = bool(os.environ.get("ASAN_OPTIONS"))
SLOW = 3.0 if ASAN else 1.0

HEAD = r'''
debug=3
listen=udp:127.0.0.1:@PORT@ tcp:127.0.0.1:@PORT@
children=2
tcp_children=2
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "maxfwd.so"
'''

RR_CFG = HEAD + r'''
loadmodule "rr.so"
route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    break;
  };
  if (method != "REGISTER") record_route();
  if (loose_route()) {
    t_relay();
    break;
  };
  t_relay();
}
'''

RELAY_CFG = HEAD + r'''
route {
  t_relay();
}
'''


# ---------------------------------------------------------------- helpers

def sipp_trace(path):
    """The messages of a sipp -trace_msg log: [(direction 'sent'/'received',
    transport, text with CRLF line ends)]."""
    try:
        with open(path, "rb") as f:
            data = f.read().decode(errors="replace")
    except OSError:
        return []
    out = []
    for block in re.split(r"(?m)^-{20,} \S+ \S+\r?\n", data):
        m = re.match(r"(\w+) message (sent|received) [\[(]\d+\] ?bytes ?:?\r?\n\r?\n", block)
        if not m:
            m = re.match(r"(\w+) message (sent|received) \(\d+ bytes\):\r?\n\r?\n", block)
        if not m:
            continue
        text = block[m.end():].replace("\r\n", "\n").rstrip("\n")
        head, sep, body = text.partition("\n\n")
        out.append((m.group(2), m.group(1), head.replace("\n", "\r\n") + "\r\n\r\n" + body))
    return out


def first_line(msg):
    return msg.split("\r\n", 1)[0]


def method_of(msg):
    """Request method, or the CSeq method of a reply."""
    if msg.startswith("SIP/"):
        cseq = header(msg, "CSeq")
        return cseq[0].split()[1] if cseq else None
    return msg.split(" ", 1)[0]


def is_req(msg, method):
    return not msg.startswith("SIP/") and msg.startswith(method + " ")


def is_resp(msg, code, method=None):
    return status(msg) == code and (method is None or method_of(msg) == method)


def top_branch(msg):
    v = header(msg, "Via")[0]
    m = re.search(r";\s*branch=([^;,\s]+)", v)
    return m.group(1) if m else None


def vias(msg):
    """Every Via value, comma-separated values split."""
    out = []
    for v in header(msg, "Via"):
        out += [x.strip() for x in re.split(r",(?=\s*SIP/)", v)]
    return out


def route_set(msg, name):
    """Entries of every `name` (Record-Route or Route) header, in order."""
    out = []
    for v in header(msg, name):
        out += [x.strip() for x in re.split(r",\s*(?=<)", v)]
    return out


def rr_params(entry):
    """<sip:host:port;a=b;c> -> ('host:port', {'a': 'b', 'c': ''})."""
    m = re.match(r"<sip:([^;>]+)((?:;[^>]*)?)>$", entry)
    if not m:
        raise AssertionError("not a plain sip name-addr: %r" % entry)
    params = {}
    for p in m.group(2).split(";")[1:]:
        k, _, v = p.partition("=")
        params[k.strip().lower()] = v.strip()
    return m.group(1), params


def request(method, ruri, port, call_id, branch, cseq=1, to_tag=None, extra=""):
    to = "<sip:bob@example.com>" + (";tag=" + to_tag if to_tag else "")
    return crlf("%s %s SIP/2.0\n"
                "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\n"
                "Max-Forwards: 70\n"
                "From: <sip:alice@example.com>;tag=ft-%s\n"
                "To: %s\n"
                "Call-ID: %s\n"
                "CSeq: %d %s\n"
                "Contact: <sip:alice@127.0.0.1:%d>\n"
                "%s"
                "Content-Length: 0\n\n" % (method, ruri, port, branch, call_id, to, call_id, cseq, method,
                                           port, extra))


def reply(req, code, reason, to_tag=None, contact=None):
    """A reply to a received request: its Via, From, To (+ tag), Call-ID, CSeq."""
    lines = [l for l in req.split("\r\n") if re.match(r"(?i)(via|v)\s*:", l)]
    to = header(req, "To")[0]
    if to_tag and ";tag=" not in to:
        to += ";tag=" + to_tag
    text = ("SIP/2.0 %d %s\r\n" % (code, reason) + "\r\n".join(lines) + "\r\n"
            "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
            % (header(req, "From")[0], to, header(req, "Call-ID")[0], header(req, "CSeq")[0]))
    if contact:
        text += "Contact: <%s>\r\n" % contact
    return (text + "Content-Length: 0\r\n\r\n").encode()


def ack_for(inv_bytes, final):
    """The ACK a UAC sends for a non-2xx final: INVITE's Request-URI and Via
    branch, the reply's To (RFC 3261 17.1.1.3)."""
    inv = inv_bytes.decode()
    ruri = first_line(inv).split(" ")[1]
    via = header(inv, "Via")[0]
    cseq = header(inv, "CSeq")[0].split()[0]
    return crlf("ACK %s SIP/2.0\nVia: %s\nMax-Forwards: 70\nFrom: %s\nTo: %s\nCall-ID: %s\nCSeq: %s ACK\n"
                "Content-Length: 0\n\n" % (ruri, via, header(inv, "From")[0], header(final, "To")[0],
                                           header(inv, "Call-ID")[0], cseq))


class Phone(RecordingPeer):
    """A raw UDP phone (a RecordingPeer): a test waits for a message
    matching a predicate (earlier non-matching ones are kept)."""

    def __init__(self):
        super().__init__()
        self.taken = set()

    def wait(self, pred, timeout=3.0):
        """(time, msg) of the first message not yet taken matching `pred`, or
        (None, None) after `timeout` (scaled by SLOW) seconds."""
        deadline = time.monotonic() + timeout * SLOW
        with self.cond:
            while True:
                for i, (t, m) in enumerate(self.log):
                    if i not in self.taken and pred(m):
                        self.taken.add(i)
                        return t, m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, None
                self.cond.wait(left)

    def collect(self, duration):
        """Lets `duration` seconds (not scaled) of traffic arrive."""
        time.sleep(duration)



def summary(phone):
    t0 = phone.log[0][0] if phone.log else 0
    return "\n".join("+%.3f %s" % (t - t0, first_line(m) + " / " + " ".join(header(m, "CSeq")))
                     for t, m in phone.messages())


class SippTrace:
    """A temporary directory for sipp message logs."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sipp-it-")

    def path(self, name):
        return os.path.join(self.dir, name + ".msg")

    def args(self, name):
        return ["-trace_msg", "-message_file", self.path(name)]

    def messages(self, name, direction=None):
        return [m for (d, _, m) in sipp_trace(self.path(name)) if direction is None or d == direction]

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_proc(p, timeout):
    """Exit status of a sipp started with start_sipp, and its output; kills it after `timeout`."""
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_proc(p)
        out, _ = p.communicate()
        return None, out.decode(errors="replace")
    return p.returncode, out.decode(errors="replace")


def scenario(name):
    return os.path.join(SCENARIOS, name)


# ---------------------------------------------------------------- 1. calls

class DialogTest(unittest.TestCase):
    """INVITE/100/180/200/ACK/BYE/200 between sipp phones through ser, the
    in-dialog requests loose-routed on the Record-Route set."""

    def setUp(self):
        self.trace = SippTrace()
        self.addCleanup(self.trace.cleanup)

    def call(self, uac_tcp, uas_tcp):
        uas_port = free_port()
        uac_port = free_port()
        callee = "127.0.0.1:%d" % uas_port + (";transport=tcp" if uas_tcp else "")
        with Ser(RR_CFG) as ser:
            uas = start_sipp(["-sf", scenario("uas_dialog.xml"), "-i", "127.0.0.1", "-p", str(uas_port),
                              "-t", "t1" if uas_tcp else "u1", "-m", "1",
                              "-timeout", "%ds" % (20 * SLOW), "-timeout_error"] + self.trace.args("uas"))
            try:
                time.sleep(0.3)
                rc, out = run_sipp(["127.0.0.1:%d" % ser.port, "-sf", scenario("uac_dialog.xml"),
                                    "-key", "callee", callee, "-i", "127.0.0.1", "-p", str(uac_port),
                                    "-t", "t1" if uac_tcp else "u1", "-m", "1"] + self.trace.args("uac"),
                                   timeout=int(30 * SLOW))
                urc, uout = wait_proc(uas, 10 * SLOW)
            finally:
                stop_proc(uas)
            self.assertEqual(rc, 0, "UAC failed:\n" + out + ser.output())
            self.assertEqual(urc, 0, "UAS failed:\n" + uout + ser.output())
            self.assertTrue(ser.alive())
            return ser.port, self.trace.messages("uac"), self.trace.messages("uas")

    def check_flow(self, port, uac_msgs, uas_msgs, proto_in, proto_out):
        uac_got = [m for m in uac_msgs if m.startswith("SIP/")]
        self.assertEqual([(status(m), method_of(m)) for m in uac_got],
                         [(100, "INVITE"), (180, "INVITE"), (200, "INVITE"), (200, "BYE")],
                         "\n\n".join(uac_msgs))
        uas_got = [m for m in uas_msgs if not m.startswith("SIP/")]
        self.assertEqual([method_of(m) for m in uas_got], ["INVITE", "ACK", "BYE"], "\n\n".join(uas_msgs))
        inv, ack, bye = uas_got
        uac_sent = {method_of(m): m for m in uac_msgs if not m.startswith("SIP/")}
        # Every request reached the callee through ser: ser's Via on top
        # (and the caller's below it), Max-Forwards 70 cut to maxfwd's
        # max_limit (16) and decremented.
        for req in (inv, ack, bye):
            v = vias(req)
            self.assertEqual(len(v), 2, req)
            self.assertTrue(v[0].startswith("SIP/2.0/%s 127.0.0.1:%d;" % (proto_out, port)), req)
            self.assertTrue(v[1].startswith("SIP/2.0/%s 127.0.0.1:" % proto_in), req)
            self.assertEqual(header(req, "Max-Forwards"), ["16"], req)
        # The caller really loose-routed ACK and BYE: Route = the reversed
        # Record-Route set, Request-URI = the callee's Contact; ser removed its
        # own Route entries before relaying.
        rrs = route_set(inv, "Record-Route")
        uac_200 = uac_got[2]
        self.assertEqual(route_set(uac_200, "Record-Route"), rrs, uac_200)
        for m in ("ACK", "BYE"):
            self.assertEqual(route_set(uac_sent[m], "Route"), list(reversed(rrs)), uac_sent[m])
        contact = re.search(r"<([^>]+)>", header(uac_200, "Contact")[0]).group(1)
        for req in (ack, bye):
            self.assertEqual(first_line(req).split(" ")[1], contact, req)
            self.assertEqual(header(req, "Route"), [], req)
        return rrs

    def test_call_over_udp(self):
        port, uac, uas = self.call(False, False)
        rrs = self.check_flow(port, uac, uas, "UDP", "UDP")
        self.assertEqual(len(rrs), 1, rrs)
        hp, params = rr_params(rrs[0])
        self.assertEqual(hp, "127.0.0.1:%d" % port)
        self.assertIn("lr", params)
        self.assertNotIn("transport", params)
        self.assertNotIn("r2", params)

    def test_call_over_tcp(self):
        port, uac, uas = self.call(True, True)
        rrs = self.check_flow(port, uac, uas, "TCP", "TCP")
        self.assertEqual(len(rrs), 1, rrs)
        hp, params = rr_params(rrs[0])
        self.assertEqual(hp, "127.0.0.1:%d" % port)
        self.assertIn("lr", params)
        self.assertEqual(params.get("transport", "").lower(), "tcp", rrs)
        self.assertNotIn("r2", params)

    def test_call_tcp_caller_to_udp_callee(self):
        port, uac, uas = self.call(True, False)
        rrs = self.check_flow(port, uac, uas, "TCP", "UDP")
        # A transport change: two Record-Routes, the callee's side (UDP) on
        # top, then the caller's side (TCP), both r2=on.
        self.assertEqual(len(rrs), 2, rrs)
        (hp1, p1), (hp2, p2) = rr_params(rrs[0]), rr_params(rrs[1])
        self.assertEqual(hp1, "127.0.0.1:%d" % port)
        self.assertEqual(hp2, "127.0.0.1:%d" % port)
        self.assertEqual(p1.get("r2"), "on", rrs)
        self.assertEqual(p2.get("r2"), "on", rrs)
        self.assertIn("lr", p1)
        self.assertIn("lr", p2)
        self.assertNotEqual(p1.get("transport", "udp").lower(), "tcp", rrs)
        self.assertEqual(p2.get("transport", "").lower(), "tcp", rrs)


# ---------------------------------------------------- 2. failure_route

class FailureRouteTest(unittest.TestCase):
    def test_486_rerouted_to_second_callee(self):
        busy_port = free_port()
        uas2_port = free_port()
        uac_port = free_port()
        trace = SippTrace()
        self.addCleanup(trace.cleanup)
        cfg = HEAD + r'''
route {
  t_on_failure("1");
  t_relay();
}
failure_route[1] {
  rewritehostport("127.0.0.1:%d");
  append_branch();
  t_relay();
}
''' % uas2_port
        with Ser(cfg) as ser:
            busy = start_sipp(["-sf", scenario("uas_busy.xml"), "-i", "127.0.0.1", "-p", str(busy_port), "-m", "1",
                               "-timeout", "%ds" % (20 * SLOW), "-timeout_error"] + trace.args("busy"))
            uas2 = start_sipp(["-sf", scenario("uas_dialog.xml"), "-i", "127.0.0.1", "-p", str(uas2_port), "-m", "1",
                               "-timeout", "%ds" % (20 * SLOW), "-timeout_error"] + trace.args("uas2"))
            try:
                time.sleep(0.3)
                # uac_dialog fails on a 486: a passing caller never saw it.
                rc, out = run_sipp(["127.0.0.1:%d" % ser.port, "-sf", scenario("uac_dialog.xml"),
                                    "-key", "callee", "127.0.0.1:%d" % busy_port, "-i", "127.0.0.1",
                                    "-p", str(uac_port), "-m", "1"] + trace.args("uac"), timeout=int(30 * SLOW))
                brc, bout = wait_proc(busy, 10 * SLOW)
                urc, uout = wait_proc(uas2, 10 * SLOW)
            finally:
                stop_proc(busy)
                stop_proc(uas2)
            self.assertEqual(rc, 0, "UAC failed:\n" + out + ser.output())
            self.assertEqual(brc, 0, "busy UAS failed (no ACK for its 486?):\n" + bout + ser.output())
            self.assertEqual(urc, 0, "second UAS failed:\n" + uout + ser.output())
        uac_got = [m for m in trace.messages("uac", "received")]
        self.assertFalse([m for m in uac_got if status(m) and status(m) >= 300], "\n\n".join(uac_got))
        busy_got = trace.messages("busy", "received")
        self.assertEqual([method_of(m) for m in busy_got], ["INVITE", "ACK"], "\n\n".join(busy_got))
        inv, ack = busy_got
        # The ACK for the 486 is ser's own (hop by hop): one Via, ser's, with
        # the INVITE's branch; the 486's To tag.
        self.assertEqual(len(vias(ack)), 1, ack)
        self.assertEqual(top_branch(ack), top_branch(inv))
        self.assertEqual(first_line(ack).split(" ")[1], first_line(inv).split(" ")[1])
        busy_sent = [m for m in trace.messages("busy", "sent") if status(m) == 486]
        self.assertTrue(busy_sent)
        self.assertEqual(header(ack, "To"), header(busy_sent[0], "To"))
        uas2_got = [m for m in trace.messages("uas2", "received")]
        self.assertEqual([method_of(m) for m in uas2_got], ["INVITE", "ACK", "BYE"], "\n\n".join(uas2_got))
        self.assertIn("127.0.0.1:%d" % uas2_port, first_line(uas2_got[0]))


# ---------------------------------------------------------- 3. CANCEL

class CancelTest(unittest.TestCase):
    def test_cancel_before_answer(self):
        uac_port = free_port()
        trace = SippTrace()
        self.addCleanup(trace.cleanup)
        with Ser(RELAY_CFG) as ser:
            uas = Phone()
            self.addCleanup(uas.close)
            uac = start_sipp(["127.0.0.1:%d" % ser.port, "-sf", scenario("uac_cancel.xml"),
                              "-key", "callee", "127.0.0.1:%d" % uas.port, "-i", "127.0.0.1", "-p", str(uac_port),
                              "-m", "1", "-timeout", "%ds" % (20 * SLOW), "-timeout_error"] + trace.args("uac"))
            try:
                _, inv = uas.wait(lambda m: is_req(m, "INVITE"), 5)
                self.assertIsNotNone(inv, ser.output())
                uas.send(reply(inv, 180, "Ringing", to_tag="uas1"), ser.port)
                _, cancel = uas.wait(lambda m: is_req(m, "CANCEL"), 5)
                self.assertIsNotNone(cancel, summary(uas) + ser.output())
                # ser's CANCEL: same Request-URI, branch and CSeq number as the
                # INVITE it sent, one Via (RFC 3261 9.1).
                self.assertEqual(first_line(cancel).split(" ")[1], first_line(inv).split(" ")[1])
                self.assertEqual(top_branch(cancel), top_branch(inv))
                self.assertEqual(len(vias(cancel)), 1, cancel)
                self.assertEqual(header(cancel, "CSeq"), ["1 CANCEL"])
                self.assertEqual(header(cancel, "Call-ID"), header(inv, "Call-ID"))
                uas.send(reply(cancel, 200, "OK", to_tag="uas1"), ser.port)
                uas.send(reply(inv, 487, "Request Terminated", to_tag="uas1"), ser.port)
                _, ack = uas.wait(lambda m: is_req(m, "ACK"), 5)
                self.assertIsNotNone(ack, summary(uas) + ser.output())
                self.assertEqual(top_branch(ack), top_branch(inv))
                self.assertEqual(header(ack, "CSeq"), ["1 ACK"])
                self.assertIn("tag=uas1", header(ack, "To")[0])
                rc, out = wait_proc(uac, 10 * SLOW)
            finally:
                stop_proc(uac)
            self.assertEqual(rc, 0, "UAC failed:\n" + out + ser.output())
            # Nothing more reaches the callee (no retransmitted CANCEL or INVITE).
            uas.collect(0.7)
            self.assertEqual([method_of(m) for _, m in uas.messages()], ["INVITE", "CANCEL", "ACK"], summary(uas))
        got = [(status(m), method_of(m)) for m in trace.messages("uac", "received")]
        self.assertEqual(got, [(100, "INVITE"), (180, "INVITE"), (200, "CANCEL"), (487, "INVITE")])


# -------------------------------------------------------- 4. no answer

TIMER_CFG = HEAD + r'''
modparam("tm", "fr_inv_timer", 2)
modparam("tm", "fr_timer", @FR@)
route {
  t_relay();
}
'''


class NoAnswerTest(unittest.TestCase):
    TOL = 0.35 * SLOW     # end-to-end timing tolerance for timeouts (s)

    def start_call(self, ser, uas, tag):
        uac = Phone()
        self.addCleanup(uac.close)
        inv = request("INVITE", "sip:bob@127.0.0.1:%d" % uas.port, uac.port, "na-%s-%d@127.0.0.1" % (tag, uac.port),
                      "z9hG4bK-na-%s" % tag)
        t0 = time.monotonic()
        uac.send(inv, ser.port)
        return uac, inv, t0

    def test_silent_callee_408_after_fr_timer(self):
        with Ser(TIMER_CFG.replace("@FR@", "1")) as ser:
            uas = Phone()
            self.addCleanup(uas.close)
            uac, inv, t0 = self.start_call(ser, uas, "silent")
            t100, r100 = uac.wait(lambda m: is_resp(m, 100), 1)
            self.assertIsNotNone(r100, ser.output())
            self.assertLess(t100 - t0, 0.3 * SLOW)
            t408, r408 = uac.wait(lambda m: status(m) is not None and status(m) >= 200, 3)
            self.assertIsNotNone(r408, summary(uac) + ser.output())
            self.assertEqual(status(r408), 408, r408)
            self.assertGreater(t408 - t0, 1.0 - 0.1)
            self.assertLess(t408 - t0, 1.0 + self.TOL, "408 late")
            uac.send(ack_for(inv, r408), ser.port)
            uac.collect(1.0)
            uas.collect(0.1)
            # Only the INVITE and its 500 ms retransmission reached the silent
            # callee; no CANCEL (it never sent a provisional reply).
            self.assertEqual([method_of(m) for _, m in uas.messages()], ["INVITE", "INVITE"], summary(uas))
            self.assertEqual([(status(m)) for _, m in uac.messages()], [100, 408], summary(uac))

    def test_invite_retransmissions_timer_a(self):
        with Ser(TIMER_CFG.replace("@FR@", "3")) as ser:
            uas = Phone()
            self.addCleanup(uas.close)
            uac, inv, t0 = self.start_call(ser, uas, "timera")
            t408, r408 = uac.wait(lambda m: status(m) is not None and status(m) >= 200, 5)
            self.assertIsNotNone(r408, summary(uac) + ser.output())
            self.assertEqual(status(r408), 408)
            self.assertLess(t408 - t0, 3.0 + self.TOL)
            self.assertGreater(t408 - t0, 3.0 - 0.1)
            uac.send(ack_for(inv, r408), ser.port)
            uas.collect(0.3)
            invs = [t for t, m in uas.messages() if is_req(m, "INVITE")]
            self.assertEqual(len(invs), 3, summary(uas))
            # RFC 3261 Timer A: T1 = 500 ms, then doubling: 0.5 s, 1.5 s (the
            # next, 3.5 s, is after the 3 s fr_timer).
            offsets = [t - invs[0] for t in invs[1:]]
            tol = 0.1 * SLOW
            self.assertAlmostEqual(offsets[0], 0.5, delta=tol, msg=offsets)
            self.assertAlmostEqual(offsets[1], 1.5, delta=tol, msg=offsets)
            # The retransmissions are the same request (same branch).
            self.assertEqual({top_branch(m) for _, m in uas.messages()}, {top_branch(uas.messages()[0][1])})

    def test_ringing_callee_cancelled_after_fr_inv_timer(self):
        with Ser(TIMER_CFG.replace("@FR@", "1")) as ser:
            uas = Phone()
            self.addCleanup(uas.close)
            uac, inv, t0 = self.start_call(ser, uas, "ring")
            _, req = uas.wait(lambda m: is_req(m, "INVITE"), 2)
            self.assertIsNotNone(req, ser.output())
            uas.send(reply(req, 180, "Ringing", to_tag="ring1"), ser.port)
            t180, r180 = uac.wait(lambda m: is_resp(m, 180), 2)
            self.assertIsNotNone(r180, summary(uac) + ser.output())
            # fr_inv_timer (2 s) counts from the provisional reply: the
            # caller gets 408, the callee a CANCEL, both about 2 s after the 180.
            tc, cancel = uas.wait(lambda m: is_req(m, "CANCEL"), 4)
            self.assertIsNotNone(cancel, summary(uas) + ser.output())
            t408, r408 = uac.wait(lambda m: status(m) is not None and status(m) >= 200, 2)
            self.assertIsNotNone(r408, summary(uac) + ser.output())
            self.assertEqual(status(r408), 408, r408)
            for t in (tc, t408):
                self.assertGreater(t - t180, 2.0 - 0.1, (tc - t180, t408 - t180))
                self.assertLess(t - t180, 2.0 + self.TOL, (tc - t180, t408 - t180))
            self.assertEqual(top_branch(cancel), top_branch(req))
            self.assertEqual(header(cancel, "CSeq"), ["1 CANCEL"])
            uac.send(ack_for(inv, r408), ser.port)
            # The callee answers the CANCEL and terminates the INVITE; its 487
            # is acknowledged by ser and not relayed (the caller has its 408).
            uas.send(reply(cancel, 200, "OK", to_tag="ring1"), ser.port)
            uas.send(reply(req, 487, "Request Terminated", to_tag="ring1"), ser.port)
            _, ack = uas.wait(lambda m: is_req(m, "ACK"), 2)
            self.assertIsNotNone(ack, summary(uas) + ser.output())
            self.assertEqual(top_branch(ack), top_branch(req))
            uac.collect(1.0)
            self.assertEqual([status(m) for _, m in uac.messages()], [100, 180, 408], summary(uac))
            self.assertEqual([method_of(m) for _, m in uas.messages()], ["INVITE", "CANCEL", "ACK"], summary(uas))


# ---------------------------------------------------- 5. retransmissions

class RetransmissionTest(unittest.TestCase):
    def test_caller_retransmission_absorbed(self):
        with Ser(RELAY_CFG) as ser:
            uac = Phone()
            uas = Phone()
            self.addCleanup(uac.close)
            self.addCleanup(uas.close)
            inv = request("INVITE", "sip:bob@127.0.0.1:%d" % uas.port, uac.port, "rt-%d@127.0.0.1" % uac.port,
                          "z9hG4bK-rt1")
            uac.send(inv, ser.port)
            _, req = uas.wait(lambda m: is_req(m, "INVITE"), 2)
            self.assertIsNotNone(req, ser.output())
            # The callee's own 100 stops ser's retransmissions (Timer A) and
            # is not relayed.
            uas.send(reply(req, 100, "Trying"), ser.port)
            time.sleep(0.2)
            uac.send(inv, ser.port)
            uas.collect(1.2)
            uac.collect(0.1)
            self.assertEqual([method_of(m) for _, m in uas.messages()], ["INVITE"], summary(uas))
            self.assertEqual([status(m) for _, m in uac.messages()], [100, 100], summary(uac))
            # Close the call: 486 relayed, ACKed by the caller and by ser.
            uas.send(reply(req, 486, "Busy Here", to_tag="rt2"), ser.port)
            _, busy = uac.wait(lambda m: is_resp(m, 486), 2)
            self.assertIsNotNone(busy, summary(uac) + ser.output())
            uac.send(ack_for(inv, busy), ser.port)
            _, ack = uas.wait(lambda m: is_req(m, "ACK"), 2)
            self.assertIsNotNone(ack, summary(uas) + ser.output())


# ---------------------------------------------------------- 6. forking

class ForkingTest(unittest.TestCase):
    def test_parallel_fork_200_cancels_the_other_branch(self):
        uas1 = Phone()
        uas2 = Phone()
        uac = Phone()
        for p in (uas1, uas2, uac):
            self.addCleanup(p.close)
        cfg = HEAD + r'''
route {
  append_branch("sip:x@127.0.0.1:%d");
  t_relay();
}
''' % uas2.port
        with Ser(cfg) as ser:
            inv = request("INVITE", "sip:bob@127.0.0.1:%d" % uas1.port, uac.port, "fork-%d@127.0.0.1" % uac.port,
                          "z9hG4bK-fork1")
            uac.send(inv, ser.port)
            _, req1 = uas1.wait(lambda m: is_req(m, "INVITE"), 2)
            _, req2 = uas2.wait(lambda m: is_req(m, "INVITE"), 2)
            self.assertIsNotNone(req1, ser.output())
            self.assertIsNotNone(req2, ser.output())
            self.assertEqual(first_line(req1), "INVITE sip:bob@127.0.0.1:%d SIP/2.0" % uas1.port)
            self.assertEqual(first_line(req2), "INVITE sip:x@127.0.0.1:%d SIP/2.0" % uas2.port)
            self.assertNotEqual(top_branch(req1), top_branch(req2))
            uas1.send(reply(req1, 180, "Ringing", to_tag="b1"), ser.port)
            _, r180 = uac.wait(lambda m: is_resp(m, 180), 2)
            self.assertIsNotNone(r180, summary(uac) + ser.output())
            uas2.send(reply(req2, 200, "OK", to_tag="b2", contact="sip:x@127.0.0.1:%d" % uas2.port), ser.port)
            _, r200 = uac.wait(lambda m: is_resp(m, 200), 2)
            self.assertIsNotNone(r200, summary(uac) + ser.output())
            self.assertIn("tag=b2", header(r200, "To")[0])
            # The ringing branch is cancelled; its 487 is ACKed by ser.
            _, cancel = uas1.wait(lambda m: is_req(m, "CANCEL"), 2)
            self.assertIsNotNone(cancel, summary(uas1) + ser.output())
            self.assertEqual(top_branch(cancel), top_branch(req1))
            self.assertEqual(first_line(cancel), "CANCEL sip:bob@127.0.0.1:%d SIP/2.0" % uas1.port)
            uas1.send(reply(cancel, 200, "OK", to_tag="b1"), ser.port)
            uas1.send(reply(req1, 487, "Request Terminated", to_tag="b1"), ser.port)
            _, ack = uas1.wait(lambda m: is_req(m, "ACK"), 2)
            self.assertIsNotNone(ack, summary(uas1) + ser.output())
            self.assertEqual(top_branch(ack), top_branch(req1))
            # The caller ACKs the 200 end to end (through ser, to the Contact).
            uac.send(request("ACK", "sip:x@127.0.0.1:%d" % uas2.port, uac.port, "fork-%d@127.0.0.1" % uac.port,
                             "z9hG4bK-fork2", to_tag="b2"), ser.port)
            _, ack2 = uas2.wait(lambda m: is_req(m, "ACK"), 2)
            self.assertIsNotNone(ack2, summary(uas2) + ser.output())
            uac.collect(1.0)
            uas2.collect(0.1)
            self.assertEqual([status(m) for _, m in uac.messages()], [100, 180, 200], summary(uac))
            self.assertEqual([method_of(m) for _, m in uas2.messages()], ["INVITE", "ACK"], summary(uas2))
            self.assertEqual([method_of(m) for _, m in uas1.messages()], ["INVITE", "CANCEL", "ACK"], summary(uas1))


# ------------------------------------------------------------- 7. load

def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


LOAD_CFG = HEAD.replace("debug=3", "debug=2") + r'''
loadmodule "rr.so"
route {
  if (method != "REGISTER") record_route();
  if (loose_route()) {
    t_relay();
    break;
  };
  t_relay();
}
'''


def sipp_counts(out):
    """(successful, failed) cumulative call counts of a sipp run."""
    ok = re.search(r"Successful call\s+\|\s+\d+\s+\|\s+(\d+)", out)
    bad = re.search(r"Failed call\s+\|\s+\d+\s+\|\s+(\d+)", out)
    return (int(ok.group(1)) if ok else None), (int(bad.group(1)) if bad else None)


def sipp_rate(out):
    """The cumulative call rate (calls/s) a sipp run reached."""
    m = re.search(r"Call Rate\s+\|\s+[\d.]+ cps\s+\|\s+([\d.]+) cps", out)
    return float(m.group(1)) if m else 0.0


class LoadTest(unittest.TestCase):
    """Two identical rounds of sipp calls (uac -> ser -> uas, record-routed)
    after a warm-up; VmRSS read after the warm-up and after each round plus
    the wait timer. The load runs once (setUpClass); the tests check it."""

    CALLS = 4000 if ASAN else 20000
    RATE = 400 if ASAN else 1000
    WAIT = 5 + 2        # wt_timer + margin (s)
    TRIM = 10 + 2       # ser returns freed heap to the system every 10 s
    MARGIN_KB = 8 * 1024
    GROWTH_KB = 4 * 1024

    @classmethod
    def setUpClass(cls):
        cls.rounds = []     # (calls, rc, sipp output)
        cls.rss = {}
        uas_port = free_port()
        uac_port = free_port()
        ser = Ser(LOAD_CFG)
        ser.__enter__()
        try:
            uas = start_sipp(["-sn", "uas", "-i", "127.0.0.1", "-p", str(uas_port)])
            try:
                time.sleep(0.3)

                def load(calls, rate):
                    rc, out = run_sipp(["127.0.0.1:%d" % uas_port, "-sn", "uac", "-rsa", "127.0.0.1:%d" % ser.port,
                                        "-i", "127.0.0.1", "-p", str(uac_port), "-m", str(calls), "-r", str(rate),
                                        "-l", str(rate * 3)], timeout=int(calls / rate * 3 + 30))
                    cls.rounds.append((calls, rc, out))

                # Warm-up: thread stacks, allocator arenas and the sockets'
                # first use are not transactions.
                load(200, 100)
                time.sleep(cls.WAIT)
                cls.rss["baseline"] = rss_kb(ser.proc.pid)
                load(cls.CALLS, cls.RATE)
                base = cls.rss["baseline"]
                cls.rss["round 1"] = cls.settle(ser.proc.pid, base + cls.MARGIN_KB)
                load(cls.CALLS, cls.RATE)
                cls.rss["round 2"] = cls.settle(ser.proc.pid,
                                                min(base + cls.MARGIN_KB, cls.rss["round 1"] + cls.GROWTH_KB))
                cls.alive = ser.alive()
            finally:
                stop_proc(uas)
                uas.stdout.close()
        finally:
            cls.ser_rc = ser.stop()
            cls.ser_out = ser.output()
        sys.stderr.write("VmRSS: %s\n" % ", ".join("%s %d kB" % kv for kv in cls.rss.items()))

    @classmethod
    def settle(cls, pid, below):
        """VmRSS once the wait timers have freed the transactions and ser's
        periodic trim (every 10 s) gave the memory back: the lowest value
        seen within TRIM seconds after the wait timer, or the first one under
        `below` (every limit the tests check, so an early stop cannot fail
        them while the trim is still to come)."""
        time.sleep(cls.WAIT)
        low = rss_kb(pid)
        deadline = time.time() + cls.TRIM
        while time.time() < deadline and low >= below:
            time.sleep(0.5)
            low = min(low, rss_kb(pid))
        return low

    def rss_msg(self):
        return "VmRSS " + ", ".join("%s %d kB" % kv for kv in self.rss.items())

    def test_zero_failed_calls(self):
        self.assertEqual(len(self.rounds), 3, self.ser_out[-3000:])
        for calls, rc, out in self.rounds:
            self.assertEqual(rc, 0, out[-3000:] + self.ser_out[-3000:])
            self.assertEqual(sipp_counts(out), (calls, 0), out[-3000:])

    def test_ser_survives_and_exits_cleanly(self):
        self.assertTrue(self.alive, self.ser_out[-3000:])
        # Under the sanitizers a leak report makes this non-zero.
        self.assertEqual(self.ser_rc, 0, self.ser_out[-5000:])

    @unittest.skipIf(ASAN, "AddressSanitizer's allocator quarantines freed memory: RSS tells nothing "
                           "(LeakSanitizer checks at exit instead)")
    def test_memory_does_not_grow(self):
        # A second identical round must not end above the first.
        self.assertLess(self.rss["round 2"], self.rss["round 1"] + self.GROWTH_KB, self.rss_msg())

    # Every transaction is freed after the wait timer; glibc keeps freed
    # arena pages until ser's periodic malloc_trim gives them back.
    @unittest.skipIf(ASAN, "AddressSanitizer's allocator quarantines freed memory: RSS tells nothing")
    def test_memory_back_to_baseline(self):
        rates = [sipp_rate(out) for _, _, out in self.rounds[1:]]
        if min(rates, default=0) < 0.8 * self.RATE:
            # A busy machine: fewer transactions at a time, nothing to measure.
            self.skipTest("the load ran at %s calls/s, not %d" % (rates, self.RATE))
        self.assertLess(self.rss["round 1"], self.rss["baseline"] + self.MARGIN_KB, self.rss_msg())
        self.assertLess(self.rss["round 2"], self.rss["baseline"] + self.MARGIN_KB, self.rss_msg())


if __name__ == "__main__":
    main()
