"""Stateless routing through a running ser with real sockets and sipp phones
(issue #4): INVITE/200/ACK/BYE relayed over UDP and TCP, 483 on
Max-Forwards 0, 513 above max_len, a textops edit on the wire, replies
routed back by Via with received/rport."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa

CFG = r'''
debug=3
listen=udp:127.0.0.1:@PORT@ tcp:127.0.0.1:@PORT@
children=2
tcp_children=2
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    break;
  };
  if (msg:len > max_len) {
    sl_send_reply("513", "Message Overflow");
    break;
  };
  append_hf("X-Proxied: yes\r\n");
  if (proto==TCP) {
    forward_tcp(uri:host, uri:port);
    break;
  };
  forward(uri:host, uri:port);
}
'''


def invite(ruri, via_host, via_port, extra="", mf="70"):
    return crlf(
        "INVITE %s SIP/2.0\n"
        "Via: SIP/2.0/UDP %s:%d;rport;branch=z9hG4bK-%d\n"
        "Max-Forwards: %s\n"
        "From: <sip:alice@example.com>;tag=ft1\n"
        "To: <sip:bob@example.com>\n"
        "Call-ID: it-%d@127.0.0.1\n"
        "CSeq: 1 INVITE\n"
        "Contact: <sip:alice@127.0.0.1:%d>\n"
        "%s"
        "Content-Length: @CL@\n\n" % (ruri, via_host, via_port, via_port, mf, via_port, via_port, extra))


class StatelessTest(unittest.TestCase):
    def test_sipp_calls_over_udp(self):
        uas_port = free_port()
        uac_port = free_port()
        with Ser(CFG) as ser:
            uas = start_sipp(["-sn", "uas", "-i", "127.0.0.1", "-p", str(uas_port)])
            try:
                rc, out = run_sipp(["127.0.0.1:%d" % uas_port, "-sn", "uac", "-rsa", "127.0.0.1:%d" % ser.port,
                                    "-i", "127.0.0.1", "-p", str(uac_port), "-m", "20", "-r", "20", "-l", "10"])
                self.assertEqual(rc, 0, out + ser.output())
                self.assertRegex(out, r"Successful call\s+\|\s+\d+\s+\|\s+20")
            finally:
                stop_proc(uas)
            self.assertTrue(ser.alive())

    def test_sipp_calls_over_tcp(self):
        uas_port = free_port()
        uac_port = free_port()
        with Ser(CFG) as ser:
            uas = start_sipp(["-sn", "uas", "-t", "t1", "-i", "127.0.0.1", "-p", str(uas_port)])
            try:
                rc, out = run_sipp(["127.0.0.1:%d" % uas_port, "-sn", "uac", "-t", "t1",
                                    "-rsa", "127.0.0.1:%d" % ser.port, "-i", "127.0.0.1", "-p", str(uac_port),
                                    "-m", "10", "-r", "10", "-l", "5"])
                self.assertEqual(rc, 0, out + ser.output())
            finally:
                stop_proc(uas)

    def test_483_on_max_forwards_zero(self):
        with Ser(CFG) as ser:
            uac = Peer()
            uac.send(invite("sip:bob@127.0.0.1:9", "127.0.0.1", uac.port, mf="0"), ser.port)
            r = uac.recv()
            self.assertIsNotNone(r, ser.output())
            self.assertTrue(r.startswith("SIP/2.0 483 Too Many Hops\r\n"), r)
            self.assertEqual(header(r, "Call-ID"), ["it-%d@127.0.0.1" % uac.port])

    def test_513_above_max_len_over_tcp(self):
        with Ser(CFG) as ser:
            big = "X-Padding: " + "a" * 70000 + "\n"
            msgs = tcp_exchange(ser.port, invite("sip:bob@127.0.0.1:9", "127.0.0.1", 5070, extra=big))
            self.assertEqual(len(msgs), 1, ser.output())
            self.assertTrue(msgs[0].startswith("SIP/2.0 513 Message Overflow\r\n"), msgs[0][:200])

    def test_textops_edit_and_reply_routing_by_via(self):
        with Ser(CFG) as ser:
            uac = Peer()
            uas = Peer()
            # The Via claims a private address: ser must add received= and fill rport.
            uac.send(invite("sip:bob@127.0.0.1:%d" % uas.port, "10.0.0.5", 5060), ser.port)
            req = uas.recv()
            self.assertIsNotNone(req, ser.output())
            self.assertEqual(header(req, "X-Proxied"), ["yes"])
            vias = header(req, "Via")
            self.assertEqual(vias[0], "SIP/2.0/UDP 127.0.0.1:%d;branch=0" % ser.port)
            self.assertEqual(vias[1], "SIP/2.0/UDP 10.0.0.5:5060;received=127.0.0.1;rport=%d;branch=z9hG4bK-5060"
                             % uac.port)
            self.assertEqual(header(req, "Max-Forwards"), ["16"])
            # The callee answers to ser; ser strips its Via and sends the reply
            # to received:rport, i.e. back to the caller's real address.
            lines = req.split("\r\n")
            via_lines = [l for l in lines if l.startswith("Via:")]
            reply = ("SIP/2.0 200 OK\r\n" + "\r\n".join(via_lines) + "\r\n"
                     "From: <sip:alice@example.com>;tag=ft1\r\nTo: <sip:bob@example.com>;tag=tt1\r\n"
                     "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n" % header(req, "Call-ID")[0])
            uas.send(reply.encode(), ser.port)
            got = uac.recv()
            self.assertIsNotNone(got, ser.output())
            self.assertTrue(got.startswith("SIP/2.0 200 OK"))
            self.assertEqual(header(got, "Via"), [via_lines[1][5:]])


class Ipv6Test(unittest.TestCase):
    def test_forwarding_over_ipv6(self):
        port = free_port()
        cfg = CFG.replace("listen=udp:127.0.0.1:@PORT@ tcp:127.0.0.1:@PORT@", "listen=udp:[::1]:%d" % port)
        with Ser(cfg, port=port) as ser:
            uac = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            uas = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            uac.bind(("::1", 0))
            uas.bind(("::1", 0))
            uas.settimeout(3)
            uac.settimeout(3)
            try:
                msg = invite("sip:bob@[::1]:%d" % uas.getsockname()[1], "[::1]", uac.getsockname()[1])
                uac.sendto(msg, ("::1", port))
                req = uas.recv(65535).decode()
                vias = header(req, "Via")
                self.assertEqual(vias[0], "SIP/2.0/UDP [::1]:%d;branch=0" % port)
                self.assertTrue(vias[1].startswith("SIP/2.0/UDP [::1]:%d;rport=%d;" % (uac.getsockname()[1],
                                                                                        uac.getsockname()[1])), vias[1])
                lines = [l for l in req.split("\r\n") if l.startswith("Via:")]
                reply = ("SIP/2.0 486 Busy Here\r\n" + "\r\n".join(lines) + "\r\n"
                         "From: <sip:alice@example.com>;tag=ft1\r\nTo: <sip:bob@example.com>;tag=tt1\r\n"
                         "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n" % header(req, "Call-ID")[0])
                uas.sendto(reply.encode(), ("::1", port))
                got = uac.recv(65535).decode()
                self.assertTrue(got.startswith("SIP/2.0 486 Busy Here"), got)
            finally:
                uac.close()
                uas.close()


if __name__ == "__main__":
    main()
