"""Acceptance test of the reference config cfg/nat-rtpproxy.cfg on a real
NAT bed (netns.py): ser runs that file unchanged, with our nathelper.so and
rtpproxy, a private MariaDB, phones (sipp for SIP, rtp_agent.py for media)
behind nftables NAT routers whose UDP mappings expire.

  main bed     proxy 192.0.2.13 (MariaDB, rtpproxy, ser)
               alice 192.168.1.2 behind 203.0.113.1, cone NAT (port kept)
               bob   192.168.2.2 behind 203.0.113.2, port-translating NAT (5060 -> 21444)
               carol 192.168.3.2 behind 203.0.113.3, symmetric NAT (masquerade random)
               dave  198.51.100.20, public
  control bed  its own internet with a proxy 192.0.2.13 (same MariaDB via a
               bound socket directory, own rtpproxy, ser on a copy of the
               config with natping_interval 0, the only difference)
               erin  192.168.1.2 behind 203.0.113.1, cone NAT
               frank 198.51.100.20, public

Every phone registers (digest), then all wait together past the NAT
timeout; then the calls (INVITE with proxy authentication, RTP both ways, a
re-INVITE, BYE) run on the main bed while the control call runs on the
other one. Needs root, ip netns, nftables, conntrack, sipp, MariaDB: without
them the test fails (CI runs as root), it never skips.

ser is started as `ser -f cfg/nat-rtpproxy.cfg --foreground --stderr`:
fork=yes would daemonise and log_stderror=no would log to a syslog this
mount namespace has not got; --foreground/--stderr change only that
(runtime/app/startup.cpp, run_server.cpp), not what the config does with a
message."""

import atexit
import difflib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sertest import BUILD_DIR, SER_BIN, SIPP, SOURCE_DIR, main, module_path  # noqa: E402
from netns import Bed  # noqa: E402
from mariadb import MariaDB  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "scenarios")
RTP_AGENT = os.path.join(HERE, "rtp_agent.py")
SER_DB = os.path.join(SOURCE_DIR, "tools", "ser-db")
CFG = os.path.join(SOURCE_DIR, "cfg", "nat-rtpproxy.cfg")
RTPPROXY = os.environ.get("RTPPROXY_BIN") or os.path.join(BUILD_DIR, "rtpproxy", "rtpproxy")
PYTHON = "/usr/bin/python3"   # the python3 on PATH may be a slow shim

PROXY = "192.0.2.13"          # the config's listen=
DOMAIN = PROXY                # the phones register to sip:192.0.2.13
DB_URL = "mysql://ser:heslo@localhost/ser"   # the config's db_url
SIP_PORT = 5060
RTP_PORT = 16000
PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw", "dave": "dave-pw",
             "erin": "erin-pw", "frank": "frank-pw"}

# Timing. The config pings NATed contacts every 30 s (natping_interval), and
# Linux refreshes a UDP mapping on a packet in either direction, so with the
# pings a mapping is never idle for more than ~30 s. The routers' conntrack
# UDP timeout is therefore 40 s: longer than the ping interval (a shorter one
# would expire between two pings and fail the config for a reason outside
# the proxy), shorter than the wait. Every call starts at least WAIT seconds
# after the callee's REGISTER, whose 200 OK was the last packet through the
# mapping apart from the pings: only the pings can have kept it open. The
# control (no pings) proves it: its mapping dies at 40 s and its INVITE is
# dropped at the NAT.
CONNTRACK_TIMEOUT = 40
WAIT = 47
PHASE_MS = 2000     # media before the re-INVITE and before the BYE (sipp -d)
AFTER_BYE = 1.2     # the agents keep sending this long after the BYE's 200
SETTLE = 0.3        # media counted from this long after a phase starts
MIN_PACKETS = 25    # of ~85 sent per phase (20 ms apart), leaving room for a loaded machine


