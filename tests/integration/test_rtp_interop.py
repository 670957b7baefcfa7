"""RTP proxy interoperability with implementations we did not write, each
with a call whose media is relayed both ways, kept across a re-INVITE and
torn down at BYE:
  * ser's nathelper driving rtpengine (Debian rtpengine-daemon, userspace
    only) over its rtpproxy-protocol UDP listener;
  * Kamailio 5.6's rtpproxy module driving our rtpproxy over a unix socket."""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa
from media_call import Call

RTPENGINE = shutil.which("rtpengine") or "/usr/bin/rtpengine"
KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"
KAMAILIO_MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
RTPPROXY_BIN = os.environ.get("RTPPROXY_BIN", os.path.join(BUILD_DIR, "rtpproxy", "rtpproxy"))

SER_CFG = r'''
debug=3
listen=127.0.0.1
port=@PORT@
children=2
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "textops.so"
loadmodule "nathelper.so"
modparam("nathelper", "rtpproxy_sock", "@SOCK@")
route {
  if (method == "BYE") unforce_rtp_proxy();
  if (method == "INVITE") {
    force_rtp_proxy();
    t_on_reply("1");
  };
  t_relay();
}
onreply_route[1] {
  if (status =~ "2[0-9][0-9]" && !search("^Content-Length:[ ]*0")) force_rtp_proxy();
}
'''

KAMAILIO_CFG = r'''#!KAMAILIO
debug=2
log_stderror=yes
disable_tcp=yes
auto_aliases=no
children=2
listen=udp:127.0.0.1:@PORT@
mpath="''' + KAMAILIO_MODULES + r'''"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "rtpproxy.so"
modparam("rtpproxy", "rtpproxy_sock", "@SOCK@")
request_route {
  if (is_method("BYE")) unforce_rtp_proxy();
  if (is_method("INVITE")) {
    rtpproxy_offer();
    t_on_reply("MEDIA");
  }
  t_relay();
}
onreply_route[MEDIA] {
  if (status =~ "2[0-9][0-9]" && has_body("application/sdp")) rtpproxy_answer();
}
'''


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def media_range():
    """A block of 200 ports for one relay, away from other parallel tests."""
    base = random.randrange(20000, 30000, 200)
    return base, base + 199


class CallCases:
    """The call every pairing must carry; `proxy_port`, `relay_ip` set by the subclass."""

    def run_call(self):
        call = Call(self.proxy_port, callid="interop-%d-%d" % (os.getpid(), random.randrange(1 << 30)))
        try:
            req, final = call.invite()
            self.assertIsNotNone(req, self.logs())
            self.assertIsNotNone(final, self.logs())
            self.assertEqual(status(final), 200, final)
            # Both SDPs point at the relay, not at the phones.
            self.assertEqual(call.offer[0], self.relay_ip, req)
            self.assertEqual(call.answer[0], self.relay_ip, final)
            self.assertNotIn(call.offer[1], (call.caller_rtp.port, call.callee_rtp.port))
            to_caller, to_callee = call.media()
            self.assertGreaterEqual(to_caller, 15, self.logs())
            self.assertGreaterEqual(to_callee, 15, self.logs())
            # Relayed media comes from the relay's ports named in the SDP.
            self.assertIn((self.relay_ip, call.answer[1]), call.caller_rtp.sources)
            self.assertIn((self.relay_ip, call.offer[1]), call.callee_rtp.sources)
            # A re-INVITE keeps the same relay session and the media flowing.
            offer, answer = call.offer, call.answer
            req, final = call.invite(to_tag=call.to_tag)
            self.assertEqual(status(final), 200, final)
            self.assertEqual((call.offer, call.answer), (offer, answer))
            to_caller, to_callee = call.media()
            self.assertGreaterEqual(min(to_caller, to_callee), 15, self.logs())
            # BYE deletes the session: nothing is relayed any more.
            self.assertEqual(status(call.bye()), 200)
            time.sleep(0.3)
            self.assertEqual(call.media(packets=10), (0, 0), self.logs())
            self.after_bye(call)
        finally:
            call.close()

    def after_bye(self, call):
        pass


