"""One call with media through a SIP proxy that puts an RTP relay in the
path: a caller and a callee (raw UDP SIP on 127.0.0.1), each with its own
RTP socket, that send 20 ms packets to whatever address and port the other
side's SDP (as rewritten by the proxy) names, and count what arrives and
from where. Used with ser + nathelper and with Kamailio's rtpproxy module,
against our rtpproxy and rtpengine."""

import re
import socket
import struct
import time

from sertest import Peer, header, status


class RtpEndpoint:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.seq = 0
        self.received = 0
        self.sources = set()

    def send(self, addr, port, n=1):
        for _ in range(n):
            self.seq += 1
            pkt = struct.pack("!BBHII", 0x80, 0, self.seq & 0xFFFF, self.seq * 160, 0x1234) + b"\xff" * 160
            self.sock.sendto(pkt, (addr, port))

    def drain(self):
        while True:
            try:
                _, src = self.sock.recvfrom(2048)
            except BlockingIOError:
                return
            self.received += 1
            self.sources.add(src)

    def close(self):
        self.sock.close()


def sdp_media(body):
    """(address, port) of the first c= and m= lines."""
    c = re.search(r"(?m)^c=IN IP4 (\S+)", body)
    m = re.search(r"(?m)^m=audio (\d+)", body)
    return (c.group(1) if c else None, int(m.group(1)) if m else None)


def sdp(port, sess="1"):
    return ("v=0\r\no=- %s 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" % (sess, port))


def flow(a, a_to, b, b_to, packets=25):
    """a sends to a_to, b to b_to, 20 ms apart; returns what each received."""
    a.received = b.received = 0
    for _ in range(packets):
        a.send(*a_to)
        b.send(*b_to)
        time.sleep(0.02)
        a.drain()
        b.drain()
    time.sleep(0.2)
    a.drain()
    b.drain()
    return a.received, b.received


class Call:
    """A dialog between a caller and a callee through `proxy_port`: the
    callee answers every request it gets (200, with SDP for INVITEs)."""

    def __init__(self, proxy_port, callid="media-call-1"):
        self.proxy = proxy_port
        self.caller, self.callee = Peer(), Peer()
        self.caller_rtp, self.callee_rtp = RtpEndpoint(), RtpEndpoint()
        self.callid = callid
        self.cseq = 0
        self.route = []
        self.offer = self.answer = None   # the SDP each side received: (addr, port)

    def close(self):
        for x in (self.caller, self.callee, self.caller_rtp, self.callee_rtp):
            x.close()

    def _request(self, method, ruri, to_tag, body):
        self.cseq += 1
        lines = ["%s %s SIP/2.0" % (method, ruri),
                 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%d;rport" % (self.caller.port, method, self.cseq),
                 "Max-Forwards: 70",
                 "From: <sip:alice@example.com>;tag=caller-tag",
                 "To: <sip:bob@example.com>" + (";tag=" + to_tag if to_tag else ""),
                 "Call-ID: " + self.callid,
                 "CSeq: %d %s" % (self.cseq, method),
                 "Contact: <sip:alice@127.0.0.1:%d>" % self.caller.port]
        lines += ["Route: " + r for r in self.route]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append("Content-Length: %d" % len(body.encode()))
        return "\r\n".join(lines) + "\r\n\r\n" + body

    def _answer_at_callee(self, with_sdp, timeout=3.0):
        """The callee answers the next request relayed to it; returns it."""
        req = self.callee.recv(timeout)
        if req is None:
            return None
        head = req.partition("\r\n\r\n")[0].split("\r\n")
        keep = [l for l in head if l.split(":")[0].lower() in ("via", "from", "call-id", "cseq", "record-route")]
        to = [l for l in head if l.lower().startswith("to:")][0]
        if ";tag=" not in to:
            to += ";tag=callee-tag"
        body = sdp(self.callee_rtp.port, "2") if with_sdp else ""
        reply = "\r\n".join(["SIP/2.0 200 OK"] + keep + [to, "Contact: <sip:bob@127.0.0.1:%d>" % self.callee.port] +
                            (["Content-Type: application/sdp"] if body else []) +
                            ["Content-Length: %d" % len(body.encode())]) + "\r\n\r\n" + body
        self.callee.sock.sendto(reply.encode(), self.callee.last_from)
        return req

    def _final(self, timeout=3.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.caller.recv(max(0.05, deadline - time.time()))
            if r is not None and status(r) and status(r) >= 200:
                return r
        return None

    def invite(self, to_tag=None):
        """INVITE (or re-INVITE with `to_tag`), answered with SDP, then ACK.
        Returns (request seen by the callee, final reply seen by the caller)."""
        ruri = "sip:bob@127.0.0.1:%d" % self.callee.port
        self.caller.send(self._request("INVITE", ruri, to_tag, sdp(self.caller_rtp.port)), self.proxy)
        req = self._answer_at_callee(with_sdp=True)
        final = self._final()
        if req is None or final is None:
            return req, final
        self.offer = sdp_media(req.partition("\r\n\r\n")[2])
        self.answer = sdp_media(final.partition("\r\n\r\n")[2])
        self.route = list(reversed(header(final, "Record-Route")))
        self.to_tag = re.search(r";tag=([^;>\s]+)", header(final, "To")[0]).group(1)
        self.caller.send(self._request("ACK", ruri, self.to_tag, ""), self.proxy)
        self.cseq -= 1   # ACK reuses the INVITE's number
        self.callee.recv(1.0)   # the ACK relayed (or not, statelessly it still is)
        self.cseq += 1
        return req, final

    def media(self, packets=25):
        """(caller received, callee received) with each sending to the SDP it got."""
        return flow(self.caller_rtp, self.answer, self.callee_rtp, self.offer, packets)

    def bye(self):
        ruri = "sip:bob@127.0.0.1:%d" % self.callee.port
        self.caller.send(self._request("BYE", ruri, self.to_tag, ""), self.proxy)
        self._answer_at_callee(with_sdp=False)
        return self._final()
