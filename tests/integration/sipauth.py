"""A small SIP phone for integration tests: REGISTER and requests with RFC
2617 digest answers computed here (hashlib), over a real UDP socket."""

import hashlib
import re

from sertest import Peer, status, header


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def parse_challenge(value):
    """Digest realm="x", nonce="y", qop="auth" -> dict (quotes removed)."""
    out = {}
    for k, v in re.findall(r'(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)', value):
        out[k.lower()] = v[1:-1] if v.startswith('"') else v
    return out


def digest_header(ch, user, password, method, uri, nc=1, cnonce="0a4f113b", realm=None):
    realm = ch.get("realm", "") if realm is None else realm
    ha1 = md5("%s:%s:%s" % (user, realm, password))
    ha2 = md5("%s:%s" % (method, uri))
    qop = "auth" if "auth" in ch.get("qop", "").split(",") else ""
    if qop:
        ncs = "%08x" % nc
        resp = md5("%s:%s:%s:%s:%s:%s" % (ha1, ch["nonce"], ncs, cnonce, qop, ha2))
        extra = ', qop=auth, nc=%s, cnonce="%s"' % (ncs, cnonce)
    else:
        resp = md5("%s:%s:%s" % (ha1, ch["nonce"], ha2))
        extra = ""
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5%s'
            % (user, realm, ch["nonce"], uri, resp, extra))


class Phone:
    """One UDP phone; `ser_port` is the proxy's."""

    def __init__(self, ser_port, user, domain, password):
        self.peer = Peer()
        self.port = self.peer.port
        self.ser_port = ser_port
        self.user, self.domain, self.password = user, domain, password
        self.cseq = 0
        self.n = 0

    def close(self):
        self.peer.close()

    def final(self, timeout=3.0):
        """The next final reply (provisionals skipped), or None."""
        while True:
            m = self.peer.recv(timeout)
            if m is None or (status(m) or 0) >= 200:
                return m

    def register_once(self, contacts=None, expires=None, auth=None, call_id=None, extra=""):
        """One REGISTER (no retry on 401). contacts: list of Contact header
        values (default: this phone's address); [] sends none."""
        self.cseq += 1
        if contacts is None:
            contacts = ["<sip:%s@127.0.0.1:%d>" % (self.user, self.port)]
        lines = [
            "REGISTER sip:%s SIP/2.0" % self.domain,
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-r%d-%d" % (self.port, self.port, self.cseq),
            "Max-Forwards: 70",
            "From: <sip:%s@%s>;tag=f%d" % (self.user, self.domain, self.port),
            "To: <sip:%s@%s>" % (self.user, self.domain),
            "Call-ID: %s" % (call_id or "reg-%d@127.0.0.1" % self.port),
            "CSeq: %d REGISTER" % self.cseq,
        ]
        lines += ["Contact: %s" % c for c in contacts]
        if expires is not None:
            lines.append("Expires: %s" % expires)
        if auth:
            lines.append("Authorization: %s" % auth)
        lines.append("User-Agent: it-phone")
        text = "\r\n".join(lines) + "\r\n" + extra + "Content-Length: 0\r\n\r\n"
        self.peer.send(text.encode(), self.ser_port)
        return self.final()

    def register(self, contacts=None, expires=None, password=None, user=None):
        """REGISTER, answer the 401, return the final reply of the second."""
        r = self.register_once(contacts, expires)
        if r is None or status(r) != 401:
            return r
        ch = parse_challenge(header(r, "WWW-Authenticate")[0])
        auth = digest_header(ch, user or self.user, password or self.password, "REGISTER", "sip:" + self.domain)
        return self.register_once(contacts, expires, auth=auth)

    def bindings(self, reply):
        """The contacts listed in a 200 to REGISTER: [(uri, params)]."""
        out = []
        for value in header(reply, "Contact"):
            for entry in re.findall(r'<([^>]*)>([^,]*)', value):
                out.append(entry)
        return out
