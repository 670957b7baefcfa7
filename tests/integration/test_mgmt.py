"""ser's management interfaces against a running ser: the FIFO (core
commands, the protocol's quirks, reply-fifo safety checks, time limits),
the module commands (usrloc ul_*, sl_stats, tm t_uac_dlg / t_uac_cancel /
t_reply / t_stats / t_hash), the DB command on SQLite and the unix datagram
socket. Spec: core-runtime.md §11, §12 item 5; modules.md §2.4, §3.12, §6.5."""

import os
import re
import select
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa

SER_DB = os.path.join(SOURCE_DIR, "tools", "ser-db")
SERVER_RE = r"Server: ser \(\S+ \(x86_64/linux\)\)"
CTIME_RE = r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}"


# ---- clients -------------------------------------------------------------------

class ReplyFifo:
    """A reply FIFO the client creates (mkfifo) and reads (non-blocking + poll)."""

    def __init__(self, path):
        self.path = path
        os.mkfifo(path, 0o600)
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)

    def read(self, timeout=3.0):
        """The whole reply once the server closed it; None when no writer
        came within `timeout` (or what came so far when it stopped)."""
        p = select.poll()
        p.register(self.fd, select.POLLIN | select.POLLHUP)
        out, wrote, deadline = b"", False, time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out.decode(errors="replace") if wrote else None
            ev = p.poll(left * 1000)
            if not ev:
                continue
            chunk = os.read(self.fd, 65536)
            if chunk:
                out += chunk
                wrote = True
            elif ev[0][1] & select.POLLHUP:
                # A writer came and went (Linux reports HUP only after one).
                return out.decode(errors="replace")
            else:
                time.sleep(0.01)

    def close(self):
        os.close(self.fd)
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class FifoClient:
    def __init__(self, fifo, fifo_dir):
        self.fifo, self.dir, self.n = fifo, fifo_dir, 0

    def name(self):
        self.n += 1
        return "rpl%d_%d" % (os.getpid(), self.n)

    def write(self, data):
        fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        try:
            data = data.encode() if isinstance(data, str) else data
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)

    def reply_fifo(self, name=None):
        return ReplyFifo(os.path.join(self.dir, name or self.name()))

    @staticmethod
    def request(command, name, lines=(), end="\n"):
        return ":%s:%s\n" % (command, name) + "".join(l + "\n" for l in lines) + end

    def cmd(self, command, lines=(), timeout=3.0, end="\n"):
        """One request ended by its empty line; the reply text or None."""
        r = self.reply_fifo()
        try:
            self.write(self.request(command, os.path.basename(r.path), lines, end))
            return r.read(timeout)
        finally:
            r.close()


