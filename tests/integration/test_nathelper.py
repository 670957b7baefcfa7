"""nathelper in a running ser (modules.md §12, conformance cases 106-129):
NAT tests, Contact/SDP/REGISTER fixing, the commands sent to an RTP proxy
(a scripted fake that records them) over a unix socket and UDP, the SDP
rewrite, proxy health and choice by weight, and the NAT pings."""

import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa
from fake_rtpproxy import FakeRtpproxy

HEAD = r'''
debug=3
listen=127.0.0.1
port=@PORT@
children=2
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "uri.so"
loadmodule "nathelper.so"
modparam("usrloc", "db_mode", 0)
modparam("registrar", "nat_flag", 6)
'''

# One ser serves most cases: the X-Case header picks the function.
CASES = r'''
route {
  if (search("^X-Case: nat-")) {
    if (search("^X-Case: nat-1 ") && nat_uac_test("1")) { sl_send_reply("200", "true"); break; };
    if (search("^X-Case: nat-2 ") && nat_uac_test("2")) { sl_send_reply("200", "true"); break; };
    if (search("^X-Case: nat-4 ") && nat_uac_test("4")) { sl_send_reply("200", "true"); break; };
    if (search("^X-Case: nat-8 ") && nat_uac_test("8")) { sl_send_reply("200", "true"); break; };
    if (search("^X-Case: nat-16 ") && nat_uac_test("16")) { sl_send_reply("200", "true"); break; };
    sl_send_reply("404", "false");
    break;
  };
  if (search("^X-Case: fixc ")) {
    if (!fix_nated_contact()) { sl_send_reply("404", "false"); break; };
    if (fix_nated_contact()) append_hf("X-Second: true\r\n");
    forward(127.0.0.1, @UAS@);
    break;
  };
  if (search("^X-Case: fixcreg ")) { fix_nated_contact(); save("location"); break; };
  if (search("^X-Case: fixreg ")) { setflag(6); fix_nated_register(); save("location"); break; };
  if (search("^X-Case: rcv ")) { add_rcv_param(); forward(127.0.0.1, @UAS@); break; };
  if (search("^X-Case: sdp2 ")) { fix_nated_sdp("2"); forward(127.0.0.1, @UAS@); break; };
  if (search("^X-Case: sdp1 ")) { fix_nated_sdp("1"); forward(127.0.0.1, @UAS@); break; };
  if (search("^X-Case: sdp4 ")) { fix_nated_sdp("4"); forward(127.0.0.1, @UAS@); break; };
  if (search("^X-Case: force")) {
    if (search("^X-Case: force ") && force_rtp_proxy()) { forward(127.0.0.1, @UAS@); break; };
    if (search("^X-Case: force-r ") && force_rtp_proxy("r")) { forward(127.0.0.1, @UAS@); break; };
    if (search("^X-Case: force-a ") && force_rtp_proxy("a")) { forward(127.0.0.1, @UAS@); break; };
    if (search("^X-Case: force-ar ") && force_rtp_proxy("ar")) { forward(127.0.0.1, @UAS@); break; };
    if (search("^X-Case: force-ie ") && force_rtp_proxy("ie")) { forward(127.0.0.1, @UAS@); break; };
    if (search("^X-Case: force-ip ") && force_rtp_proxy("", "10.9.9.9")) { forward(127.0.0.1, @UAS@); break; };
    if (search("^X-Case: force-f ") && force_rtp_proxy("f")) { forward(127.0.0.1, @UAS@); break; };
    if (search("^X-Case: force-l ") && force_rtp_proxy("l")) { forward(127.0.0.1, @UAS@); break; };
    if (search("^X-Case: force-bad ") && force_rtp_proxy("q")) { forward(127.0.0.1, @UAS@); break; };
    sl_send_reply("404", "false");
    break;
  };
  if (search("^X-Case: reply ")) {
    t_on_reply("1");
    t_relay_to_udp("127.0.0.1", "@UAS@");
    break;
  };
  if (search("^X-Case: unforce ")) {
    if (unforce_rtp_proxy()) sl_send_reply("200", "true"); else sl_send_reply("404", "false");
    break;
  };
  if (method == "REGISTER") { save("location"); break; };
  if (method == "INVITE") {
    if (!lookup("location")) { sl_send_reply("404", "Not Found"); break; };
    t_relay();
    break;
  };
  sl_send_reply("500", "no case");
}

onreply_route[1] {
  if (search("^X-Reply: l$")) {
    if (!force_rtp_proxy("l")) append_hf("X-L: false\r\n");
  } else {
    force_rtp_proxy();
  };
}
'''

