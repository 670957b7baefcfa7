"""t_write_req / t_write_unix hand a request to an external application
(modules.md §3.11); the application answers through the management command
t_reply, or fr_timer ends the wait with 408. Real ser, real FIFOs and unix
sockets, a Python UAC on UDP."""

import os
import select
import shutil
import socket
import tempfile
import time
import unittest

from sertest import *  # noqa


def read_fifo_message(fd, timeout=3.0):
    """One t_write_req message (it ends where the writer closes)."""
    out, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            chunk = os.read(fd, 65536)
            out += chunk
            if out and not chunk:
                break
        elif out:
            break
    return out.decode()


def request(uac, method, user, body="", callid=None):
    lines = ["%s sip:%s@127.0.0.1 SIP/2.0" % (method, user),
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%f" % (uac.port, time.time()),
             "Max-Forwards: 70",
             "From: \"Alice\" <sip:alice@example.com>;tag=ft1",
             "To: <sip:%s@example.com>" % user,
             "Call-ID: " + (callid or "tw-%f" % time.time()),
             "CSeq: 7 " + method,
             "Contact: <sip:alice@127.0.0.1:%d>" % uac.port,
             "Record-Route: <sip:p1.example.com;lr>",
             "User-Agent: tw-test",
             "Content-Type: text/plain",
             "Content-Length: %d" % len(body)]
    return "\r\n".join(lines) + "\r\n\r\n" + body


class TWrite(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ser-it-tw-")
        self.app_fifo = os.path.join(self.dir, "app_fifo")
        self.app_sock = os.path.join(self.dir, "app.sock")
        self.fifo = os.path.join(self.dir, "ser_fifo")
        os.mkfifo(self.app_fifo, 0o600)
        self.app_fd = os.open(self.app_fifo, os.O_RDONLY | os.O_NONBLOCK)
        self.app = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.app.bind(self.app_sock)
        self.uac = Peer()
        cfg = """listen=udp:127.0.0.1:@PORT@
fork=no
log_stderror=yes
fifo="%s"
fifo_dir="%s/"
loadmodule "%s"
loadmodule "%s"
modparam("tm", "fr_timer", 2)
modparam("tm", "tw_append", "extra: ua=hdr[User-Agent]; body=msg[body]")
route {
    if (method == "ACK") { t_relay(); break; };
    t_newtran();
    if (uri =~ "^sip:vm@") {
        if (!t_write_unix("%s", "voicemail/extra")) { t_reply("503", "no application"); };
        break;
    };
    if (uri =~ "^sip:nobody@") {
        if (!t_write_req("%s/no_such_fifo", "voicemail")) { t_reply("503", "no application"); };
        break;
    };
    if (!t_write_req("%s", "voicemail")) { t_reply("503", "no application"); };
}
""" % (self.fifo, self.dir, module_path("sl"), module_path("tm"), self.app_sock, self.dir, self.app_fifo)
        self.ser = Ser(cfg).__enter__()

    def tearDown(self):
        try:
            self.ser.__exit__(None, None, None)
        finally:
            os.close(self.app_fd)
            self.app.close()
            self.uac.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def replies(self, timeout=4.0):
        out, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.uac.recv(max(0.05, deadline - time.monotonic()))
            if not m:
                break
            out.append(m)
            if status(m) >= 200:
                break
        return out

    def test_fifo_application_answers_with_t_reply(self):
        self.uac.send(request(self.uac, "MESSAGE", "bob", body="hello"), self.ser.port)
        lines = read_fifo_message(self.app_fd).split("\n")
        self.assertEqual(lines[0], "0.3")
        self.assertEqual(lines[1], "sip_request.voicemail")
        self.assertEqual(lines[2:5], ["MESSAGE", "bob", "127.0.0.1"])
        self.assertEqual(lines[5], "127.0.0.1")
        self.assertEqual(lines[6], str(self.ser.port))
        self.assertEqual(lines[7], "sip:bob@127.0.0.1")
        self.assertEqual(lines[8], "sip:alice@127.0.0.1:%d" % self.uac.port)
        self.assertEqual(lines[9], "\"Alice\" <sip:alice@example.com>;tag=ft1")
        self.assertEqual(lines[10], "<sip:bob@example.com>")
        self.assertEqual(lines[12:15], ["ft1", "", "7"])
        self.assertRegex(lines[15], r"^\d+:\d+$")
        self.assertEqual(lines[16], "<sip:p1.example.com;lr>")
        self.assertEqual(lines[17], "sip:p1.example.com;lr")
        self.assertEqual(lines[18:20], ["P-MsgFlags: 0", "."])
        self.assertEqual(lines[20], ".")   # no body for a MESSAGE without msg[body]
        rep = fifo_command(self.fifo, "t_reply", ["202", "Accepted", lines[15], "apptag", "X-App: yes", "", "."],
                           fifo_dir=self.dir + "/")
        self.assertEqual(rep, "200 fifo_t_reply succeeded\n")
        final = self.replies()[-1]
        self.assertEqual(status(final), 202)
        self.assertIn(";tag=apptag", header(final, "To")[0])
        self.assertEqual(header(final, "X-App"), ["yes"])
        # The transaction is answered: a second t_reply finds it done.
        rep = fifo_command(self.fifo, "t_reply", ["200", "OK", lines[15], "x", "", "."], fifo_dir=self.dir + "/")
        self.assertEqual(rep, "500 fifo_t_reply: reply failed")

    def test_unix_application_gets_the_append_and_times_out(self):
        self.uac.send(request(self.uac, "MESSAGE", "vm", body="for the box"), self.ser.port)
        self.app.settimeout(3)
        msg = self.app.recv(65536).decode()
        lines = msg.split("\n")
        self.assertEqual(lines[1], "sip_request.voicemail")
        self.assertEqual(lines[18:21], ["P-MsgFlags: 0", "ua: tw-test", "."])
        self.assertEqual(lines[21], "for the box")
        # Nobody answers: fr_timer (2 s) ends the blind branch with 408.
        t0 = time.monotonic()
        final = self.replies(timeout=5)[-1]
        self.assertEqual(status(final), 408)
        self.assertGreater(time.monotonic() - t0, 1.5)

    def test_no_application_fails_the_function(self):
        self.uac.send(request(self.uac, "MESSAGE", "nobody"), self.ser.port)
        final = self.replies()[-1]
        self.assertEqual(status(final), 503)
        self.assertIn("failed to open [%s/no_such_fifo]" % self.dir, self.ser.output())

    def test_unknown_transaction(self):
        rep = fifo_command(self.fifo, "t_reply", ["200", "OK", "1:2", "x", "", "."], fifo_dir=self.dir + "/")
        self.assertEqual(rep, "481 fifo_t_reply: no such transaction")
        rep = fifo_command(self.fifo, "t_reply", ["abc"], fifo_dir=self.dir + "/")
        self.assertEqual(rep, "400 fifo_t_reply: code(int) has wrong format")


if __name__ == "__main__":
    main()
