"""A real-NAT test bed built from network namespaces, veth pairs and
nftables (facts: /work/shared/notes/nat-testbed.md).

  internet   a namespace holding one bridge; every public host hangs on it
  public     hosts with addresses in 192.0.2.0/24, 198.51.100.0/24 or
             203.0.113.0/24 and on-link routes to those three prefixes only:
             no default route, so a private address is unreachable from the
             public side, as on the Internet
  router     a WAN address on the bridge, a LAN 192.168.N.0/24, nftables NAT
             (cone, symmetric or port-translating) with DSL-router filtering,
             short UDP conntrack timeouts
  phone      a host on a router's LAN with its default route via the router
  holder     a process in a host's namespace owning a private mount namespace
             (tmpfs on /run and /tmp, chosen host directories bound in), in
             which daemons run with `nsenter -t <holder> -n -m`

Names carry a per-run prefix (pid and a tag) so parallel runs do not collide.
close() (also run at exit) kills every process the bed started, by PID, and
anything left in its namespaces, then deletes the namespaces and temp dirs."""

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import time

PUBLIC_PREFIXES = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")

# nftables for a router: the NAT kind picks the postrouting rule.
NAT_RULES = {
    # Linux keeps the source port when it is free: a full-cone mapping.
    "cone": 'oifname "wan" masquerade',
    # A new public port per destination: a symmetric NAT.
    "symmetric": 'oifname "wan" masquerade random',
    # A deterministic port change (5060 -> 21444): shows whether the proxy
    # uses the port a request came from rather than the one in Via/Contact.
    "port-translating": 'oifname "wan" meta l4proto udp snat ip to {wan} : udp sport ^ 0x4000\n'
                        '    oifname "wan" masquerade',
}

RULESET = """table ip natbed {{
  chain postrouting {{
    type nat hook postrouting priority srcnat; policy accept;
    {nat}
  }}
  # Port-restricted filtering: from the WAN only what answers a flow the LAN
  # opened (same remote address and port) gets in.
  chain forward {{
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }}
  # Silently drops unsolicited packets to the router itself (no ICMP back).
  chain input {{
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state != established,related drop
  }}
}}
"""


def run(*args, check=True, timeout=30):
    p = subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), p.returncode, p.stdout.decode(errors="replace")))
    return p.stdout.decode(errors="replace")


