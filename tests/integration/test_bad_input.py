"""Bad input through a running server (issue #4): every RFC 4475 torture
message over UDP as EXPECTED.md says, then truncated, oversize, binary
garbage and half-TCP-stream input. ser must answer or drop, log, never
crash or hang, and keep serving."""

import glob
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa

DATA = os.environ.get("SER_TESTDATA_DIR", os.path.join(SOURCE_DIR, "tests", "data", "rfc4475"))

CFG = r'''
listen=udp:127.0.0.1:@PORT@ tcp:127.0.0.1:@PORT@
children=2
tcp_children=1
loadmodule "sl.so"
loadmodule "maxfwd.so"
route {
  force_rport();
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    break;
  };
  if (method=="ACK") { break; };
  sl_send_reply("404", "Not Here");
}
'''

# Invalid requests that carry a usable Via get this status from ser; the
# others are requests dropped for lack of an answerable Via, or responses.
EXPECT_STATUS = {
    "badvers.dat": 505,
    "zeromf.dat": 483,
}
INVALID = {"badinv01.dat", "clerr.dat", "ncl.dat", "scalar02.dat", "scalarlg.dat", "quotbal.dat",
           "ltgtruri.dat", "lwsruri.dat", "lwsstart.dat", "trws.dat", "escruri.dat", "badvers.dat",
           "mismatch01.dat", "mismatch02.dat", "bigcode.dat", "insuf.dat", "multi01.dat", "mcl01.dat",
           "badaspec.dat", "baddn.dat"}
# baddate.dat and regbadct.dat are routed like valid requests: a proxy never
# reads Date, and the mangled Contact of regbadct is refused by the Contact
# parser that a registrar uses (tests/sip/rfc4475_test.cpp), not by routing.


def ping(ser_port, peer):
    """ser still answers a plain OPTIONS."""
    peer.send("OPTIONS sip:x@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-p%d\n"
              "From: <sip:a@b>;tag=1\nTo: <sip:x@127.0.0.1>\nCall-ID: ping-%d\nCSeq: 1 OPTIONS\n"
              "Content-Length: 0\n\n" % (peer.port, random.randint(0, 1 << 30), peer.port), ser_port)
    for _ in range(10):
        r = peer.recv(1.0)
        if r and "Call-ID: ping-%d" % peer.port in r:
            return r
    return None