SDP = "v=0\no=- 1 1 IN IP4 10.0.0.5\ns=-\nc=IN IP4 10.0.0.5\nt=0 0\nm=audio 4000 RTP/AVP 0\n"


def request(uac, case, method="INVITE", ruri=None, via=None, contact="<sip:alice@10.0.0.5:5060>",
            body=SDP, to_tag=None, callid="c1", extra="", uas_port=5070):
    via = via or "127.0.0.1:%d" % uac.port
    ruri = ruri or "sip:bob@127.0.0.1:%d" % uas_port
    to = "<sip:bob@example.com>" + (";tag=" + to_tag if to_tag else "")
    lines = ["%s %s SIP/2.0" % (method, ruri),
             "Via: SIP/2.0/UDP %s;branch=z9hG4bK-%s-%f" % (via, case, time.time()),
             "Max-Forwards: 70",
             "From: <sip:alice@example.com>;tag=ft1",
             "To: " + to,
             "Call-ID: " + callid,
             "CSeq: 1 " + method]
    if contact:
        lines.append("Contact: " + contact)
    lines.append("X-Case: " + case + " ")
    if extra:
        lines.append(extra)
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append("Content-Length: @CL@")
    return "\n".join(lines) + "\n\n" + (body or "")


def body_of(msg):
    return msg.partition("\r\n\r\n")[2]


class Env:
    """One ser with the CASES config, a fake proxy on a unix socket, a UAC and a UAS."""

    def __init__(self, params="", route=CASES, fake=None, start_fake=True):
        self.dir = tempfile.mkdtemp(prefix="ser-it-nh-")
        self.sock_path = os.path.join(self.dir, "rtpp.sock")
        self.fake = fake or FakeRtpproxy()
        self.fake.path = self.sock_path
        self.uac = Peer()
        self.uas = Peer()
        if start_fake:
            self.fake.start()
        self.fake_started = start_fake
        cfg = HEAD + ('modparam("nathelper", "rtpproxy_sock", "unix:%s")\n' % self.sock_path) + params + \
            route.replace("@UAS@", str(self.uas.port))
        self.ser = Ser(cfg).__enter__()

    def close(self):
        try:
            self.ser.__exit__(None, None, None)
        finally:
            if self.fake_started and not self.fake.stopping:
                self.fake.stop()
            self.uac.close()
            self.uas.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def send(self, text):
        self.uac.send(text, self.ser.port)

    def answer(self, timeout=2.0):
        return self.uac.recv(timeout)

    def relayed(self, timeout=2.0):
        return self.uas.recv(timeout)

    def ask(self, case, **kw):
        self.send(request(self.uac, case, uas_port=self.uas.port, **kw))
        return self.answer()