class Host:
    """One network namespace."""

    def __init__(self, bed, name, addr=None):
        self.bed = bed
        self.name = name
        self.ns = bed.prefix + "-" + name
        self.addr = addr
        self.holder = None   # pid of the mount-namespace holder, if any

    def ip(self, *args, check=True):
        return run("ip", "-n", self.ns, *args, check=check)

    def exec_args(self, args):
        """argv running `args` in this host: in its holder's mount namespace when it has one."""
        if self.holder:
            return ["nsenter", "-t", str(self.holder), "-n", "-m", "--"] + list(args)
        return ["ip", "netns", "exec", self.ns] + list(args)

    def run(self, *args, check=True, timeout=30):
        return run(*self.exec_args(args), check=check, timeout=timeout)

    def spawn(self, args, log_path, env=None):
        """A background process in this host, output to log_path, killed at close().
        (`ip netns exec` and `nsenter -n -m` exec the command: its PID is the Popen's.)"""
        with open(log_path, "ab") as log:
            p = subprocess.Popen(self.exec_args(args), stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=env)
        self.bed.procs.append(p)
        return p

    def path(self, inner):
        """A path inside this host's private mount namespace, as seen from outside."""
        return "/proc/%d/root%s" % (self.holder, inner) if self.holder else inner

    def make_holder(self, binds=()):
        """Starts the mount-namespace holder: tmpfs on /run and /tmp, each
        (host_dir, inner_dir) of `binds` bound in, and an empty tmpfs over
        /usr/local/lib/ser when it exists so that ser loads the modules of its
        build tree, not installed ones."""
        steps = ["mount -t tmpfs none /run"]
        for host_dir, inner in binds:
            # Bound before /tmp is covered: host_dir may lie under /tmp.
            steps += ["mkdir -p %s" % inner, "mount --bind %s %s" % (host_dir, inner)]
        steps += ["mount -t tmpfs none /tmp",
                  "if [ -d /usr/local/lib/ser ]; then mount -t tmpfs none /usr/local/lib/ser; fi",
                  "touch /run/holder-ready", "exec sleep infinity"]
        p = subprocess.Popen(["ip", "netns", "exec", self.ns, "unshare", "-m", "--propagation", "private",
                              "sh", "-ec", "; ".join(steps)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.bed.procs.append(p)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if p.poll() is not None:
                raise RuntimeError("mount holder for %s exited: %s" % (self.ns, p.stdout.read().decode()))
            if os.path.exists("/proc/%d/root/run/holder-ready" % p.pid):
                self.holder = p.pid
                return p.pid
            time.sleep(0.02)
        raise RuntimeError("mount holder for %s not ready" % self.ns)


class Router(Host):
    def __init__(self, bed, name, wan, lan_net, nat):
        super().__init__(bed, name, wan)
        self.lan_net = lan_net            # e.g. "192.168.1"
        self.lan_addr = lan_net + ".1"
        self.nat = nat
        self.has_phone = False

    def conntrack_udp(self):
        """The router's UDP conntrack table, one flow per line."""
        out = self.run("conntrack", "-L", "-p", "udp", check=False)
        return [l for l in out.splitlines() if l.startswith("udp")]


class Bed:
    def __init__(self, tag="", workdir=None):
        # Interface names stay inside the namespaces; only namespace names are
        # global, and they carry the prefix.
        self.prefix = "nb%d%s" % (os.getpid(), tag)
        self.dir = tempfile.mkdtemp(prefix="ser-natbed-%s-" % tag, dir=workdir)
        self.procs = []
        self.hosts = []
        self.closed = False
        self.next_lan = 1
        atexit.register(self.close)
        try:
            self.inet = self._add(Host(self, "inet"))
            self.inet.ip("link", "add", "br0", "type", "bridge")
            self.inet.ip("link", "set", "br0", "up")
        except BaseException:
            self.close()
            raise

    def _add(self, host):
        run("ip", "netns", "add", host.ns)
        self.hosts.append(host)
        host.ip("link", "set", "lo", "up")
        return host

    def _plug(self, host, ifname, addr):
        """Connects `host` to the internet bridge as `ifname` with `addr`/24."""
        port = "v-" + host.name[:12]
        self.inet.ip("link", "add", port, "type", "veth", "peer", "name", ifname, "netns", host.ns)
        self.inet.ip("link", "set", port, "master", "br0", "up")
        host.ip("addr", "add", addr + "/24", "dev", ifname)
        host.ip("link", "set", ifname, "up")
        own = addr.rsplit(".", 1)[0] + ".0/24"
        for prefix in PUBLIC_PREFIXES:
            if prefix != own:
                host.ip("route", "add", prefix, "dev", ifname)

    def public_host(self, name, addr):
        host = self._add(Host(self, name, addr))
        self._plug(host, "eth0", addr)
        return host

    def router(self, name, wan, nat="cone", udp_timeout=40):
        """A NAT router with WAN address `wan` and the next free 192.168.N.0/24 LAN."""
        if nat not in NAT_RULES:
            raise ValueError("nat must be one of %s" % ", ".join(NAT_RULES))
        r = self._add(Router(self, name, wan, "192.168.%d" % self.next_lan, nat))
        self.next_lan += 1
        self._plug(r, "wan", wan)
        r.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
        rules = os.path.join(self.dir, name + ".nft")
        with open(rules, "w") as f:
            f.write(RULESET.format(nat=NAT_RULES[nat].format(wan=wan)))
        r.run("nft", "-f", rules)
        # Per namespace (kernel defaults 30 s and 120 s).
        r.run("sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout=%d" % udp_timeout,
              "net.netfilter.nf_conntrack_udp_timeout_stream=%d" % udp_timeout)
        return r

    def phone(self, name, router, host_number=2):
        """A host on `router`'s LAN, default route via the router."""
        if router.has_phone:
            raise ValueError("one phone per router in this bed (the LAN is a veth pair)")
        addr = "%s.%d" % (router.lan_net, host_number)
        p = self._add(Host(self, name, addr))
        router.ip("link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", p.ns)
        router.ip("addr", "add", router.lan_addr + "/24", "dev", "lan")
        router.ip("link", "set", "lan", "up")
        router.has_phone = True
        p.ip("addr", "add", addr + "/24", "dev", "eth0")
        p.ip("link", "set", "eth0", "up")
        p.ip("route", "add", "default", "via", router.lan_addr)
        return p

    # ---- teardown
    def stop(self, p, timeout=10):
        """SIGTERM, then SIGKILL, one process the bed started (by its PID)."""
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return p.returncode

    def close(self):
        if self.closed:
            return
        self.closed = True
        # Daemons first, holders (started first) last.
        for p in reversed(self.procs):
            try:
                self.stop(p, timeout=5)
            except OSError:
                pass
        for h in self.hosts:
            # What is left in our namespaces was started by our processes
            # (e.g. a command a sipp scenario ran): killed by its PID.
            pids = run("ip", "netns", "pids", h.ns, check=False).split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
        for h in reversed(self.hosts):
            run("ip", "netns", "del", h.ns, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