def run(args, timeout=60, env=None):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, env=env)
    return p.returncode, p.stdout.decode(errors="replace")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def tail(path, n=4000):
    return read(path)[-n:]


def wait_for(cond, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return bool(cond())


def control_config(workdir):
    """The control's config: cfg/nat-rtpproxy.cfg with natping_interval 0 and
    nothing else changed (asserted)."""
    text = read(CFG)
    ping = 'modparam("nathelper", "natping_interval", 30)'
    if text.count(ping) != 1:
        raise AssertionError("%s: expected exactly one line %s" % (CFG, ping))
    ctl = text.replace(ping, 'modparam("nathelper", "natping_interval", 0)')
    diff = [l for l in difflib.unified_diff(text.splitlines(), ctl.splitlines(), lineterm="", n=0)
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    if len(diff) != 2:
        raise AssertionError("control config differs in more than natping_interval: %s" % diff)
    path = os.path.join(workdir, "nat-rtpproxy-control.cfg")
    with open(path, "w") as f:
        f.write(ctl)
    return path


class Site:
    """A proxy host of a bed with its rtpproxy and ser."""

    def __init__(self, bed, host):
        self.bed, self.host = bed, host
        self.ser = self.rtpproxy = None
        self.ser_log = os.path.join(bed.dir, "ser.log")
        self.rtpp_log = os.path.join(bed.dir, "rtpproxy.log")

    def start_rtpproxy(self):
        # /var/run is /run on Debian: the holder's private tmpfs.
        self.rtpproxy = self.host.spawn([RTPPROXY, "-f", "-F", "-s", "unix:/var/run/rtpproxy.sock", "-l", PROXY,
                                         "-m", "35000", "-M", "35999"], self.rtpp_log)
        sock = self.host.path("/run/rtpproxy.sock")
        if not wait_for(lambda: os.path.exists(sock) or self.rtpproxy.poll() is not None, 10):
            raise RuntimeError("rtpproxy did not create its socket:\n" + tail(self.rtpp_log))
        if self.rtpproxy.poll() is not None:
            raise RuntimeError("rtpproxy exited (%s):\n%s" % (self.rtpproxy.returncode, tail(self.rtpp_log)))

    def start_ser(self, cfg):
        self.start_time = time.monotonic()
        self.ser = self.host.spawn([SER_BIN, "-f", cfg, "--foreground", "--stderr"], self.ser_log)
        if not wait_for(lambda: "ser started" in read(self.ser_log) or self.ser.poll() is not None, 30):
            raise RuntimeError("ser did not start:\n" + tail(self.ser_log))
        if self.ser.poll() is not None:
            raise RuntimeError("ser exited (%s):\n%s" % (self.ser.returncode, tail(self.ser_log)))

    def rtpproxy_command(self, cmd, timeout=3.0):
        """One command on the rtpproxy control socket, reached through the holder's /proc root."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.host.path("/run/rtpproxy.sock"))
            s.sendall(cmd.encode())
            s.shutdown(socket.SHUT_WR)
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
            return out.decode(errors="replace")
        finally:
            s.close()


class Phone:
    def __init__(self, host, user, site):
        self.host, self.user, self.site = host, user, site
        self.addr = host.addr
        self.uas = None

    def sipp_args(self, scenario, d, name, extra=()):
        return [SIPP, "-nostdin", "-sf", os.path.join(SCENARIOS, scenario), "-i", self.addr, "-p", str(SIP_PORT),
                "-m", "1", "-trace_msg", "-message_file", os.path.join(d, name + ".msg"),
                "-trace_err", "-error_file", os.path.join(d, name + ".err")] + list(extra)

    def register(self, d):
        """Starts a digest REGISTER (nat_register.xml) from port 5060; returns the process."""
        inf = os.path.join(d, "reg-%s.csv" % self.user)
        with open(inf, "w") as f:
            f.write("SEQUENTIAL\n%s;%s;3600;\n" % (self.user, DOMAIN))
        args = self.sipp_args("nat_register.xml", d, "reg-" + self.user,
                              ["%s:%d" % (PROXY, SIP_PORT), "-inf", inf, "-au", self.user, "-ap", PASSWORDS[self.user],
                               "-timeout", "20s", "-timeout_error"])
        return self.host.spawn(args, os.path.join(d, "reg-%s.out" % self.user))

    def start_uas(self, d, name, timeout=90):
        """A callee (nat_uas_call.xml) on port 5060, returned once it has bound the port."""
        args = self.sipp_args("nat_uas_call.xml", d, name,
                              ["-s", self.user, "-key", "rtp_port", str(RTP_PORT),
                               "-key", "media_dest", os.path.join(d, name + ".dest"),
                               "-key", "events", os.path.join(d, name + ".events"),
                               "-timeout", "%ds" % timeout, "-timeout_error"])
        p = self.host.spawn(args, os.path.join(d, name + ".out"))

        def bound():
            out = self.host.run("ss", "-Hulnp", "sport = :%d" % SIP_PORT, check=False)
            return p.poll() is not None or "pid=%d," % p.pid in out
        if not wait_for(bound, 10) or p.poll() is not None:
            raise RuntimeError("callee sipp did not start:\n" + tail(os.path.join(d, name + ".out")))
        return p

    def start_uac(self, d, name, callee, scenario="nat_uac_call.xml"):
        args = self.sipp_args(scenario, d, name,
                              ["%s:%d" % (PROXY, SIP_PORT), "-au", self.user, "-ap", PASSWORDS[self.user],
                               "-key", "caller", self.user, "-key", "callee", callee, "-key", "domain", DOMAIN,
                               "-key", "rtp_port", str(RTP_PORT),
                               "-key", "media_dest", os.path.join(d, name + ".dest"),
                               "-key", "events", os.path.join(d, name + ".events"),
                               "-d", str(PHASE_MS), "-timeout", "60s", "-timeout_error"])
        return self.host.spawn(args, os.path.join(d, name + ".out"))

    def start_agent(self, d, name):
        log = os.path.join(d, name + ".rtp")
        p = self.host.spawn([PYTHON, RTP_AGENT, "--port", str(RTP_PORT), "--dest-file", os.path.join(d, name + ".dest"),
                             "--log", log, "--max-seconds", "90"], os.path.join(d, name + ".agent.out"))
        if not wait_for(lambda: read(log).startswith("ready") or p.poll() is not None, 10) or p.poll() is not None:
            raise RuntimeError("rtp agent did not start:\n" + read(os.path.join(d, name + ".agent.out")))
        return p


def events(path):
    """{name: [time, args...]} from a scenario's events file (last of each name)."""
    out = {}
    for line in read(path).splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out[parts[0]] = [float(parts[1])] + parts[2:]
    return out


def received(path):
    """[(time, ip, port)] of the packets an agent got."""
    out = []
    for line in read(path).splitlines():
        parts = line.split()
        if parts and parts[0] == "rx":
            out.append((float(parts[1]), parts[2], int(parts[3])))
    return out


class NatE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.beds, cls.db = [], None
        atexit.register(cls._teardown)   # also after an interrupt that skips tearDownClass
        try:
            cls._setup()
        except BaseException:
            cls._teardown()
            raise

    @classmethod
    def tearDownClass(cls):
        cls._teardown()

    # ---- the bed, the database, the daemons, the registrations, the wait
    @classmethod
    def _preconditions(cls):
        if os.geteuid() != 0:
            raise AssertionError("test_nat_e2e needs root (network namespaces, nftables): run it as root")
        for tool in ("ip", "nft", "conntrack", "nsenter", "unshare", "ss", "mariadbd", "mariadb-install-db"):
            if not shutil.which(tool):
                raise AssertionError("%s not installed (tools/setup.sh installs it)" % tool)
        needed = [SER_BIN, SIPP, RTPPROXY, PYTHON] + [module_path(m) for m in (
            "mysql", "sl", "tm", "rr", "maxfwd", "usrloc", "registrar", "auth", "auth_db", "uri", "uri_db",
            "nathelper", "textops")]
        missing = [p for p in needed if not os.path.exists(p)]
        if missing:
            raise AssertionError("not built / not installed: %s" % ", ".join(missing))
        for p in (SER_BIN, CFG, RTPPROXY, HERE):
            # The proxy's mount namespace has its own /tmp and /run.
            if os.path.realpath(p).startswith(("/tmp/", "/run/")):
                raise AssertionError("%s lies under /tmp or /run, hidden in the proxy's mount namespace" % p)

    @classmethod
    def _setup(cls):
        cls._preconditions()
        # Under /var/tmp: the proxy namespaces see it (their /tmp is private).
        cls.base = tempfile.mkdtemp(prefix="ser-nat-e2e-", dir="/var/tmp")
        sockdir = os.path.join(cls.base, "mysqld")
        os.mkdir(sockdir)
        cls.calls_dir = os.path.join(cls.base, "calls")
        os.mkdir(cls.calls_dir)

        m = Bed("m", workdir=cls.base)
        cls.beds.append(m)
        proxy = m.public_host("proxy", PROXY)
        cls.r_cone = m.router("ra", "203.0.113.1", "cone", CONNTRACK_TIMEOUT)
        cls.r_port = m.router("rb", "203.0.113.2", "port-translating", CONNTRACK_TIMEOUT)
        cls.r_sym = m.router("rc", "203.0.113.3", "symmetric", CONNTRACK_TIMEOUT)
        alice_h = m.phone("alice", cls.r_cone)
        bob_h = m.phone("bob", cls.r_port)
        carol_h = m.phone("carol", cls.r_sym)
        dave_h = m.public_host("dave", "198.51.100.20")

        c = Bed("c", workdir=cls.base)
        cls.beds.append(c)
        cproxy = c.public_host("proxy", PROXY)
        cls.r_ctl = c.router("re", "203.0.113.1", "cone", CONNTRACK_TIMEOUT)
        erin_h = c.phone("erin", cls.r_ctl)
        frank_h = c.public_host("frank", "198.51.100.20")

        # libmysqlclient's "localhost" is /run/mysqld/mysqld.sock: one server
        # (in the main proxy's namespaces) whose socket directory both proxies bind there.
        for h in (proxy, cproxy):
            h.make_holder(binds=[(sockdir, "/run/mysqld")])
        cls.db = MariaDB(run_prefix=proxy.exec_args([]), sock="/run/mysqld/mysqld.sock",
                         client_sock=os.path.join(sockdir, "mysqld.sock"), networking=False, base_dir=cls.base)
        cls.db.__enter__()
        env = cls.db.ser_db_env()
        env["SIP_DOMAIN"] = DOMAIN
        for args in [["create", "mysql", "ser"]] + [["add-user", DB_URL, "%s@%s" % (u, DOMAIN), pw]
                                                   for u, pw in PASSWORDS.items()]:
            rc, out = run([PYTHON, SER_DB] + args, env=env)
            if rc != 0:
                raise RuntimeError("ser-db %s failed (%d): %s" % (" ".join(args), rc, out))

        cls.main = Site(m, proxy)
        cls.ctl = Site(c, cproxy)
        cls.main.start_rtpproxy()
        cls.ctl.start_rtpproxy()
        cls.main.start_ser(CFG)   # the reference config itself, byte for byte
        cls.ctl.start_ser(control_config(c.dir))

        cls.alice = Phone(alice_h, "alice", cls.main)
        cls.bob = Phone(bob_h, "bob", cls.main)
        cls.carol = Phone(carol_h, "carol", cls.main)
        cls.dave = Phone(dave_h, "dave", cls.main)
        cls.erin = Phone(erin_h, "erin", cls.ctl)
        cls.frank = Phone(frank_h, "frank", cls.ctl)
        regs = [(ph, ph.register(cls.calls_dir)) for ph in (cls.alice, cls.bob, cls.carol, cls.dave, cls.erin)]
        cls.registered_at = {}
        for ph, p in regs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                pass
            cls.registered_at[ph.user] = time.monotonic()
            if p.returncode != 0:
                raise AssertionError("REGISTER of %s failed (sipp %s):\n%s\n--- ser:\n%s" % (
                    ph.user, p.returncode, tail(os.path.join(cls.calls_dir, "reg-%s.out" % ph.user), 3000),
                    tail(ph.site.ser_log)))
        # The control callee listens from now on: an INVITE that got through would be seen.
        cls.erin_uas = cls.erin.start_uas(cls.calls_dir, "ctl-erin", timeout=180)

        time.sleep(max(0.0, max(cls.registered_at.values()) + WAIT - time.monotonic()))

        cls.conntrack_after_wait = {r.name: r.conntrack_udp() for r in (cls.r_cone, cls.r_port, cls.r_sym, cls.r_ctl)}
        # The control call runs (and waits for its 408) while the main calls run.
        cls.ctl_call_started = time.monotonic()
        cls.frank_uac = cls.frank.start_uac(cls.calls_dir, "ctl-frank", "erin", scenario="uac_auth_timeout.xml")

    @classmethod
    def _teardown(cls):
        for site in (getattr(cls, "main", None), getattr(cls, "ctl", None)):
            if site and site.ser:
                site.bed.stop(site.ser)   # usrloc (db_mode 2) flushes before MariaDB goes
        if cls.db:
            cls.db.__exit__(None, None, None)
            cls.db = None
        for b in cls.beds:
            b.close()
        cls.beds = []
        if getattr(cls, "base", None):
            shutil.rmtree(cls.base, ignore_errors=True)
            cls.base = None

    # ---- one call with media, re-INVITE and BYE
    def call(self, caller, callee, name, reinvite_answer_relayed=True):
        """caller calls callee: both SDPs point at the relay, media flows both
        ways through it from 192.0.2.13, before and after the caller's
        re-INVITE, and stops with the BYE, which also ends rtpproxy's session.

        reinvite_answer_relayed=False is the reference config's behaviour for
        a re-INVITE from a caller that is not behind NAT: loose_route's
        branch sets flag 6 only from nat_uac_test("19") on the request (no
        lookup("location") in a dialog), so onreply_route[1] leaves the 200's
        SDP alone and the caller gets the callee's private address: its media
        no longer reaches the callee (SER 0.9.6 runs this config the same way)."""
        d = os.path.join(self.calls_dir, name)
        os.mkdir(d)
        site = caller.site
        bed = site.bed
        agents = [caller.start_agent(d, "caller"), callee.start_agent(d, "callee")]
        uas = callee.start_uas(d, "callee")
        uac = caller.start_uac(d, "caller", callee.user)

        def diag():
            return "\n".join("--- %s:\n%s" % (f, tail(os.path.join(d, f), 3000)) for f in sorted(os.listdir(d))
                             if f.endswith((".out", ".err", ".events"))) + \
                "\n--- ser:\n" + tail(site.ser_log, 6000) + "\n--- rtpproxy:\n" + tail(site.rtpp_log, 3000)

        # rtpproxy's session list while the media flows, and after the BYE.
        caller_events = os.path.join(d, "caller.events")
        info_during = None
        if wait_for(lambda: "answered" in events(caller_events) or uac.poll() is not None, 30):
            if "answered" in events(caller_events):
                time.sleep(SETTLE)
                info_during = site.rtpproxy_command("I")
        try:
            uac.wait(60)
        except subprocess.TimeoutExpired:
            bed.stop(uac)
        time.sleep(AFTER_BYE)
        info_after = site.rtpproxy_command("I")
        for a in agents:
            bed.stop(a)
        try:
            uas.wait(10)
        except subprocess.TimeoutExpired:
            bed.stop(uas)
        self.assertEqual(uac.returncode, 0, "caller's sipp failed\n" + diag())
        self.assertEqual(uas.returncode, 0, "callee's sipp failed\n" + diag())

        ce, ee = events(caller_events), events(os.path.join(d, "callee.events"))
        for ev, what in ((ce, ("answered", "reinvite", "reanswered", "bye", "byeok")),
                         (ee, ("invited", "reinvited", "byed"))):
            for w in what:
                self.assertIn(w, ev, "event %s missing\n%s" % (w, diag()))
        # Both SDPs name the relay, and the re-INVITE keeps the relay's ports.
        for ev, first, again in ((ce, "answered", "reanswered"), (ee, "invited", "reinvited")):
            self.assertEqual(ev[first][1], PROXY, "%s SDP not rewritten to the relay\n%s" % (first, diag()))
            if again == "reanswered" and not reinvite_answer_relayed:
                self.assertEqual(ev[again][1:3], [callee.addr, str(RTP_PORT)], diag())
                continue
            self.assertEqual(ev[again][1:3], ev[first][1:3], "re-INVITE moved the media\n%s" % diag())
        caller_relay = (PROXY, int(ce["answered"][2]))
        callee_relay = (PROXY, int(ee["invited"][2]))
        self.assertNotEqual(caller_relay, callee_relay)

        call_id = ce["answered"][3]
        self.assertIsNotNone(info_during, diag())
        self.assertIn(call_id, info_during, "rtpproxy has no session for the call:\n%s" % info_during)
        self.assertNotIn(call_id, info_after, "rtpproxy kept the session after BYE:\n%s" % info_after)

        rx = {"caller": received(os.path.join(d, "caller.rtp")), "callee": received(os.path.join(d, "callee.rtp"))}
        relay = {"caller": caller_relay, "callee": callee_relay}
        phases = {"before re-INVITE": (ce["answered"][0] + SETTLE, ce["reinvite"][0]),
                  "after re-INVITE": (ce["reanswered"][0] + SETTLE, ce["bye"][0])}
        counts = {}
        for who in ("caller", "callee"):
            # Every packet a phone gets comes from the relay port it sends to.
            sources = {(ip, port) for _, ip, port in rx[who]}
            self.assertEqual(sources, {relay[who]}, "%s got media from elsewhere\n%s" % (who, diag()))
            for phase, (t0, t1) in phases.items():
                n = sum(1 for t, _, _ in rx[who] if t0 <= t < t1)
                counts[(who, phase)] = n
                if who == "callee" and phase == "after re-INVITE" and not reinvite_answer_relayed:
                    # The caller now sends to the callee's private address.
                    self.assertEqual(n, 0, "callee got media sent to its private address\n" + diag())
                    continue
                self.assertGreaterEqual(n, MIN_PACKETS, "%s got %d packets %s (%.1f s)\n%s" % (
                    who, n, phase, t1 - t0, diag()))
            late = [t for t, _, _ in rx[who] if t >= ce["byeok"][0] + SETTLE]
            self.assertEqual(late, [], "%s still got media after the BYE\n%s" % (who, diag()))
        sys.stderr.write("%s: packets received %s\n" % (name, ", ".join(
            "%s %s %d" % (who, phase, n) for (who, phase), n in sorted(counts.items()))))
        return counts

    def location(self, user, timeout):
        """(contact, received) of user's binding in the location table. db_mode 2 writes at
        usrloc's timer (60 s after the start), so it may take until then."""
        rows = []

        def found():
            rows[:] = self.db.query("ser", "SELECT contact, received FROM location WHERE username='%s'" % user)
            return bool(rows)
        wait_for(found, timeout, step=1.0)
        self.assertEqual(len(rows), 1, "location rows of %s: %s" % (user, rows))
        return rows[0][0], rows[0][1]

    def location_deadline(self):
        return max(5.0, self.main.start_time + 75 - time.monotonic())

    def mapping(self, router, phone):
        """The router's conntrack flow from the phone's SIP port to the proxy, after the wait."""
        want = "src=%s dst=%s sport=%d dport=%d" % (phone.addr, PROXY, SIP_PORT, SIP_PORT)
        return [l for l in self.conntrack_after_wait[router.name] if want in l]

    # ---- the cases
    def test_1_both_phones_behind_nat(self):
        # The mappings survived the wait past their timeout: the pings kept them.
        for router, phone in ((self.r_cone, self.alice), (self.r_port, self.bob)):
            self.assertEqual(len(self.mapping(router, phone)), 1, self.conntrack_after_wait[router.name])
        self.assertIn("dport=21444", self.mapping(self.r_port, self.bob)[0])
        self.call(self.alice, self.bob, "alice-bob")
        # ser stored where each REGISTER really came from (the NAT's address
        # and port) next to the private Contact.
        contact, rcv = self.location("alice", self.location_deadline())
        self.assertEqual((contact, rcv), ("sip:alice@192.168.1.2:5060", "sip:203.0.113.1:5060"))
        contact, rcv = self.location("bob", self.location_deadline())
        self.assertEqual((contact, rcv), ("sip:bob@192.168.2.2:5060", "sip:203.0.113.2:21444"))

    def test_2_one_phone_public(self):
        contact, rcv = self.location("dave", self.location_deadline())
        self.assertEqual(contact, "sip:dave@198.51.100.20:5060")
        self.assertIn(rcv, ("", "NULL"))   # not NATed: nothing to remember
        # A NATed caller to the public callee (the NAT flag comes from the
        # caller's request), and the reverse: the public caller to a NATed
        # callee (the flag comes from the callee's registration), whose
        # re-INVITE the config does not relay (see call()).
        self.call(self.alice, self.dave, "alice-dave")
        self.call(self.dave, self.alice, "dave-alice", reinvite_answer_relayed=False)

    def test_3_symmetric_nat(self):
        self.assertEqual(len(self.mapping(self.r_sym, self.carol)), 1, self.conntrack_after_wait["rc"])
        self.call(self.alice, self.carol, "alice-carol")
        contact, rcv = self.location("carol", self.location_deadline())
        self.assertEqual(contact, "sip:carol@192.168.3.2:5060")
        self.assertRegex(rcv, r"^sip:203\.0\.113\.3:\d+$")

    def test_4_control_without_pings(self):
        # CONTROL: ser on the copy of the config with natping_interval 0. The
        # mapping expired during the wait, so the INVITE is dropped at the
        # NAT and the caller gets 408 from tm's fr_timer (30 s).
        self.assertEqual(self.mapping(self.r_ctl, self.erin), [], self.conntrack_after_wait["re"])
        out = os.path.join(self.calls_dir, "ctl-frank.out")
        try:
            self.frank_uac.wait(max(1.0, self.ctl_call_started + 60 - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        self.assertEqual(self.frank_uac.returncode, 0, "control caller did not get its 408:\n" + tail(out) +
                         "\n--- ser:\n" + tail(self.ctl.ser_log))
        self.assertIn("timeout", events(os.path.join(self.calls_dir, "ctl-frank.events")))
        self.assertIsNone(self.erin_uas.poll(), "control callee's sipp ended:\n" +
                          tail(os.path.join(self.calls_dir, "ctl-erin.out")))
        self.assertNotIn("INVITE sip:", read(os.path.join(self.calls_dir, "ctl-erin.msg")),
                         "the INVITE reached the callee whose mapping had expired")
        contact, rcv = self.location("erin", max(5.0, self.ctl.start_time + 75 - time.monotonic()))
        self.assertEqual(rcv, "sip:203.0.113.1:5060")


if __name__ == "__main__":
    # meson's timeout sends SIGTERM: unwind, so that the namespaces and
    # daemons go (atexit) instead of outliving the test.
    def interrupted(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)
    main()