class NathelperCases(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = Env()

    @classmethod
    def tearDownClass(cls):
        cls.env.close()

    def setUp(self):
        self.env.uac.recv_all(0.05)   # nothing left over from an earlier case
        self.env.uas.recv_all(0.05)
        self.env.fake.clear()
        self.env.fake.answer = lambda cmd: "0" if cmd[:1] == "D" else "35000"

    def truth(self, case, **kw):
        r = self.env.ask(case, **kw)
        self.assertIsNotNone(r, self.env.ser.output()[-2000:])
        return status(r) == 200

    # ---- 106-109 nat_uac_test
    def test_106_private_contact(self):
        self.assertTrue(self.truth("nat-1", contact="<sip:a@192.168.1.2>"))
        self.assertFalse(self.truth("nat-1", contact="<sip:a@172.32.0.1>"))
        self.assertTrue(self.truth("nat-1", contact="<sip:a@172.31.255.255>"))
        self.assertFalse(self.truth("nat-1", contact=None))
        self.assertTrue(self.truth("nat-1", contact="<sip:a@10.1>"))   # inet_aton reads "10.1" as 10.0.0.1

    def test_107_received(self):
        self.assertTrue(self.truth("nat-2", via="10.0.0.5;rport"))
        self.assertFalse(self.truth("nat-2", via="127.0.0.1:%d" % self.env.uac.port))
        self.assertTrue(self.truth("nat-2", via="127.0.0.1;received=1.2.3.4;rport"))

    def test_108_via_port(self):
        self.assertTrue(self.truth("nat-16", via="127.0.0.1;rport"))
        self.assertFalse(self.truth("nat-16", via="127.0.0.1:%d" % self.env.uac.port))

    def test_109_private_via_and_sdp(self):
        self.assertTrue(self.truth("nat-4", via="10.0.0.5;rport"))
        self.assertFalse(self.truth("nat-4"))
        self.assertTrue(self.truth("nat-8"))
        self.assertFalse(self.truth("nat-8", body=SDP.replace("c=IN IP4 10.0.0.5", "c=IN IP4 0.0.0.0")))
        self.assertFalse(self.truth("nat-8", body=None))

    # ---- 110-111 fix_nated_contact
    def test_110_fix_nated_contact(self):
        e = self.env
        e.send(request(e.uac, "fixc", uas_port=e.uas.port))
        m = e.relayed()
        self.assertIsNotNone(m, e.ser.output()[-2000:])
        self.assertEqual(header(m, "Contact"), ["<sip:alice@127.0.0.1:%d>" % e.uac.port])
        self.assertEqual(header(m, "X-Second"), [])   # a second call is false
        e.send(request(e.uac, "fixc", uas_port=e.uas.port, contact='"A" <sip:alice@192.168.1.10:5060;line=3>;expires=600'))
        m = e.relayed()
        self.assertEqual(header(m, "Contact"), ['"A" <sip:alice@127.0.0.1:%d;line=3>;expires=600' % e.uac.port])
        r = e.ask("fixc", contact="<sip:alice@10.0.0.5;transport=tcp>")
        self.assertEqual(status(r), 404, r)

    def test_111_fix_nated_contact_then_save(self):
        e = self.env
        e.send(request(e.uac, "fixcreg", method="REGISTER", ruri="sip:127.0.0.1", body=None,
                       contact="<sip:alice@10.0.0.5:5060>").replace("To: <sip:bob@", "To: <sip:alice@"))
        r = e.answer()
        self.assertEqual(status(r), 200, r)
        self.assertEqual([c.split(";")[0] for c in header(r, "Contact")], ["<sip:alice@127.0.0.1:%d>" % e.uac.port])

    # ---- 112 fix_nated_sdp
    def test_112_fix_nated_sdp(self):
        e = self.env
        e.send(request(e.uac, "sdp2", uas_port=e.uas.port))
        m = e.relayed()
        b = body_of(m)
        self.assertIn("c=IN IP4 127.0.0.1\r\n", b)
        self.assertTrue(b.endswith("a=oldmediaip:10.0.0.5\r\n"), b)
        self.assertEqual(header(m, "Content-Length"), [str(len(b.encode()))])
        e.send(request(e.uac, "sdp1", uas_port=e.uas.port))
        self.assertTrue(body_of(e.relayed()).endswith("a=direction:active\r\n"))
        e.send(request(e.uac, "sdp4", uas_port=e.uas.port))
        self.assertTrue(body_of(e.relayed()).endswith("a=nortpproxy:yes\r\n"))

    # ---- 113-118 force_rtp_proxy on requests
    def forced(self, case, **kw):
        e = self.env
        e.send(request(e.uac, case, uas_port=e.uas.port, **kw))
        return e.relayed()

    def test_113_force(self):
        m = self.forced("force")
        self.assertIsNotNone(m, self.env.ser.output()[-2000:])
        self.assertEqual(self.env.fake.sent(), ["U c1 127.0.0.1 4000 ft1;1"])
        b = body_of(m)
        self.assertIn("c=IN IP4 127.0.0.1\r\n", b)
        self.assertIn("m=audio 35000 RTP/AVP 0\r\n", b)
        self.assertTrue(b.endswith("a=nortpproxy:yes\r\n"), b)
        self.assertEqual(header(m, "Content-Length"), [str(len(b.encode()))])

    def test_114_force_flags(self):
        self.forced("force-r")
        self.forced("force-a")
        self.forced("force-ar")
        self.forced("force-ie")
        self.assertEqual(self.env.fake.sent(), ["U c1 10.0.0.5 4000 ft1;1", "UA c1 10.0.0.5 4000 ft1;1",
                                                "UA c1 10.0.0.5 4000 ft1;1", "UIE c1 127.0.0.1 4000 ft1;1"])

    def test_114_unknown_flag_fails_at_run_time(self):
        self.assertEqual(status(self.env.ask("force-bad")), 404)
        self.assertEqual(self.env.fake.sent(), [])
        self.assertIn("unknown option 'q'", self.env.ser.output())

    def test_115_proxy_address(self):
        self.env.fake.answer = lambda cmd: "35002 192.0.2.99"
        b = body_of(self.forced("force"))
        self.assertIn("c=IN IP4 192.0.2.99\r\n", b)
        self.assertIn("m=audio 35002 RTP/AVP 0\r\n", b)

    def test_116_ip_argument(self):
        b = body_of(self.forced("force-ip"))
        self.assertIn("c=IN IP4 10.9.9.9\r\n", b)

    def test_117_already_marked(self):
        marked = SDP + "a=nortpproxy:yes\n"
        self.assertEqual(status(self.env.ask("force", body=marked)), 404)
        self.assertEqual(self.env.fake.sent(), [])
        b = body_of(self.forced("force-f", body=marked))
        self.assertEqual(len(self.env.fake.sent()), 1)
        self.assertEqual(b.count("a=nortpproxy:yes"), 1, b)

    def test_118_hold_keeps_null_address(self):
        b = body_of(self.forced("force", body=SDP.replace("c=IN IP4 10.0.0.5", "c=IN IP4 0.0.0.0")))
        self.assertIn("c=IN IP4 0.0.0.0\r\n", b)
        self.assertIn("m=audio 35000 ", b)

    def test_multi_stream_and_session_level_connection(self):
        sdp = ("v=0\no=- 1 1 IN IP4 10.0.0.5\ns=-\nc=IN IP4 10.0.0.5\nt=0 0\n"
               "m=audio 4000 RTP/AVP 0\nm=video 4002 RTP/AVP 31\nc=IN IP4 10.0.0.6\nm=audio 0 RTP/AVP 0\n")
        ports = iter(["35000", "35002"])
        self.env.fake.answer = lambda cmd: next(ports)
        b = body_of(self.forced("force-r", body=sdp))
        self.assertEqual(self.env.fake.sent(), ["U c1 10.0.0.5 4000 ft1;1", "U c1 10.0.0.6 4002 ft1;2"])
        self.assertEqual(re.findall(r"c=IN IP4 (\S+)", b), ["127.0.0.1", "127.0.0.1"])
        self.assertEqual(re.findall(r"m=\w+ (\d+)", b), ["35000", "35002", "0"])   # a disabled stream stays off

    def test_bad_sdp_is_refused_cleanly(self):
        e = self.env
        no_c = "v=0\no=- 1 1 IN IP4 10.0.0.5\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\n"
        for body in [no_c, "v=0\nthis is not sdp\n", "garbage", "v=0\nm=audio x RTP/AVP 0\n",
                     "v=0\nc=IN IP4 10.0.0.5\nm=audio 4000 RTP/SAVP 0\n"]:
            self.assertEqual(status(e.ask("force", body=body)), 404, body)
        self.assertEqual(e.fake.sent(), [])
        # IPv6 media: the command says so, the address family stays.
        v6 = SDP.replace("IN IP4 10.0.0.5", "IN IP6 fd00::5")
        self.env.fake.answer = lambda cmd: "35000"
        b = body_of(self.forced("force-r", body=v6))
        self.assertEqual(e.fake.sent(), ["U6 c1 fd00::5 4000 ft1;1"])
        self.assertIn("c=IN IP4 127.0.0.1\r\n", b)
        # A large SDP (many media) is rewritten whole.
        big = "v=0\no=- 1 1 IN IP4 10.0.0.5\ns=-\nc=IN IP4 10.0.0.5\nt=0 0\n" + \
            "".join("m=audio %d RTP/AVP 0\na=x:%s\n" % (4000 + 2 * i, "y" * 100) for i in range(40))
        e.fake.clear()
        b = body_of(self.forced("force", body=big))
        self.assertEqual(len(e.fake.sent()), 40)
        self.assertEqual(b.count("m=audio 35000 "), 40)
        self.assertTrue(e.ser.alive())

    # ---- 119-120 replies and re-INVITEs
    def test_119_reply_route_lookup(self):
        e = self.env
        e.send(request(e.uac, "reply", uas_port=e.uas.port))
        inv = e.relayed()
        self.assertIsNotNone(inv, e.ser.output()[-2000:])
        e.fake.clear()
        head = inv.partition("\r\n\r\n")[0].split("\r\n")
        vias = [l for l in head if l.lower().startswith("via:")]
        sdp = SDP.replace("10.0.0.5", "127.0.0.1").replace("4000", "5000")
        reply = "\r\n".join(["SIP/2.0 200 OK"] + vias +
                            [l for l in head if l.split(":")[0] in ("From", "Call-ID", "CSeq")] +
                            ["To: <sip:bob@example.com>;tag=tt1", "Contact: <sip:bob@127.0.0.1:%d>" % e.uas.port,
                             "Content-Type: application/sdp", "Content-Length: @CL@"]) + "\r\n\r\n" + sdp
        e.uas.send(reply, e.ser.port)
        got = e.answer()
        while got is not None and status(got) < 200:   # tm's 100 Trying first
            got = e.answer()
        self.assertEqual(status(got), 200, e.ser.output()[-2000:])
        self.assertEqual(e.fake.sent(), ["L c1 127.0.0.1 5000 ft1;1 tt1;1"])
        self.assertIn("m=audio 35000 ", body_of(got))

    def test_120_lookup_only_on_reinvite(self):
        self.forced("force-l", to_tag="tt1")
        self.assertEqual(self.env.fake.sent(), ["L c1 127.0.0.1 4000 tt1;1 ft1;1"])
        self.env.fake.clear()
        self.assertEqual(status(self.env.ask("force-l")), 404)   # no To tag: not a re-INVITE
        self.assertEqual(self.env.fake.sent(), [])

    def test_121_not_an_invite_or_no_body(self):
        self.assertEqual(status(self.env.ask("force", method="BYE")), 404)
        self.assertEqual(status(self.env.ask("force", body=None)), 404)
        self.assertEqual(self.env.fake.sent(), [])

    def test_122_unforce(self):
        self.env.fake.answer = lambda cmd: "E8"
        self.assertEqual(status(self.env.ask("unforce", method="BYE", to_tag="tt1", body=None)), 200)
        self.assertEqual(self.env.fake.sent(), ["D c1 ft1 tt1"])

    # ---- 126-127 registration behind NAT
    def test_126_fix_nated_register(self):
        e = self.env
        e.send(request(e.uac, "fixreg", method="REGISTER", ruri="sip:127.0.0.1", body=None,
                       contact="<sip:carol@10.0.0.5:5060>").replace("To: <sip:bob@", "To: <sip:carol@"))
        r = e.answer()
        self.assertEqual(status(r), 200, r)
        self.assertEqual(header(r, "Contact"),
                         ['<sip:carol@10.0.0.5:5060>;expires=3600;received="sip:127.0.0.1:%d"' % e.uac.port])
        # A call to carol goes to the received address, with the registered URI.
        caller = Peer()
        try:
            caller.send(request(caller, "none", ruri="sip:carol@127.0.0.1", body=None), e.ser.port)
            m = e.uac.recv(2.0)
            self.assertIsNotNone(m, e.ser.output()[-2000:])
            self.assertTrue(m.startswith("INVITE sip:carol@10.0.0.5:5060 SIP/2.0"), m)
        finally:
            caller.close()

    def test_127_add_rcv_param(self):
        e = self.env
        e.send(request(e.uac, "rcv", method="REGISTER", ruri="sip:127.0.0.1", body=None, uas_port=e.uas.port,
                       contact="<sip:alice@10.0.0.5>;expires=60, <sip:alice@10.0.0.6>"))
        m = e.relayed()
        self.assertEqual(header(m, "Contact"),
                         ['<sip:alice@10.0.0.5>;expires=60;received="sip:127.0.0.1:%d", '
                          '<sip:alice@10.0.0.6>;received="sip:127.0.0.1:%d"' % (e.uac.port, e.uac.port)])


class ProxyHealth(unittest.TestCase):
    def test_123_wrong_version_disables(self):
        env = Env(fake=FakeRtpproxy(version="20040106"))
        try:
            self.assertEqual(status(env.ask("force")), 404)
            self.assertEqual(status(env.ask("unforce", method="BYE", body=None)), 404)
            self.assertEqual(env.fake.sent(), [])
            self.assertIn("unsupported protocol version '20040106'", env.ser.output())
        finally:
            env.close()

    def test_124_absent_then_started(self):
        env = Env(params='modparam("nathelper", "rtpproxy_disable_tout", 1)\n', start_fake=False)
        try:
            self.assertEqual(status(env.ask("force")), 404)
            env.fake.start()
            env.fake_started = True
            # Disabled for 1 s after the failure, then tested again and used.
            deadline = time.time() + 5
            while time.time() < deadline:
                env.send(request(env.uac, "force", uas_port=env.uas.port))
                r = env.answer(0.5)
                if r is None:
                    break   # relayed, not refused
                self.assertEqual(status(r), 404, r)
                time.sleep(0.2)
            self.assertIsNotNone(env.relayed())
            self.assertEqual(env.fake.sent(), ["U c1 127.0.0.1 4000 ft1;1"])
            errors = [l for l in env.ser.output().splitlines() if "disabled" in l]
            self.assertEqual(len(errors), 1, errors)   # one error for the burst
            self.assertIn("usable again", env.ser.output())
        finally:
            env.close()

    def test_125_udp_cookies(self):
        fake = FakeRtpproxy(udp_port=None).start()
        d = tempfile.mkdtemp(prefix="ser-it-nh-")
        uac, uas = Peer(), Peer()
        cfg = HEAD + ('modparam("nathelper", "rtpproxy_sock", "udp:127.0.0.1:%d")\n' % fake.udp_port) + \
            'modparam("nathelper", "rtpproxy_retr", 2)\n' + CASES.replace("@UAS@", str(uas.port))
        try:
            with Ser(cfg) as ser:
                uac.send(request(uac, "force", uas_port=uas.port), ser.port)
                self.assertIsNotNone(uas.recv(2.0), ser.output()[-2000:])
                cookies = [c for c in fake.commands if c.startswith("COOKIE ")]
                self.assertTrue(cookies and all(re.fullmatch(r"COOKIE \d+_\d+", c) for c in cookies), fake.commands)
                self.assertEqual(fake.sent()[-1], "U c1 127.0.0.1 4000 ft1;1")
                # Answers with another cookie are ignored: the call fails
                # after rtpproxy_retr sends of rtpproxy_tout seconds each.
                fake.cookie_override = "999_999"
                t0 = time.time()
                uac.send(request(uac, "force", callid="c2", uas_port=uas.port), ser.port)
                r = uac.recv(6.0)
                self.assertEqual(status(r), 404, r)
                self.assertGreaterEqual(time.time() - t0, 1.9)
                self.assertEqual(fake.sent().count("U c2 127.0.0.1 4000 ft1;1"), 2)
        finally:
            fake.stop()
            uac.close()
            uas.close()
            shutil.rmtree(d, ignore_errors=True)

    def test_weights_spread_and_dead_node_skipped(self):
        d = tempfile.mkdtemp(prefix="ser-it-nh-")
        a = FakeRtpproxy(path=os.path.join(d, "a.sock")).start()
        b = FakeRtpproxy(path=os.path.join(d, "b.sock")).start()
        uac, uas = Peer(), Peer()
        cfg = HEAD + ('modparam("nathelper", "rtpproxy_sock", "unix:%s=1 unix:%s=3")\n' % (a.path, b.path)) + \
            'modparam("nathelper", "rtpproxy_disable_tout", 2)\n' + CASES.replace("@UAS@", str(uas.port))
        try:
            with Ser(cfg) as ser:
                for i in range(40):
                    uac.send(request(uac, "force", callid="call-%d" % i, uas_port=uas.port), ser.port)
                    self.assertIsNotNone(uas.recv(2.0))
                na, nb = len(a.sent()), len(b.sent())
                self.assertEqual(na + nb, 40)
                self.assertTrue(4 <= na <= 18, (na, nb))   # about a quarter
                # A call keeps its proxy: the same Call-ID goes to the same one.
                owner = a if "U call-0 127.0.0.1 4000 ft1;1" in a.sent() else b
                a.clear(), b.clear()
                uac.send(request(uac, "force", callid="call-0", uas_port=uas.port), ser.port)
                uas.recv(2.0)
                self.assertEqual(len(owner.sent()), 1)
                # b dies: every call goes to a, b is retested after 2 s.
                b.stop()
                a.clear()
                for i in range(10):
                    uac.send(request(uac, "force", callid="x-%d" % i, uas_port=uas.port), ser.port)
                    self.assertIsNotNone(uas.recv(2.0), ser.output()[-2000:])
                self.assertEqual(len(a.sent()), 10)
                b.start()
                time.sleep(2.2)
                b.clear()
                for i in range(10):
                    uac.send(request(uac, "force", callid="y-%d" % i, uas_port=uas.port), ser.port)
                    uas.recv(2.0)
                self.assertGreater(len(b.sent()), 0)
        finally:
            for f in (a, b):
                if not f.stopping:
                    f.stop()
            uac.close()
            uas.close()
            shutil.rmtree(d, ignore_errors=True)


    def test_fifo_shows_and_disables_proxies(self):
        """nh_show_rtpp lists the proxies; nh_enable_rtpp takes one out of
        service (every call goes to the other) and back."""
        d = tempfile.mkdtemp(prefix="ser-it-nh-")
        a = FakeRtpproxy(path=os.path.join(d, "a.sock")).start()
        b = FakeRtpproxy(path=os.path.join(d, "b.sock")).start()
        uac, uas = Peer(), Peer()
        fifo = os.path.join(d, "ser_fifo")
        cfg = ('fifo="%s"\nfifo_dir="%s/"\n' % (fifo, d)) + HEAD + \
            ('modparam("nathelper", "rtpproxy_sock", "unix:%s=1 unix:%s=1")\n' % (a.path, b.path)) + \
            CASES.replace("@UAS@", str(uas.port))
        try:
            with Ser(cfg) as ser:
                def calls(prefix):
                    a.clear(), b.clear()
                    for i in range(10):
                        uac.send(request(uac, "force", callid="%s-%d" % (prefix, i), uas_port=uas.port), ser.port)
                        self.assertIsNotNone(uas.recv(2.0))
                    return len(a.sent()), len(b.sent())
                na, nb = calls("one")
                self.assertTrue(na and nb, (na, nb))
                show = fifo_command(fifo, "nh_show_rtpp", fifo_dir=d + "/")
                self.assertEqual(show, "200 ok\nunix:%s=1 weight=1 enabled\nunix:%s=1 weight=1 enabled\n" % (a.path, b.path))
                self.assertEqual(fifo_command(fifo, "nh_enable_rtpp", ["unix:" + b.path, "0"], fifo_dir=d + "/"),
                                 "200 RTP proxy unix:%s=1 disabled\n" % b.path)
                self.assertEqual(calls("two"), (10, 0))
                self.assertIn("unix:%s=1 weight=1 disabled\n" % b.path, fifo_command(fifo, "nh_show_rtpp", fifo_dir=d + "/"))
                self.assertEqual(fifo_command(fifo, "nh_enable_rtpp", ["unix:nosuch", "1"], fifo_dir=d + "/"),
                                 "404 nh_enable_rtpp: no RTP proxy unix:nosuch\n")
                fifo_command(fifo, "nh_enable_rtpp", ["unix:" + b.path, "1"], fifo_dir=d + "/")
                na, nb = calls("three")
                self.assertTrue(na and nb, (na, nb))
        finally:
            for f in (a, b):
                if not f.stopping:
                    f.stop()
            uac.close()
            uas.close()
            shutil.rmtree(d, ignore_errors=True)


class NatPings(unittest.TestCase):
    def ping_env(self, nated_only, fix, method=None):
        route = r'''
route {
  if (method == "REGISTER") {
    if (search("^X-Case: nat ")) setflag(6);
    if (search("^X-Fix: yes")) fix_nated_register();
    save("location");
    break;
  };
}
'''
        params = 'modparam("nathelper", "natping_interval", 1)\nmodparam("nathelper", "ping_nated_only", %d)\n' % nated_only
        if method:
            params += 'modparam("nathelper", "natping_method", "%s")\n' % method
        return Env(params=params, route=route)

    def register(self, env, case, contact, fix=False):
        env.send(request(env.uac, case, method="REGISTER", ruri="sip:127.0.0.1", body=None, contact=contact,
                         extra="X-Fix: yes" if fix else "").replace("To: <sip:bob@", "To: <sip:alice@"))
        self.assertEqual(status(env.answer()), 200)

    def pings(self, peer, seconds):
        got = []
        deadline = time.time() + seconds
        while time.time() < deadline:
            m = peer.sock
            m.settimeout(max(0.05, deadline - time.time()))
            try:
                data, _ = m.recvfrom(100)
                got.append(data)
            except OSError:
                pass
        return got

    def test_128_pings_nated_contacts(self):
        env = self.ping_env(nated_only=1, fix=False)
        try:
            target = Peer()
            self.register(env, "nat", "<sip:alice@127.0.0.1:%d>" % target.port)
            got = self.pings(target, 2.6)
            self.assertGreaterEqual(len(got), 2, env.ser.output()[-2000:])
            self.assertTrue(all(p == b"\0\0\0\0" for p in got), got)
            # ping_nated_only: a contact without the NAT flag gets none.
            other = Peer()
            self.register(env, "plain", "<sip:bob@127.0.0.1:%d>" % other.port)
            self.assertEqual(self.pings(other, 2.2), [])
            target.close(), other.close()
        finally:
            env.close()

    def test_129_pings_go_to_the_received_address(self):
        env = self.ping_env(nated_only=1, fix=True)
        try:
            self.register(env, "nat", "<sip:alice@10.0.0.5:5060>", fix=True)
            got = self.pings(env.uac, 2.6)
            self.assertGreaterEqual(len(got), 2, env.ser.output()[-2000:])
        finally:
            env.close()


    def test_natping_method_sends_requests_through_tm(self):
        env = self.ping_env(nated_only=1, fix=False, method="options")
        try:
            target = Peer()
            self.register(env, "nat", "<sip:alice@127.0.0.1:%d>" % target.port)
            m = target.recv(3.0)
            self.assertIsNotNone(m, env.ser.output()[-2000:])
            self.assertTrue(m.startswith("OPTIONS sip:alice@127.0.0.1:%d SIP/2.0" % target.port), m)
            self.assertEqual(header(m, "To"), ["<sip:alice@127.0.0.1:%d>" % target.port])
            self.assertTrue(header(m, "From")[0].startswith("<sip:registrar>;tag="), m)
            target.close()
        finally:
            env.close()


if __name__ == "__main__":
    main()