class NathelperWithRtpengine(CallCases, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ser-it-rtpe-")
        cls.ctl = free_port(also_tcp=False)
        lo, hi = media_range()
        cls.log = open(os.path.join(cls.dir, "rtpengine.log"), "wb")
        cls.rtpe = subprocess.Popen([RTPENGINE, "--table=-1", "--config-file=none", "--interface=127.0.0.1",
                                     "--listen-udp=127.0.0.1:%d" % cls.ctl, "--foreground", "--log-stderr",
                                     "--port-min=%d" % lo, "--port-max=%d" % hi, "-L", "6",
                                     "--delete-delay=0",   # D deletes at once (default: 30 s later)
                                     "--pidfile=" + os.path.join(cls.dir, "rtpengine.pid")],
                                    stdout=cls.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while "Startup complete" not in read(cls.log.name):
            if time.time() > deadline or cls.rtpe.poll() is not None:
                raise RuntimeError("rtpengine did not start:\n" + read(cls.log.name))
            time.sleep(0.05)
        cls.ser = Ser(SER_CFG.replace("@SOCK@", "udp:127.0.0.1:%d" % cls.ctl)).__enter__()
        cls.proxy_port = cls.ser.port
        cls.relay_ip = "127.0.0.1"

    @classmethod
    def tearDownClass(cls):
        try:
            cls.ser.__exit__(None, None, None)
        finally:
            # Never Q: rtpengine 10.5 hangs on D after Q (SIGKILL is the only way out then).
            stop_proc(cls.rtpe)
            cls.log.close()
            shutil.rmtree(cls.dir, ignore_errors=True)

    def logs(self):
        return self.ser.output()[-2000:] + "\n--- rtpengine:\n" + read(self.log.name)[-3000:]

    def test_call_media_reinvite_bye(self):
        self.run_call()

    def after_bye(self, call):
        deadline = time.time() + 3
        while time.time() < deadline:
            if "Final packet stats" in read(self.log.name):
                return
            time.sleep(0.1)
        self.fail("rtpengine did not delete the call:\n" + self.logs())


class KamailioWithOurRtpproxy(CallCases, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ser-it-kam-")
        cls.sock = os.path.join(cls.dir, "rtpproxy.sock")
        lo, hi = media_range()
        cls.rtpp_log = open(os.path.join(cls.dir, "rtpproxy.log"), "wb")
        cls.rtpp = subprocess.Popen([RTPPROXY_BIN, "-f", "-F", "-l", "127.0.0.1", "-s", "unix:" + cls.sock,
                                     "-m", str(lo), "-M", str(hi), "-d", "INFO",
                                     "-p", os.path.join(cls.dir, "rtpproxy.pid")],
                                    stdout=cls.rtpp_log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while not os.path.exists(cls.sock):
            if time.time() > deadline or cls.rtpp.poll() is not None:
                stop_proc(cls.rtpp)
                raise RuntimeError("rtpproxy did not start:\n" + read(cls.rtpp_log.name))
            time.sleep(0.05)
        cls.proxy_port = free_port(also_tcp=False)
        cfg = os.path.join(cls.dir, "kamailio.cfg")
        with open(cfg, "w") as f:
            f.write(KAMAILIO_CFG.replace("@PORT@", str(cls.proxy_port)).replace("@SOCK@", "unix:" + cls.sock))
        cls.kam_log = open(os.path.join(cls.dir, "kamailio.log"), "wb")
        cls.kam = subprocess.Popen([KAMAILIO, "-f", cfg, "-DD", "-E", "-w", cls.dir, "-P",
                                    os.path.join(cls.dir, "kamailio.pid"), "-Y", os.path.join(cls.dir, "kamailio.fifo")],
                                   stdout=cls.kam_log, stderr=subprocess.STDOUT)
        # Ready when its UDP port is bound by it.
        deadline = time.time() + 15
        while True:
            if cls.kam.poll() is not None or time.time() > deadline:
                stop_proc(cls.kam)
                stop_proc(cls.rtpp)
                raise RuntimeError("kamailio did not start:\n" + read(cls.kam_log.name))
            bound = subprocess.run(["ss", "-Hulnp", "sport = :%d" % cls.proxy_port], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL).stdout.decode()
            if "kamailio" in bound:
                break
            time.sleep(0.1)
        time.sleep(0.5)   # its children finish their start-up
        cls.relay_ip = "127.0.0.1"

    @classmethod
    def tearDownClass(cls):
        stop_proc(cls.kam)
        stop_proc(cls.rtpp)
        cls.kam_log.close()
        cls.rtpp_log.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def logs(self):
        return ("--- kamailio:\n" + read(self.kam_log.name)[-2000:] +
                "\n--- rtpproxy:\n" + read(self.rtpp_log.name)[-3000:])

    def test_call_media_reinvite_bye(self):
        self.run_call()


if __name__ == "__main__":
    main()