class BadInputTest(unittest.TestCase):
    def test_rfc4475_over_udp(self):
        files = sorted(glob.glob(os.path.join(DATA, "*.dat")))
        self.assertEqual(len(files), 49)
        with Ser(CFG) as ser:
            peer = Peer()
            for path in files:
                name = os.path.basename(path)
                with open(path, "rb") as f:
                    data = f.read()
                peer.send(data, ser.port)
                answers = peer.recv_all(0.3)
                self.assertTrue(ser.alive(), name + "\n" + ser.output())
                codes = [status(a) for a in answers]
                is_request = not data.startswith(b"SIP/2.0")
                if name in EXPECT_STATUS:
                    self.assertIn(EXPECT_STATUS[name], codes, name)
                elif name in INVALID and is_request:
                    # Answered (with force_rport, back to us) or dropped; never routed.
                    for c in codes:
                        self.assertIn(c, (400, 505), name)
                elif not is_request:
                    # Responses are never answered; valid ones are forwarded by Via.
                    self.assertEqual(codes, [], name)
                # Nothing malformed was forwarded to us as a request.
                for a in answers:
                    self.assertTrue(a.startswith("SIP/2.0 "), name + ": " + a[:80])
            self.assertIsNotNone(ping(ser.port, peer), ser.output())

    def test_garbage_truncated_oversize(self):
        with Ser(CFG) as ser:
            peer = Peer()
            rnd = random.Random(4475)
            good = crlf("INVITE sip:x@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-g\n"
                        "From: <sip:a@b>;tag=1\nTo: <sip:x@127.0.0.1>\nCall-ID: g1\nCSeq: 1 INVITE\n"
                        "Content-Length: 4\n\nabcd" % peer.port)
            cases = [b"", b"\x00" * 40, bytes(rnd.getrandbits(8) for _ in range(1400)),
                     b"INVITE", b"INVITE sip:x SIP/2.0\r\n", good[:len(good) // 2], good[:-2],
                     b"SIP/2.0 200 OK\r\n\r\n", b"\r\n\r\n" * 20, good.replace(b"SIP/2.0\r\n", b"SIP/2.0\r\n\x00\x01")]
            for _ in range(200):  # bounded fuzz: random byte flips of a valid message
                b = bytearray(good)
                for _ in range(rnd.randint(1, 8)):
                    b[rnd.randrange(len(b))] = rnd.getrandbits(8)
                cases.append(bytes(b))
            for c in cases:
                peer.send(c, ser.port)
            peer.recv_all(0.3)
            # Oversize datagram (65507 bytes, the UDP maximum).
            big = good.replace(b"Content-Length: 4", b"X-Big: " + b"x" * 65000 + b"\r\nContent-Length: 4")
            peer.send(big[:65507], ser.port)
            peer.recv_all(0.3)
            self.assertTrue(ser.alive(), ser.output())
            self.assertIsNotNone(ping(ser.port, peer), ser.output())

    def test_half_tcp_stream_and_garbage_stream(self):
        with Ser(CFG) as ser:
            # A half message, then the connection closes.
            s = socket.create_connection(("127.0.0.1", ser.port))
            s.sendall(b"INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-h\r\nContent-Len")
            s.close()
            # Headers announcing more body than ever arrives, connection kept open.
            s2 = socket.create_connection(("127.0.0.1", ser.port))
            s2.sendall(b"INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-h\r\n"
                       b"Content-Length: 500\r\n\r\nabc")
            # Binary garbage with no header end, larger than any message.
            s3 = socket.create_connection(("127.0.0.1", ser.port))
            try:
                s3.sendall(bytes(random.Random(1).getrandbits(8) for _ in range(300000)))
            except OSError:
                pass  # ser closed it, as it should
            s3.close()
            # A bad Content-Length closes the stream.
            s4 = socket.create_connection(("127.0.0.1", ser.port))
            s4.sendall(b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: abc\r\n\r\n")
            s4.settimeout(3)
            try:
                self.assertEqual(s4.recv(10), b"")
            except ConnectionResetError:
                pass
            s4.close()
            # The server still works over TCP and UDP while s2 hangs half-sent.
            msgs = tcp_exchange(ser.port, "OPTIONS sip:x@127.0.0.1 SIP/2.0\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-t\n"
                                          "From: <sip:a@b>;tag=1\nTo: <sip:x@127.0.0.1>\nCall-ID: t9\nCSeq: 1 OPTIONS\n"
                                          "Content-Length: 0\n\n")
            self.assertEqual(len(msgs), 1, ser.output())
            self.assertTrue(msgs[0].startswith("SIP/2.0 404 Not Here"))
            self.assertIsNotNone(ping(ser.port, Peer()), ser.output())
            s2.close()
            self.assertTrue(ser.alive())

    def test_tcp_content_length_with_garbage_or_conflict_closes(self):
        """`Content-Length: 12abc` and two different lengths make the stream
        unframeable: ser closes the connection without routing the message
        (an earlier reader read 12abc as 12 and took the first length)."""
        def closed_unanswered(data):
            s = socket.create_connection(("127.0.0.1", ser.port))
            s.settimeout(3)
            s.sendall(data)
            got = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
            except ConnectionResetError:
                pass
            except socket.timeout:
                self.fail("connection still open after %r\n%s" % (data[:60], ser.output()))
            finally:
                s.close()
            self.assertEqual(got, b"", ser.output())

        head = ("OPTIONS sip:x@127.0.0.1 SIP/2.0\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-cl%d\n"
                "From: <sip:a@b>;tag=1\nTo: <sip:x@127.0.0.1>\nCall-ID: cl%d\nCSeq: 1 OPTIONS\n")
        with Ser(CFG) as ser:
            closed_unanswered(crlf(head % (1, 1) + "Content-Length: 12abc\n\n") + b"twelve bytes")
            closed_unanswered(crlf(head % (2, 2) + "Content-Length: 0\nl: 4\n\n") + b"abcd")
            self.assertIn("bad Content-Length", ser.output())
            self.assertTrue(ser.alive(), ser.output())
            msgs = tcp_exchange(ser.port, head % (3, 3) + "Content-Length: 0\n\n")
            self.assertEqual(len(msgs), 1, ser.output())
            self.assertTrue(msgs[0].startswith("SIP/2.0 404 Not Here"))
            self.assertIsNotNone(ping(ser.port, Peer()), ser.output())


if __name__ == "__main__":
    main()