def unix_request(server_path, client_path, data, timeout=3.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.bind(client_path)
        s.settimeout(timeout)
        s.sendto(data.encode(), server_path)
        try:
            return s.recv(65536).decode(errors="replace")
        except socket.timeout:
            return None
    finally:
        s.close()
        os.unlink(client_path)


def sip_request(method, ruri, port, call_id, extra="", cseq=1, maxfwd=70, to=None):
    return crlf("%s %s SIP/2.0\n"
                "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%d\n"
                "Max-Forwards: %d\n"
                "From: <sip:tester@127.0.0.1>;tag=ft-%s\n"
                "To: <%s>\n"
                "Call-ID: %s\n"
                "CSeq: %d %s\n"
                "%s"
                "Content-Length: 0\n\n" % (method, ruri, port, call_id, cseq, maxfwd, call_id,
                                           to or ruri.split(";")[0], call_id, cseq, method, extra))


def answer(req, code, reason, to_tag="peer1", extra=""):
    """A reply to a request text: its Via, From, Call-ID, CSeq; To + tag."""
    hs = []
    for name in ("Via", "From", "Call-ID", "CSeq"):
        hs += ["%s: %s" % (name, v) for v in header(req, name)]
    to = header(req, "To")[0]
    if "tag=" not in to:
        to += ";tag=" + to_tag
    hs.append("To: " + to)
    return crlf("SIP/2.0 %d %s\n%s\n%sContent-Length: 0\n\n" % (code, reason, "\n".join(hs), extra))


def recv_reply(peer, call_id, timeout=3.0):
    """The first final reply of that call (provisional ones skipped)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = peer.recv(max(0.05, deadline - time.time()))
        if m and m.startswith("SIP/2.0 ") and header(m, "Call-ID") == [call_id] and status(m) >= 200:
            return m
    return None


def ack_for(inv_text, final):
    """The ACK of a non-2xx final reply: the INVITE's branch, the reply's To."""
    lines = ["ACK %s SIP/2.0" % inv_text.split(" ")[1], "Via: " + header(inv_text, "Via")[0],
             "Max-Forwards: 70", "From: " + header(inv_text, "From")[0], "To: " + header(final, "To")[0],
             "Call-ID: " + header(inv_text, "Call-ID")[0], "CSeq: %s ACK" % header(inv_text, "CSeq")[0].split()[0],
             "Content-Length: 0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def recv_request(peer, method, timeout=3.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = peer.recv(max(0.05, deadline - time.time()))
        if m and m.startswith(method + " "):
            return m
    return None


# ---- the shared server ------------------------------------------------------------

MAIN_CFG = r'''
debug=2
listen=udp:127.0.0.1:@PORT@
children=2
fifo="@DIR@/ser_fifo"
fifo_dir="@DIR@/replies/"
unix_sock="@DIR@/ser_sock"
unix_tx_timeout=200
fifo_db_url="sqlite://@DIR@/ser.db"
loadmodule "sqlite.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "db_mode", 0)
modparam("tm", "fr_timer", 2)
modparam("maxfwd", "max_limit", 16)

route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    break;
  };
  if (method == "REGISTER") {
    save("location");
    break;
  };
  if (uri =~ "^sip:sl([0-9]+)@") {
    if (uri =~ "^sip:sl404@") { sl_send_reply("404", "x"); break; };
    if (uri =~ "^sip:sl202@") { sl_send_reply("202", "x"); break; };
    if (uri =~ "^sip:sl486@") { sl_send_reply("486", "x"); break; };
    if (uri =~ "^sip:sl302@") { sl_send_reply("302", "x"); break; };
    if (uri =~ "^sip:sl603@") { sl_send_reply("603", "x"); break; };
    if (uri =~ "^sip:sl180@") { sl_send_reply("180", "x"); break; };
    sl_send_reply("500", "x");
    break;
  };
  if (!lookup("location")) {
    sl_send_reply("404", "Not Found");
    break;
  };
  t_relay();
}
'''


class MgmtServer(unittest.TestCase):
    """One ser with the FIFO, the unix socket and the DB command."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ser-it-mgmt-")
        cls.replies = os.path.join(cls.dir, "replies") + "/"
        os.mkdir(cls.replies)
        cls.db = os.path.join(cls.dir, "ser.db")
        subprocess.run([SER_DB, "create", "sqlite", cls.db], check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        cls.ser = Ser(MAIN_CFG.replace("@DIR@", cls.dir))
        try:
            cls.ser.__enter__()
        except BaseException:
            shutil.rmtree(cls.dir, ignore_errors=True)
            raise
        cls.fifo = FifoClient(os.path.join(cls.dir, "ser_fifo"), cls.replies)
        cls.sock = os.path.join(cls.dir, "ser_sock")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.ser.__exit__(None, None, None)
            # Removed at a clean shutdown (§11.1), the socket too.
            assert not os.path.exists(os.path.join(cls.dir, "ser_fifo")), "fifo left behind"
            assert not os.path.exists(cls.sock), "unix socket left behind"
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.assertTrue(self.ser.alive(), "ser died:\n" + self.ser.output()[-3000:])
        self.peers = []

    def tearDown(self):
        for p in self.peers:
            p.close()
        self.assertTrue(self.ser.alive(), "ser died:\n" + self.ser.output()[-3000:])
        # Every reply fifo the client made is gone again; nothing else was written there.
        self.assertEqual(os.listdir(self.replies), [])

    def peer(self):
        p = Peer()
        self.peers.append(p)
        return p

    def cmd(self, *a, **kw):
        return self.fifo.cmd(*a, **kw)

    def assert_serving(self):
        self.assertEqual(self.cmd("print", ["still here"]), "200 ok\nstill here\n")

    # ---- core commands (checklist 5) -----------------------------------------------

    def test_version_print_nosuch_uptime(self):
        self.assertRegex(self.cmd("version"), r"\A200 ok\n%s\r\n\Z" % SERVER_RE)
        self.assertEqual(self.cmd("print", ["hello world"]), "200 ok\nhello world\n")
        self.assertEqual(self.cmd("nosuch"), "500 command 'nosuch' not available\n")
        up = self.cmd("UPTIME")
        self.assertRegex(up, r"\A200 ok\nNow: %s\nUp Since: %s\nUp time: \d+ \[sec\]\n\Z" % (CTIME_RE, CTIME_RE))
        self.assertRegex(self.cmd("Version"), r"\A200 ok\n")
        # print's text must fit SER's 256-byte buffer with its newline.
        self.assertEqual(self.cmd("print", ["x" * 254]), "200 ok\n%s\n" % ("x" * 254))
        self.assertEqual(self.cmd("print", ["x" * 255]), "500 print_fifo_cmd: too big text")

    def test_which_lists_every_command(self):
        lines = self.cmd("which").split("\n")
        # DB, enabled here, is registered last and so listed first (§11.4).
        self.assertEqual(lines[:10], ["200 ok", "DB", "kill", "ps", "which", "arg", "pwd", "version", "uptime", "print"])
        names = set(lines[1:])
        for n in ("sl_stats", "t_uac_dlg", "t_uac_cancel", "t_hash", "t_reply", "t_stats", "ul_stats", "ul_rm",
                  "ul_rm_contact", "ul_dump", "ul_flush", "ul_add", "ul_show_contact", "debug", "DB"):
            self.assertIn(n, names)
        self.assertEqual(lines[-1], "")

    def test_ps_lists_threads(self):
        out = self.cmd("ps")
        self.assertTrue(out.startswith("200 ok\n"), out)
        rows = [l.split("\t") for l in out.split("\n")[1:] if l]
        pid = self.ser.proc.pid
        self.assertEqual(rows[0][:2], ["0", str(pid)])
        descs = [r[2] for r in rows]
        self.assertIn("fifo server", descs)
        self.assertIn("unix domain socket server child=0", descs)
        self.assertTrue(any(d.startswith("receiver") for d in descs), descs)
        for i, (rank, tid, desc) in enumerate(rows):
            self.assertEqual(rank, str(i))
            self.assertTrue(os.path.exists("/proc/%d/task/%s" % (pid, tid)), "tid %s is no thread of %d" % (tid, pid))

    def test_arg_and_pwd(self):
        self.assertEqual(self.cmd("arg"), "200 ok\n" + "".join(a + "\n" for a in self.ser.args))
        cwd = os.readlink("/proc/%d/cwd" % self.ser.proc.pid)
        self.assertEqual(self.cmd("pwd"), "200 ok\n%s\n" % cwd)

    # ---- protocol quirks ---------------------------------------------------------

    def test_missing_empty_line_eats_next_request(self):
        r1, r2, r3 = (self.fifo.reply_fifo() for _ in range(3))
        try:
            n = [os.path.basename(r.path) for r in (r1, r2, r3)]
            # r1 without its empty line: the line read after it is r2's first.
            self.fifo.write(self.fifo.request("print", n[0], ["one"], end="") +
                            self.fifo.request("print", n[1], ["two"]) +
                            self.fifo.request("print", n[2], ["three"]))
            self.assertEqual(r1.read(), "200 ok\none\n")
            self.assertEqual(r3.read(), "200 ok\nthree\n")
            self.assertIsNone(r2.read(0.3))
        finally:
            for r in (r1, r2, r3):
                r.close()
        self.assertIn("fifo: command must begin with ':': two", self.ser.output())

    def test_empty_lines_between_requests_ignored(self):
        r = self.fifo.reply_fifo()
        try:
            self.fifo.write("\n\n\n" + self.fifo.request("print", os.path.basename(r.path), ["x"]))
            self.assertEqual(r.read(), "200 ok\nx\n")
        finally:
            r.close()

    def test_crlf_lines_and_no_reply_name(self):
        r = self.fifo.reply_fifo()
        try:
            # Trailing CR, spaces and tabs are trimmed from every line.
            self.fifo.write(":print:%s \r\nhello \t\r\n\r\n" % os.path.basename(r.path))
            self.assertEqual(r.read(), "200 ok\nhello\n")
        finally:
            r.close()
        # No reply name: the command runs, nothing is written.
        self.fifo.write(":print:\nunanswered\n\n")
        self.assert_serving()

    def test_first_line_length_limit(self):
        # A first line of 511 bytes with its newline is read; 512 are too many.
        name = self.fifo.name()
        cmd510 = "c" * (510 - 2 - len(name))
        r = self.fifo.reply_fifo(name)
        try:
            self.fifo.write(":%s:%s\n\n" % (cmd510, name))
            self.assertEqual(r.read(), "500 command '%s' not available\n" % cmd510)
        finally:
            r.close()
        r = self.fifo.reply_fifo(name)
        try:
            # 511 characters + newline, then command lines: all skipped.
            self.fifo.write(":%s:%s\nline 1\nline 2\n\n" % (cmd510 + "c", name))
            self.assertIsNone(r.read(0.5))
        finally:
            r.close()
        self.assertIn("fifo: command line longer than 511 bytes; request skipped", self.ser.output())
        # Much longer, without any newline for 4 KB.
        r = self.fifo.reply_fifo(name)
        try:
            self.fifo.write(":print:" + "y" * 4000 + "\nmore\n\n")
            self.assertIsNone(r.read(0.3))
        finally:
            r.close()
        self.assert_serving()

    def test_forbidden_reply_names_write_nothing(self):
        # Fifos a bad name could reach (outside fifo_dir, or with a '.'), and
        # places where a file could appear.
        reach = {"../escape": os.path.join(self.dir, "escape"), "a.b": os.path.join(self.replies, "a.b"),
                 "x/../../escape2": os.path.join(self.dir, "escape2")}
        absent = {"../created": os.path.join(self.dir, "created"), "..": None, "sub\\x": None, ".": None}
        readers = {}
        try:
            for name, path in reach.items():
                readers[name] = ReplyFifo(path)
            for name in list(reach) + list(absent):
                self.fifo.write(":print:%s\nsecret\n\n" % name)
            self.assert_serving()
            for name, r in readers.items():
                self.assertIsNone(r.read(0.2), "a reply was written through the name %r" % name)
        finally:
            for r in readers.values():
                r.close()
        self.assertFalse(os.path.exists(absent["../created"]))
        self.assertEqual([f for f in os.listdir(self.dir) if not f.startswith(("ser", "replies"))], [])
        for name in list(reach) + list(absent):
            self.assertIn("fifo: forbidden reply fifo name '%s'" % name, self.ser.output())

    def test_symlinked_reply_fifo_not_followed(self):
        elsewhere = tempfile.mkdtemp(prefix="ser-it-mgmt-target-")
        link = os.path.join(self.replies, "symlinked")
        try:
            target = ReplyFifo(os.path.join(elsewhere, "real"))
            os.symlink(target.path, link)
            try:
                self.fifo.write(":print:symlinked\nsecret\n\n")
                self.assert_serving()
                self.assertIsNone(target.read(0.3), "ser wrote into the symlink's target")
            finally:
                target.close()
                os.unlink(link)
        finally:
            shutil.rmtree(elsewhere, ignore_errors=True)
        self.assertIn("fifo: security: reply fifo %ssymlinked is a symbolic link" % self.replies, self.ser.output())

    def test_hardlinked_reply_fifo_refused(self):
        r = self.fifo.reply_fifo("hardlink_a")
        other = os.path.join(self.replies, "hardlink_b")
        os.link(r.path, other)
        try:
            self.fifo.write(":print:hardlink_b\nsecret\n\n")
            self.assert_serving()
            self.assertEqual(r.read(0.3) or "", "", "ser wrote into a hard-linked fifo")
        finally:
            r.close()
            os.unlink(other)
        self.assertIn("is hard-linked 2 times", self.ser.output())

    def test_regular_file_as_reply_refused(self):
        path = os.path.join(self.replies, "regular")
        open(path, "w").close()
        try:
            self.fifo.write(":print:regular\nsecret\n\n")
            self.assert_serving()
            self.assertEqual(os.path.getsize(path), 0, "ser wrote into a regular file")
        finally:
            os.unlink(path)
        self.assertIn("fifo: reply file %sregular is not a fifo" % self.replies, self.ser.output())

    def test_reply_fifo_nobody_reads(self):
        path = os.path.join(self.replies, "noreader")
        os.mkfifo(path, 0o600)
        try:
            r = self.fifo.reply_fifo()
            try:
                t0 = time.monotonic()
                self.fifo.write(":print:noreader\nlost\n\n" +
                                self.fifo.request("print", os.path.basename(r.path), ["next"]))
                self.assertEqual(r.read(3.0), "200 ok\nnext\n")
                waited = time.monotonic() - t0
            finally:
                r.close()
        finally:
            os.unlink(path)
        # 4 retries 80 ms apart, then it gives up (§11.3).
        self.assertGreater(waited, 0.28)
        self.assertLess(waited, 1.5)
        self.assertIn("fifo: no client reads the reply fifo %snoreader" % self.replies, self.ser.output())

    def test_request_that_never_ends(self):
        r1 = self.fifo.reply_fifo()
        try:
            t0 = time.monotonic()
            # Its text line never finishes: after 3 s the request is over.
            self.fifo.write(":print:%s\nunfinish" % os.path.basename(r1.path))
            self.assertEqual(r1.read(5.0), "500 print_fifo_cmd: too big text")
            waited = time.monotonic() - t0
        finally:
            r1.close()
        self.assertGreater(waited, 2.7)
        self.assertLess(waited, 4.5)
        self.assertIn("fifo: the client stopped writing its request", self.ser.output())
        t0 = time.monotonic()
        self.assert_serving()   # the unfinished line is not taken as the next request's start
        self.assertLess(time.monotonic() - t0, 1.0)

    # ---- debug ------------------------------------------------------------------

    def maxfwd_dbg_logged(self, call_id):
        p = self.peer()
        p.send(sip_request("OPTIONS", "sip:sl404@127.0.0.1:%d" % self.ser.port, p.port, call_id), self.ser.port)
        self.assertIsNotNone(p.recv(2.0))
        time.sleep(0.1)
        return "maxfwd: value 70 decreased to 16" in self.ser.output()

    def test_debug_command_changes_level(self):
        self.assertFalse(self.maxfwd_dbg_logged("dbg-1"), "DBG logged at debug=2")
        try:
            self.assertEqual(self.cmd("debug", ["4"]), "200 debug level set to 4 (was 2)\n")
            self.assertTrue(self.maxfwd_dbg_logged("dbg-2"), "no DBG message after debug 4")
            self.assertEqual(self.cmd("debug", ["x"]), "400 debug: level expected (-3..4), got 'x'\n")
        finally:
            self.assertEqual(self.cmd("debug", ["2"]), "200 debug level set to 2 (was 4)\n")
        self.assertIn("log level changed from 2 to 4 by the management interface", self.ser.output())

    def test_debug_query(self):
        # `:debug:r\n\n` shows the level. Its empty line ends the request:
        # the request right behind it must still be served.
        r1, r2 = self.fifo.reply_fifo(), self.fifo.reply_fifo()
        try:
            self.fifo.write(self.fifo.request("debug", os.path.basename(r1.path)) +
                            self.fifo.request("print", os.path.basename(r2.path), ["after debug"]))
            self.assertEqual(r1.read(), "200 debug level is 2\n")
            got = r2.read(1.0)
        finally:
            r1.close()
            r2.close()
        self.fifo.write("\n")   # whatever the server still waits for
        self.assertEqual(got, "200 ok\nafter debug\n",
                         "BUG: `:debug:r\\n\\n` takes its empty line as the level argument, then the server "
                         "reads one more line: the next request's first line is lost")

    # ---- usrloc (modules.md §6.5, checklist 78-81) -------------------------------------

    def register(self, user, contact, call_id):
        p = self.peer()
        p.send(sip_request("REGISTER", "sip:127.0.0.1:%d" % self.ser.port, p.port, call_id, "Contact: <%s>\n" % contact,
                           to="sip:%s@127.0.0.1" % user), self.ser.port)
        rep = p.recv(2.0)
        self.assertIsNotNone(rep)
        self.assertEqual(status(rep), 200, rep)

    def test_ul_commands(self):
        T = "location"
        self.assertEqual(self.cmd("ul_show_contact", [T, "ulalice"]), "404 Username ulalice in table location not found\n")
        uas1 = self.peer()
        c1 = "sip:ulalice@127.0.0.1:%d" % uas1.port
        self.register("ulalice", c1, "ul-r1")
        # Checklist 78 (q unspecified prints empty).
        self.assertRegex(self.cmd("ul_show_contact", [T, "ulalice"]),
                         r"\A200 OK\n<%s>;q=;expires=(3600|3599)\n\Z" % re.escape(c1))
        # AOR lower-cased, the domain part cut (use_domain 0).
        self.assertRegex(self.cmd("ul_show_contact", [T, "ULAlice@example.com"]), r"\A200 OK\n<%s>" % re.escape(c1))
        # Checklist 81.
        self.assertEqual(self.cmd("ul_show_contact", ["nosuch", "ulalice"]), "400 table (nosuch) not found\n")

        # ul_add (checklist 79): a permanent contact, then an INVITE reaches it first (q 1).
        uas3 = self.peer()
        c3 = "sip:ulalice@127.0.0.1:%d" % uas3.port
        self.assertEqual(self.cmd("ul_add", [T, "ULAlice", c3, "0", "1.00", "0", "128"]),
                         "200 Added to table\n('ulalice','%s') to 'location'\n" % c3)
        # A permanent contact stores "now" as its expiry: shown as 0, later
        # as the seconds since (negative).
        self.assertRegex(self.cmd("ul_show_contact", [T, "ulalice"]), r"\n<%s>;q=1;expires=(0|-1)\n" % re.escape(c3))
        uac = self.peer()
        inv_req = sip_request("INVITE", "sip:ulalice@127.0.0.1:%d" % self.ser.port, uac.port, "ul-inv1")
        uac.send(inv_req, self.ser.port)
        inv = recv_request(uas3, "INVITE")
        self.assertIsNotNone(inv, "the ul_add contact (q 1) got no INVITE")
        self.assertTrue(inv.startswith("INVITE %s SIP/2.0" % c3), inv)
        uas3.send(answer(inv, 486, "Busy"), self.ser.port)
        self.assertIsNotNone(recv_request(uas3, "ACK"))
        inv1 = recv_request(uas1, "INVITE", 1.0)
        if inv1:
            uas1.send(answer(inv1, 486, "Busy"), self.ser.port)
            recv_request(uas1, "ACK")
        final = recv_reply(uac, "ul-inv1")
        self.assertEqual(status(final), 486, final)
        uac.send(ack_for(inv_req.decode(), final), self.ser.port)

        # ul_add errors.
        self.assertEqual(self.cmd("ul_add", [T, "ulalice", "sip:x@h", "0", "1", "0", "0"]),
                         "500 Error while adding contact\n ('ulalice','sip:x@h') in table 'location'\n")
        self.assertEqual(self.cmd("ul_add", [T, "ulalice", "sip:x@h", "abc", "1", "0", "0"]), "400 Invalid expires format\n")
        self.assertEqual(self.cmd("ul_add", [T, "ulalice", "sip:x@h", "60", "2", "0", "0"]), "400 Invalid q value\n")
        self.assertEqual(self.cmd("ul_add", [T, "ulalice", "sip:x@h", "60", "1", "-1", "0"]), "400 Invalid replicate format\n")
        self.assertEqual(self.cmd("ul_add", [T, "ulalice", "sip:x@h", "60", "1", "0", "z"]), "400 Invalid flags format\n")
        self.assertEqual(self.cmd("ul_add", ["nosuch", "ulalice", "sip:x@h", "60", "1", "0", "0"]),
                         "400 Table 'nosuch' not found in memory, use save(\"nosuch\") or lookup(\"nosuch\") in the "
                         "configuration script first\n")
        # A missing line: the handler takes the empty line for the argument,
        # then the server reads one more [quirk]: an extra empty line for it.
        self.assertEqual(self.cmd("ul_add", [T, "ulalice", "sip:x@h"], end="\n\n"), "400 ul_add: expires expected\n")
        self.assertEqual(self.cmd("ul_show_contact", [T], end="\n\n"), "400 ul_show_contact: user name expected\n")
        self.assertEqual(self.cmd("ul_rm", [], end="\n\n"), "400 ul_rm: table name expected\n")

        # ul_stats / ul_flush / ul_dump.
        self.assertRegex(self.cmd("ul_stats"), r"\A200 ok\nDomain Registered Expired\n'location' [1-9]\d* \d+\n\Z")
        self.assertEqual(self.cmd("ul_flush"), "200 ul_flush completed\n")
        dump = self.cmd("ul_dump")
        self.assertTrue(dump.startswith("200 ok\n===Domain list===\n---Domain---\nname : 'location'\nsize : 512\n"
                                        "table: "), dump)
        self.assertTrue(dump.endswith("\n---/Domain---\n===/Domain list===\n"), dump)
        self.assertRegex(dump, r"\nd_ll \{\n    n    : [1-9]\d*\n    first: \S+\n    last : \S+\n\}\n\n")
        rec = re.search(r"\.\.\.Record\(\S+\)\.\.\.\ndomain: 'location'\naor   : 'ulalice'\n(.*?)\.\.\./Record\.\.\.\n",
                        dump, re.S)
        self.assertIsNotNone(rec, dump)
        contacts = re.findall(r"~~~Contact\(\S+\)~~~\n(.*?)~~~/Contact~~~~\n", rec.group(1), re.S)
        self.assertEqual(len(contacts), 2, rec.group(1))
        fields = {}
        for c in contacts:
            d = {}
            for line in c.rstrip("\n").split("\n"):
                k, _, v = line.partition(":")
                d[k.strip()] = v[1:] if v.startswith(" ") else v
            fields[d["Contact"]] = d
        fc = fields["'%s'" % c3]
        self.assertEqual(list(fc), ["domain", "aor", "Contact", "Expires", "q", "Call-ID", "CSeq", "replic",
                                    "User-Agent", "received", "State", "Flags", "next", "prev"])
        self.assertEqual(fc["domain"], "'location'")
        self.assertEqual(fc["aor"], "'ulalice'")
        self.assertEqual(fc["Call-ID"], "'The-Answer-To-The-Ultimate-Question-Of-Life-Universe-And-Everything'")
        self.assertEqual(fc["CSeq"], "42")
        self.assertEqual(fc["User-Agent"], "'SIP Express Router FIFO'")
        self.assertEqual(fc["received"], "''")
        self.assertEqual(fc["Flags"], "128")
        self.assertEqual(fc["q"], "1")
        self.assertIn(fc["State"], ("CS_NEW", "CS_SYNC", "CS_DIRTY"))
        f1 = fields["'%s'" % c1]
        self.assertEqual(f1["q"], "")
        self.assertEqual(f1["Call-ID"], "'ul-r1'")
        self.assertRegex(f1["Expires"], r"^(3600|3599|3598)$")

        # ul_rm_contact.
        self.assertEqual(self.cmd("ul_rm_contact", [T, "ulalice", "sip:zz@h"]),
                         "404 Contact sip:zz@h in table location not found\n")
        self.assertEqual(self.cmd("ul_rm_contact", [T, "nobody", "sip:zz@h"]),
                         "404 Username nobody in table location not found\n")
        self.assertEqual(self.cmd("ul_rm_contact", [T, "ulalice", c1]),
                         "200 Contact (ulalice, %s) deleted from table location\n" % c1)
        self.assertRegex(self.cmd("ul_show_contact", [T, "ulalice"]), r"\A200 OK\n<%s>;q=1;expires=(0|-\d)\n\Z" % re.escape(c3))

        # ul_rm (checklist 80): then the INVITE gets 404.
        self.assertEqual(self.cmd("ul_rm", [T, "ulalice"]), "200 user (location, ulalice) deleted\n")
        self.assertEqual(self.cmd("ul_rm", [T, "ulalice"]), "200 user (location, ulalice) deleted\n")
        self.assertEqual(self.cmd("ul_rm", ["nosuch", "ulalice"]), "400 table (nosuch) not found\n")
        self.assertEqual(self.cmd("ul_show_contact", [T, "ulalice"]), "404 Username ulalice in table location not found\n")
        uac.send(sip_request("INVITE", "sip:ulalice@127.0.0.1:%d" % self.ser.port, uac.port, "ul-inv2"), self.ser.port)
        rep = recv_reply(uac, "ul-inv2")
        self.assertEqual(status(rep), 404, rep)
        self.assertIsNone(recv_request(uas3, "INVITE", 0.2))

    def ul_counts(self):
        m = re.search(r"\n'location' (\d+) (\d+)\n", self.cmd("ul_stats"))
        return int(m.group(1)), int(m.group(2))

    def test_ul_add_update_and_expiry(self):
        T = "location"
        records, expired = self.ul_counts()
        self.assertRegex(self.cmd("ul_add", [T, "ulbob", "sip:ulbob@h", "1", "0.5", "0", "1"]), r"\A200 Added to table\n")
        self.assertEqual(self.cmd("ul_show_contact", [T, "ulbob"]), "200 OK\n<sip:ulbob@h>;q=0.5;expires=1\n")
        # The same contact again: new expires, q, replicate; flags OR-ed.
        self.assertRegex(self.cmd("ul_add", [T, "ulbob", "sip:ulbob@h", "100", ".25", "3", "2"]), r"\A200 Added to table\n")
        self.assertRegex(self.cmd("ul_show_contact", [T, "ulbob"]), r"\A200 OK\n<sip:ulbob@h>;q=0.25;expires=(100|99)\n\Z")
        dump = self.cmd("ul_dump")
        self.assertRegex(dump, r"Contact   : 'sip:ulbob@h'\nExpires   : (100|99)\nq         : 0.25\nCall-ID   : '.*'\n"
                               r"CSeq      : 42\nreplic    : 3\nUser-Agent: .*\nreceived  : ''\nState     : .*\n"
                               r"Flags     : 3\n")
        # q with more than three decimals is cut; contacts listed by q.
        self.cmd("ul_add", [T, "ulbob", "sip:ulbob2@h", "100", "0.1234", "0", "0"])
        self.cmd("ul_add", [T, "ulbob", "sip:ulbob3@h", "100", "1.0", "0", "0"])
        self.assertRegex(self.cmd("ul_show_contact", [T, "ulbob"]),
                         r"\A200 OK\n<sip:ulbob3@h>;q=1;expires=\d+\n<sip:ulbob@h>;q=0.25;expires=\d+\n"
                         r"<sip:ulbob2@h>;q=0.123;expires=\d+\n\Z")
        self.assertEqual(self.ul_counts(), (records + 1, expired))
        # A contact past its expiry is not shown, and the timer (ul_flush) removes it.
        self.assertRegex(self.cmd("ul_add", [T, "ulcarol", "sip:ulcarol@h", "1", "1", "0", "0"]), r"\A200 Added to table\n")
        time.sleep(2.1)
        self.assertEqual(self.cmd("ul_show_contact", [T, "ulcarol"]), "404 No registered contacts found\n")
        self.assertEqual(self.cmd("ul_flush"), "200 ul_flush completed\n")
        self.assertEqual(self.cmd("ul_show_contact", [T, "ulcarol"]), "404 Username ulcarol in table location not found\n")
        self.assertEqual(self.ul_counts(), (records + 1, expired + 1))
        # ul_rm: a contact marked for replication (replicate 3) stays as a
        # deleted zombie, invisible; so does its record (SER 0.9 st_delete_ucontact).
        self.assertEqual(self.cmd("ul_rm", [T, "ulbob"]), "200 user (location, ulbob) deleted\n")
        self.assertEqual(self.cmd("ul_show_contact", [T, "ulbob"]), "404 No registered contacts found\n")
        self.assertRegex(self.cmd("ul_dump"), r"Contact   : 'sip:ulbob@h'\n(.*\n){7}State     : CS_ZOMBIE_N\n")
        self.assertNotIn("ulbob2", self.cmd("ul_dump"))
        self.assertEqual(self.ul_counts(), (records + 1, expired + 1))

    # ---- sl_stats (modules.md §2.4) ------------------------------------------------

    def sl_stats(self):
        out = self.cmd("sl_stats")
        lines = out.split("\n")
        self.assertEqual(lines[0], "200 ok")
        self.assertEqual(len(lines), 9, out)
        for l in lines[1:-1]:
            self.assertTrue(l.endswith("      ") and not l.endswith("       "), repr(l))
        return dict(re.findall(r"(\w+): (\d+)", out))

    def test_sl_stats(self):
        before = {k: int(v) for k, v in self.sl_stats().items()}
        p = self.peer()
        sent = ["sl404", "sl404", "sl202", "sl486", "sl302", "sl603", "sl180", "sl500"]
        for i, user in enumerate(sent):
            p.send(sip_request("OPTIONS" if i % 2 else "INVITE", "sip:%s@127.0.0.1:%d" % (user, self.ser.port),
                               p.port, "sls-%d" % i), self.ser.port)
            self.assertIsNotNone(p.recv(2.0))
        expect = dict(before)
        for k in ("404", "404", "202", "4xx", "302", "6xx", "xxx", "500"):
            expect[k] += 1
        rows = [["200", "202", "2xx"], ["300", "301", "302", "3xx"],
                ["400", "401", "403", "404", "407", "408", "483", "4xx"], ["500", "5xx"], ["6xx"], ["xxx"], ["failures"]]
        text = "200 ok\n" + "".join(" ".join("%s: %d" % (k, expect[k]) for k in row) + "      \n" for row in rows)
        # sl counts a reply once it is sent (as SER does): the peer may read
        # the last one a moment before its worker has counted it.
        deadline = time.time() + 2
        got = self.cmd("sl_stats")
        while got != text and time.time() < deadline:
            time.sleep(0.05)
            got = self.cmd("sl_stats")
        self.assertEqual(got, text)

    # ---- tm (modules.md §3.12) ------------------------------------------------------

    def uac_dlg(self, method, ruri, headers, hop=".", body=(), name=None):
        """Starts a t_uac_dlg; returns the reply fifo (read it for the answer)."""
        r = self.fifo.reply_fifo(name)
        self.fifo.write(self.fifo.request("t_uac_dlg", os.path.basename(r.path),
                                          [method, ruri, hop] + list(headers) + ["."] + list(body) + ["."]))
        return r

    def test_t_uac_dlg_options(self):
        uas = self.peer()
        ruri = "sip:bob@127.0.0.1:%d" % uas.port
        r = self.uac_dlg("OPTIONS", ruri, ["From: <sip:fifo@127.0.0.1>;tag=fifotag", "To: <%s>" % ruri,
                                           "Contact: <sip:fifo@!!>", "X-Mine: a!!b"])
        try:
            req = recv_request(uas, "OPTIONS")
            self.assertIsNotNone(req, "the peer got no OPTIONS")
            here = "127.0.0.1:%d" % self.ser.port
            self.assertEqual(header(req, "Contact"), ["<sip:fifo@%s>" % here])
            self.assertEqual(header(req, "X-Mine"), ["a%sb" % here])
            self.assertEqual(header(req, "From"), ["<sip:fifo@127.0.0.1>;tag=fifotag"])
            self.assertRegex(header(req, "CSeq")[0], r"^\d+ OPTIONS$")
            self.assertEqual(len(header(req, "Call-ID")), 1)
            uas.send(answer(req, 200, "OK", extra="Contact: <sip:bob@127.0.0.1:%d;transport=udp>\nX-Peer: yes\n"
                            % uas.port), self.ser.port)
            out = r.read(3.0)
        finally:
            r.close()
        self.assertIsNotNone(out, "no t_uac_dlg reply")
        lines = out.split("\n")
        target = "sip:bob@127.0.0.1:%d;transport=udp" % uas.port
        self.assertEqual(lines[:4], ["200 OK", target, target, "."], out)
        hdrs = "\n".join(lines[4:])
        self.assertIn("X-Peer: yes\r", hdrs)
        self.assertIn("Call-ID: %s\r" % header(req, "Call-ID")[0], hdrs)
        self.assertRegex(hdrs, r"To: <%s>;tag=peer1\r" % re.escape(ruri))
        self.assertTrue(out.endswith("\r\n\r\n\n"), repr(out[-20:]))

    def uac_dlg_error(self, method, headers, body=()):
        r = self.uac_dlg(method, "sip:bob@127.0.0.1:9", headers, body=body)
        try:
            return r.read()
        finally:
            r.close()

    def test_t_uac_dlg_errors(self):
        uas = self.peer()
        ruri = "sip:bob@127.0.0.1:%d" % uas.port
        frm, to = "From: <sip:fifo@127.0.0.1>", "To: <%s>" % ruri
        self.assertEqual(self.uac_dlg_error("OPTIONS", [to]), "400 fifo_uac_error: From missing")
        self.assertEqual(self.uac_dlg_error("OPTIONS", [frm]), "400 fifo_uac_error: To missing")
        self.assertEqual(self.uac_dlg_error("MESSAGE", [frm, to], ["hello"]), "400 fifo_uac_error: Content-Type missing")
        self.assertEqual(self.uac_dlg_error("MESSAGE", [frm, to, "Content-Type: text/plain", "Content-Length: 0"],
                                            ["hello"]), "400 fifo_uac_error: Content-Length disallowed")
        self.assertEqual(self.uac_dlg_error("OPTIONS", [frm, to, "CSeq: 3 INVITE"]), "400 fifo_uac_error: CSeq method mismatch")
        self.assertIsNone(uas.recv(0.3), "a refused t_uac_dlg was sent")
        self.assert_serving()

    def test_t_uac_dlg_bad_input(self):
        frm, to = "From: <sip:fifo@127.0.0.1>", "To: <sip:bob@127.0.0.1>"
        r = self.uac_dlg("OPTIONS", "nonsense", [frm, to])
        try:
            self.assertEqual(r.read(), "400 fifo_uac_error: ruri invalid\n")
        finally:
            r.close()
        self.assertEqual(self.uac_dlg_error("OPTIONS", [frm, to, "CSeq: abc OPTIONS"]),
                         "400 fifo_uac_error: non-numerical CSeq")
        self.assertEqual(self.uac_dlg_error("OPTIONS", ["From: garbage<<", to]), "400 fifo_uac_error: Error in From")
        r = self.uac_dlg("OPTIONS", "sip:x@nonexistent.invalid", [frm, to])
        try:
            self.assertEqual(r.read(5.0), "478 fifo_uac_error: Unresolvable destination (478/TM)")
        finally:
            r.close()
        self.assert_serving()

    def test_t_uac_dlg_client_gone(self):
        # The client removed its reply fifo before the transaction completed.
        uas = self.peer()
        ruri = "sip:bob@127.0.0.1:%d" % uas.port
        r = self.uac_dlg("OPTIONS", ruri, ["From: <sip:fifo@127.0.0.1>", "To: <%s>" % ruri])
        req = recv_request(uas, "OPTIONS")
        r.close()
        self.assertIsNotNone(req)
        uas.send(answer(req, 200, "OK"), self.ser.port)
        time.sleep(0.2)
        self.assert_serving()

    def test_t_uac_dlg_over_unix_socket(self):
        uas = self.peer()
        ruri = "sip:bob@127.0.0.1:%d" % uas.port
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        path = self.client_path("uac")
        s.bind(path)
        try:
            s.settimeout(3.0)
            s.sendto((":t_uac_dlg:\nOPTIONS\n%s\n.\nFrom: <sip:u@127.0.0.1>\nTo: <%s>\n.\n.\n" % (ruri, ruri)).encode(),
                     self.sock)
            req = recv_request(uas, "OPTIONS")
            self.assertIsNotNone(req)
            uas.send(answer(req, 200, "OK"), self.ser.port)
            out = s.recv(65536).decode()
        finally:
            s.close()
            os.unlink(path)
        self.assertTrue(out.startswith("200 OK\n.\n.\n.\nVia: "), out)
        self.assertIn("To: <%s>;tag=peer1\r\n" % ruri, out)

    def test_t_uac_dlg_content_length_with_value(self):
        # SER parsed the header lines only: any Content-Length header with a
        # body is "Content-Length disallowed" (uac_fifo.c check order).
        out = self.uac_dlg_error("MESSAGE", ["From: <sip:fifo@127.0.0.1>", "To: <sip:bob@127.0.0.1>",
                                             "Content-Type: text/plain", "Content-Length: 5"], ["hello"])
        self.assertEqual(out, "400 fifo_uac_error: Content-Length disallowed",
                         "BUG: a Content-Length header whose value is not 0 makes the header lines unparseable "
                         "(the fake reply they are parsed in has no body)")

    def test_t_uac_dlg_timeout(self):
        uas = self.peer()
        ruri = "sip:bob@127.0.0.1:%d" % uas.port
        t0 = time.monotonic()
        r = self.uac_dlg("OPTIONS", ruri, ["From: <sip:fifo@127.0.0.1>", "To: <%s>" % ruri])
        try:
            self.assertIsNotNone(recv_request(uas, "OPTIONS"))
            # Other requests are served while the transaction runs.
            self.assert_serving()
            out = r.read(5.0)
            waited = time.monotonic() - t0
        finally:
            r.close()
        self.assertIsNotNone(out, "no reply after fr_timer")
        self.assertTrue(out.startswith("408 Request Timeout\n"), out)
        self.assertGreater(waited, 1.8)
        self.assertLess(waited, 4.0)

    def test_t_uac_cancel(self):
        uas = self.peer()
        ruri = "sip:bob@127.0.0.1:%d" % uas.port
        r = self.uac_dlg("INVITE", ruri, ["From: <sip:fifo@127.0.0.1>;tag=ft", "To: <%s>" % ruri,
                                          "Call-ID: fifo-cancel-1", "CSeq: 5 INVITE", "Contact: <sip:fifo@!!>"])
        try:
            inv = recv_request(uas, "INVITE")
            self.assertIsNotNone(inv)
            uas.send(answer(inv, 180, "Ringing"), self.ser.port)
            time.sleep(0.2)
            self.assertEqual(self.cmd("t_uac_cancel", ["fifo-cancel-2", "5"]), "481 fifo_uac_cancel: no such transaction")
            self.assertEqual(self.cmd("t_uac_cancel", ["fifo-cancel-1", "5"]), "200 fifo_uac_cancel succeeded\n")
            cancel = recv_request(uas, "CANCEL")
            self.assertIsNotNone(cancel, "the peer got no CANCEL")
            self.assertTrue(cancel.startswith("CANCEL %s SIP/2.0" % ruri), cancel)
            self.assertEqual(header(cancel, "Via"), header(inv, "Via"))
            self.assertEqual(header(cancel, "CSeq"), ["5 CANCEL"])
            uas.send(answer(cancel, 200, "OK"), self.ser.port)
            uas.send(answer(inv, 487, "Request Terminated"), self.ser.port)
            out = r.read(3.0)
        finally:
            r.close()
        self.assertIsNotNone(out)
        self.assertTrue(out.startswith("487 Request Terminated\n.\n.\n.\n"), out)
        self.assertIsNotNone(recv_request(uas, "ACK"), "the 487 was not ACKed")
        self.assertEqual(self.cmd("t_uac_cancel", ["fifo-cancel-1"], end="\n\n"), "400 fifo_uac_cancel: cseq expected")

    def test_t_stats_t_hash_t_reply(self):
        out = self.cmd("t_stats")
        self.assertRegex(out, r"\A200 ok\nCurrent: \d+ \(\d+ waiting\) Total: \d+ \(\d+ local\)       \n"
                              r"Replied localy: \d+      \n"
                              r"Completion status 6xx: \d+, 5xx: \d+, 4xx: \d+, 3xx: \d+,2xx: \d+      \n\Z")
        out = self.cmd("t_hash")
        self.assertRegex(out, r"\A200 ok\n")
        self.assertRegex(out, r"\A200 ok\nbuckets: \d+, used: \d+, transactions: \d+, longest chain: \d+\n\Z")
        # The new headers end at the first ".", the body at the second.
        self.assertEqual(self.cmd("t_reply", ["200", "OK", "1234:5678", "totag", ".", "."]),
                         "481 fifo_t_reply: no such transaction")
        self.assertEqual(self.cmd("t_reply", ["2x0", "OK", "1:2", "totag", "."]), "400 fifo_t_reply: code(int) has wrong format")
        self.assertEqual(self.cmd("t_reply", ["200", "OK", "nohash", "totag", "."]), "400 fifo_t_reply: invalid trans_id")

    # ---- DB (core-runtime §11.5) ------------------------------------------------------

    def test_db_command(self):
        db = lambda *lines: self.cmd("DB", list(lines))  # noqa: E731
        self.assertEqual(db("insert", "subscriber", 'phplib_id="p1"', 'username="dbalice"', 'domain="example.com"',
                            'password="pw1"', "."), "")
        self.assertEqual(db("insert", "subscriber", 'phplib_id="p2"', 'username="dbbob"', 'domain="example.com"',
                            'password="pw2"', "."), "")
        self.assertEqual(db("select", "username", "password", ".", "subscriber", 'username="dbalice"', "."),
                         "username password \ndbalice pw1 \n")
        self.assertEqual(db("update", 'password="new"', ".", "subscriber", 'username="dbalice"', "."), "")
        rows = subprocess.run(["sqlite3", self.db, "select username, password from subscriber order by username"],
                              stdout=subprocess.PIPE, check=True, timeout=30).stdout.decode()
        self.assertEqual(rows, "dbalice|new\ndbbob|pw2\n")
        self.assertEqual(db("select", "username", ".", "subscriber", 'domain="example.com"', 'username > "dbb"', "."),
                         "username \ndbbob \n")
        self.assertEqual(db("delete", "subscriber", 'username="dbbob"', "."), "")
        self.assertEqual(db("raw_query_response", "select username, password from subscriber"),
                         "username password \ndbalice new \n")
        self.assertEqual(db("raw_query", "delete from subscriber"), "")
        self.assertEqual(db("raw_query_response", "select count(*) as n from subscriber"), "n \n0 \n")
        # Dates, casts, NULL, operators.
        self.assertEqual(db("insert", "subscriber", 'phplib_id="p3"', 'username="dbdate"',
                            "datetime_created=<2020-01-02 03:04:05>", "domn=7", "."), "")
        # (a date prints as ctime, its newline included [quirk])
        self.assertEqual(db("select", "username", "datetime_created", "domn", "timezone", ".", "subscriber",
                            'username="dbdate"', "."),
                         "username datetime_created domn timezone \ndbdate Thu Jan  2 03:04:05 2020\n 7 NULL \n")
        self.assertEqual(db("select", "username", ".", "subscriber", "domn=[int]7", "."), "username \ndbdate \n")
        self.assertEqual(db("select", "username", ".", "subscriber", "domn >= 7", "domn<8", "."), "username \ndbdate \n")
        self.assertEqual(db("update", "domn=[int]null", ".", "subscriber", 'username="dbdate"', "."), "")
        self.assertEqual(db("select", "domn", ".", "subscriber", 'username="dbdate"', "."), "domn \nNULL \n")
        self.assertEqual(db("insert", "subscriber", "domn=[int]1.5", "."), "ERROR: Invalid cast to INT for a DOUBLE value\n")
        self.assertEqual(db("insert", "subscriber", "domn=null", "."), "ERROR: NULL values requires type casting\n")
        self.assertEqual(db("delete", "subscriber", 'username="dbdate"', "."), "")
        # Errors.
        # (the lines after an error are read as requests of their own and
        # refused: "." is no command)
        self.assertEqual(db("frobnicate", "subscriber", "."), "ERROR: Unknown DB command name\n")
        self.assertEqual(db("delete", "subscriber", "username", "."), "ERROR: Broken AVP(attr|op|val) in DB command\n")
        self.assertEqual(db("insert", "subscriber", "username=nope", "."), "ERROR: Unable to recognize value type\n")
        self.assertEqual(db("select", "username", ".", "nosuchtable", "."), "ERROR: Internal Server error - DB query failed\n")
        self.assert_serving()

    # ---- unix socket (core-runtime §11.7) ------------------------------------------------

    def client_path(self, tag):
        return os.path.join(self.dir, "cl_%s_%d" % (tag, time.monotonic_ns()))

    def usock(self, data, timeout=3.0):
        return unix_request(self.sock, self.client_path("u"), data, timeout)

    def test_unix_socket_commands(self):
        self.assertRegex(self.usock(":version:\n"), r"\A200 OK\n%s\r\n\Z" % SERVER_RE)
        self.assertEqual(self.usock(":print:ignored\nhello\n"), "200 OK\nhello\n")
        which = self.usock(":WHICH:\n")
        self.assertTrue(which.startswith("200 OK\n"), which)
        for n in ("print", "uptime", "version", "which", "ps", "pwd", "arg", "kill", "ul_stats", "sl_stats", "t_uac_dlg"):
            self.assertIn("\n%s\n" % n, which)
        self.assertEqual(self.usock("hello\n"), "400 First line malformed\n")
        self.assertEqual(self.usock(":nope:\n"), "500 Command nope not found\n")
        self.assertRegex(self.usock(":ul_stats:\n"), r"\A200 OK\nDomain Registered Expired\n'location' \d+ \d+\n\Z")
        self.assertTrue(self.usock(":sl_stats:\n").startswith("200 OK\n200: "))
        self.assertTrue(self.usock(":ps:\n").startswith("200 OK\n0\t%d\t" % self.ser.proc.pid))
        # Only ":<command>:" counts on the first line; a request without the
        # second colon is malformed.
        self.assertEqual(self.usock(":version"), "400 First line malformed\n")
        # A client without an address gets nothing; the server goes on.
        u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        u.sendto(b":version:\n", self.sock)
        u.close()
        self.assertRegex(self.usock(":version:\n"), r"\A200 OK\n")

    def lazy_requests(self):
        """Requests that fill a client's queue (net.unix.max_dgram_qlen) and
        5 more, whose replies wait unix_tx_timeout (200 ms) each."""
        with open("/proc/sys/net/unix/max_dgram_qlen") as f:
            qlen = int(f.read())
        if qlen > 64:
            self.skipTest("net.unix.max_dgram_qlen is %d: too many requests to fill a queue" % qlen)
        return qlen + 5

    def test_unix_socket_client_gone_or_not_reading(self):
        # A client that vanished before its reply: nothing happens to the server.
        gone = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        path = self.client_path("gone")
        gone.bind(path)
        gone.sendto(b":version:\n", self.sock)
        gone.close()
        os.unlink(path)
        # A client that never reads: its queue fills, each further reply waits
        # unix_tx_timeout (200 ms) and is dropped.
        lazy = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        lazy_path = self.client_path("lazy")
        lazy.bind(lazy_path)
        lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
        try:
            for _ in range(self.lazy_requests()):
                lazy.sendto((":print:\n%s\n" % ("z" * 200)).encode(), self.sock)
            t0 = time.monotonic()
            self.assertRegex(self.usock(":version:\n", timeout=5.0) or "", r"\A200 OK\n")
            self.assertLess(time.monotonic() - t0, 4.0)
        finally:
            lazy.close()
            os.unlink(lazy_path)
        self.assertRegex(self.usock(":version:\n") or "", r"\A200 OK\n")
        out = self.ser.output()
        self.assertIn("unix_sock: reply to %s timed out" % lazy_path, out)

    def test_unix_socket_slow_client_no_busy_wait(self):
        # While a reply waits for a client's full queue the server thread
        # sleeps (poll), it does not spin on sendto.
        lazy = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        path = self.client_path("spin")
        lazy.bind(path)
        try:
            cpu0, t0 = self.cpu_seconds(), time.monotonic()
            for _ in range(self.lazy_requests()):
                lazy.sendto(b":version:\n", self.sock)
            self.assertRegex(self.usock(":version:\n", timeout=5.0) or "", r"\A200 OK\n")
            cpu, wall = self.cpu_seconds() - cpu0, time.monotonic() - t0
        finally:
            lazy.close()
            os.unlink(path)
        self.assertIn("unix_sock: reply to %s timed out" % path, self.ser.output())
        self.assertLess(cpu, 0.3 * wall,
                        "BUG: ser used %.2f s CPU in %.2f s waiting for a client that does not read: send_reply "
                        "polls POLLOUT on its unconnected datagram socket, which is always writable, and retries "
                        "sendto in a hot loop until unix_tx_timeout" % (cpu, wall))

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.ser.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---- FIFO set-up, shutdown and kill -------------------------------------------------

TM_ONLY_CFG = r'''
debug=3
listen=udp:127.0.0.1:@PORT@
fifo="@DIR@/ser_fifo"
fifo_dir="@DIR@/"
fifo_mode=0600
unix_sock="@DIR@/ser_sock"
loadmodule "tm.so"
route { drop; }
'''


class FifoLifecycle(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ser-it-mgmt-life-")
        self.path = os.path.join(self.dir, "ser_fifo")
        self.sock = os.path.join(self.dir, "ser_sock")
        # An old regular file where the fifo goes: replaced.
        with open(self.path, "w") as f:
            f.write("stale\n")
        self.ser = Ser(TM_ONLY_CFG.replace("@DIR@", self.dir))

    def tearDown(self):
        self.ser.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_created_with_mode_and_removed_at_shutdown(self):
        with self.ser:
            st = os.lstat(self.path)
            self.assertTrue(stat.S_ISFIFO(st.st_mode))
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
            st = os.lstat(self.sock)
            self.assertTrue(stat.S_ISSOCK(st.st_mode))
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
            self.assertEqual(self.ser.stop(), 0)
            self.assertFalse(os.path.exists(self.path), "fifo not removed at shutdown")
            self.assertFalse(os.path.exists(self.sock), "unix socket not removed at shutdown")

    def test_which_and_kill(self):
        # Checklist 5 with only tm loaded: the core commands, then tm's.
        with self.ser:
            fifo = FifoClient(self.path, self.dir + "/")
            lines = fifo.cmd("which").split("\n")
            self.assertEqual("\n".join(lines[:9]) + "\n", "200 ok\nkill\nps\nwhich\narg\npwd\nversion\nuptime\nprint\n")
            self.assertEqual(sorted(lines[9:14]), ["t_hash", "t_reply", "t_stats", "t_uac_cancel", "t_uac_dlg"])
            self.assertEqual(lines[14:], ["debug", ""])
            t0 = time.monotonic()
            self.assertEqual(fifo.cmd("kill"), "200 killing now...")
            self.ser.proc.wait(5)
            self.assertLess(time.monotonic() - t0, 5)
            self.assertEqual(self.ser.proc.returncode, 0, self.ser.output()[-3000:])
            self.assertFalse(os.path.exists(self.path), "fifo not removed after kill")

    def test_kill_over_unix_socket(self):
        with self.ser:
            out = unix_request(self.sock, os.path.join(self.dir, "client"), ":kill:\n")
            self.assertEqual(out, "200 Killing now\n")
            self.ser.proc.wait(5)
            self.assertEqual(self.ser.proc.returncode, 0, self.ser.output()[-3000:])
            self.assertFalse(os.path.exists(self.path))
            self.assertFalse(os.path.exists(self.sock))


if __name__ == "__main__":
    main()
