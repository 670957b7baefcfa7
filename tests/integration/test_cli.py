"""The `ser` command line (issue #3/#4): -c, --syntax-only, diagnostics,
-V/-h, unknown options, -l/-p overrides, the reference config, fork=yes with
a pid file and SIGTERM, and the offline tracer."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa

REF_CFG = os.path.join(SOURCE_DIR, "cfg", "nat-rtpproxy.cfg")


def ser(*args, timeout=30):
    p = subprocess.run([SER_BIN] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


class CliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ser-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_version_and_help(self):
        rc, out, _ = ser("-V")
        self.assertEqual(rc, 0)
        self.assertIn("SER 0.9.6 compatible", out)
        rc, out, _ = ser("-h")
        self.assertEqual(rc, 0)
        self.assertIn("-f file", out)

    def test_unknown_option_exits_255(self):
        rc, _, err = ser("-Z")
        self.assertEqual(rc, 255)
        self.assertIn("Unknown option", err)

    def test_missing_config_file(self):
        rc, _, err = ser("-c", "-f", "/nonexistent/ser.cfg")
        self.assertEqual(rc, 255)
        self.assertIn("cannot open config file", err)

    def test_check_ok_lists_sockets(self):
        cfg = write(self.tmp, "ok.cfg", 'listen=udp:127.0.0.1:5099\nloadmodule "sl.so"\nroute{ sl_send_reply("404","x"); }\n')
        rc, out, err = ser("-c", "-f", cfg)
        self.assertEqual(rc, 0, err)
        self.assertIn("config file ok", err)
        self.assertIn("udp: 127.0.0.1 [127.0.0.1]:5099", out)

    def test_check_reports_error_with_place_and_caret(self):
        cfg = write(self.tmp, "bad.cfg", 'loadmodule "sl.so"\nroute{\n  sl_send_replay("404","x");\n}\n')
        rc, _, err = ser("-c", "-f", cfg)
        self.assertEqual(rc, 255)
        self.assertIn(cfg + ":3:3: error: unknown command 'sl_send_replay', missing loadmodule? "
                      "(searched modules: sl_module)", err)
        self.assertIn('  sl_send_replay("404","x");\n  ^', err)

    def test_reference_config_syntax_only(self):
        rc, _, err = ser("--syntax-only", "-f", REF_CFG)
        self.assertEqual(rc, 0, err)
        self.assertIn("config file ok", err)

    def test_reference_config_checks_ok(self):
        # Every module it loads exists (found through the build tree when
        # /usr/local/lib/ser/modules has none): the config is accepted as is.
        rc, _, err = ser("-c", "-f", REF_CFG)
        self.assertEqual(rc, 0, err)
        self.assertIn("config file ok", err)

    def test_seed_text_with_callout_numbers_fails_at_line_2(self):
        with open(REF_CFG) as f:
            text = f.read()
        seed = text.replace("fork=yes", "fork=yes1", 1).replace('textops.so"', 'textops.so"3', 1)
        cfg = write(self.tmp, "seed.cfg", seed)
        for mode in ("--syntax-only", "-c"):
            rc, _, err = ser(mode, "-f", cfg)
            self.assertEqual(rc, 255, err)
            self.assertIn(cfg + ":2:", err)

    def test_listen_and_port_override(self):
        cfg = write(self.tmp, "l.cfg", 'listen=192.0.2.13\nport=5060\nroute{ drop; }\n')
        rc, out, err = ser("-c", "-f", cfg, "-l", "127.0.0.1", "-p", "5098")
        self.assertEqual(rc, 0, err)
        self.assertIn("udp: 127.0.0.1 [127.0.0.1]:5098", out)
        self.assertNotIn("192.0.2.13", out)

    def test_fork_yes_daemonizes_with_pid_file_and_stops_on_sigterm(self):
        port = free_port()
        pid_file = os.path.join(self.tmp, "ser.pid")
        cfg = write(self.tmp, "d.cfg", 'fork=yes\nlog_stderror=no\nlisten=udp:127.0.0.1:%d\n'
                                       'loadmodule "sl.so"\nroute{ sl_send_reply("404","Not here"); }\n' % port)
        rc, _, err = ser("-f", cfg, "-P", pid_file)
        self.assertEqual(rc, 0, err)
        deadline = time.time() + 5
        while not os.path.exists(pid_file) and time.time() < deadline:
            time.sleep(0.05)
        pid = int(open(pid_file).read())
        try:
            uac = Peer()
            r = None
            for _ in range(20):
                uac.send("OPTIONS sip:x@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-d\n"
                         "From: <sip:a@b>;tag=1\nTo: <sip:x@127.0.0.1>\nCall-ID: d1\nCSeq: 1 OPTIONS\n"
                         "Content-Length: 0\n\n" % uac.port, port)
                r = uac.recv(0.3)
                if r:
                    break
            self.assertIsNotNone(r)
            self.assertTrue(r.startswith("SIP/2.0 404 Not here"))
            # A second instance refuses the live pid file.
            rc2, _, err2 = ser("-f", cfg, "-P", pid_file)
            self.assertEqual(rc2, 255, err2)
            os.kill(pid, signal.SIGTERM)
            deadline = time.time() + 10
            while time.time() < deadline:
                try:
                    os.kill(pid, 0)
                    time.sleep(0.05)
                except ProcessLookupError:
                    break
            self.assertRaises(ProcessLookupError, os.kill, pid, 0)
            self.assertFalse(os.path.exists(pid_file))
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def test_checklist_64_log_levels(self):
        cfg = write(self.tmp, "log.cfg", 'debug=3\nlog_stderror=yes\nlisten=udp:127.0.0.1:5099\n'
                                         'route{ log(1,"L1\\n"); log("d\\n"); log(0,"z\\n"); log(5,"f\\n"); '
                                         'log(2, "100%% sure\\n"); }\n')
        msg = write(self.tmp, "m.sip", "OPTIONS sip:x@example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-l\n"
                                       "From: <sip:a@b>;tag=1\nTo: <sip:x@example.com>\nCall-ID: l1\nCSeq: 1 OPTIONS\n"
                                       "Content-Length: 0\n\n")
        rc, _, err = ser("-f", cfg, "--trace", msg)
        self.assertEqual(rc, 0, err)
        lines = [l.split(") ", 1)[1] for l in err.splitlines() if ") " in l]
        self.assertIn("L1", lines)
        self.assertIn("z", lines)
        self.assertIn("100% sure", lines)
        self.assertNotIn("d", lines)
        self.assertNotIn("f", lines)

    def child_init_fails_cfg(self, fork):
        """A config loading the M test fixture with a failing child_init."""
        fixture = os.path.join(BUILD_DIR, "tests", "M.so")
        self.assertTrue(os.path.exists(fixture), fixture)
        port = free_port()
        return write(self.tmp, "ci.cfg", 'fork=%s\nlog_stderror=yes\nchildren=2\nlisten=udp:127.0.0.1:%d\n'
                                         'loadmodule "%s"\nmodparam("M", "fail_child_init", 1)\n'
                                         'route{ f0(); }\n' % ("yes" if fork else "no", port, fixture))

    def test_worker_init_failure_exits_255_in_foreground(self):
        cfg = self.child_init_fails_cfg(fork=False)
        rc, _, err = ser("-f", cfg, "--foreground", "--stderr", timeout=20)
        self.assertEqual(rc, 255, err)
        self.assertIn("per-worker initialisation of module 'M' failed", err)
        self.assertIn("start-up failed: a worker could not initialise", err)
        self.assertNotIn("ser started", err)

    def test_worker_init_failure_exits_255_from_the_starting_command_with_fork(self):
        # The daemon reports its start-up status through a pipe: the command
        # that started it fails too instead of returning 0 for a dead server.
        cfg = self.child_init_fails_cfg(fork=True)
        pid_file = os.path.join(self.tmp, "ci.pid")
        rc, _, err = ser("-f", cfg, "-P", pid_file, timeout=20)
        self.assertEqual(rc, 255, err)
        self.assertIn("per-worker initialisation of module 'M' failed", err)
        self.assertNotIn("ser started", err)
        # No daemon is left behind, and no pid file naming a dead process.
        self.assertFalse(os.path.exists(pid_file))
        if os.path.exists(pid_file):
            with open(pid_file) as f:
                pid = int(f.read() or 0)
            deadline = time.time() + 5
            alive = True
            while alive and time.time() < deadline:
                try:
                    os.kill(pid, 0)
                    time.sleep(0.05)
                except ProcessLookupError:
                    alive = False
            if alive:
                os.kill(pid, signal.SIGKILL)
            self.assertFalse(alive, "the daemon kept running after a failed start-up")

    def test_port_in_use_is_a_clear_error(self):
        busy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        try:
            cfg = write(self.tmp, "busy.cfg", 'listen=udp:127.0.0.1:%d\nroute{ drop; }\n' % port)
            rc, _, err = ser("-f", cfg, "--foreground", "--stderr", timeout=10)
            self.assertEqual(rc, 255)
            self.assertIn("bind(udp:127.0.0.1:%d): Address already in use" % port, err)
        finally:
            busy.close()

    def test_trace_prints_statements_and_messages(self):
        cfg = write(self.tmp, "t.cfg",
                    'listen=udp:127.0.0.1:5099\nloadmodule "sl.so"\nloadmodule "maxfwd.so"\nloadmodule "textops.so"\n'
                    'route {\n'
                    '  if (!mf_process_maxfwd_header("10")) {\n'
                    '    sl_send_reply("483", "Too Many Hops");\n'
                    '    break;\n'
                    '  };\n'
                    '  append_hf("X-Traced: 1\\r\\n");\n'
                    '  forward(127.0.0.1, 5070);\n'
                    '}\n')
        msg = write(self.tmp, "m.sip",
                    "INVITE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-t\n"
                    "Max-Forwards: 5\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:bob@example.com>\n"
                    "Call-ID: t1\nCSeq: 1 INVITE\nContent-Length: 0\n\n")
        rc, out, err = ser("-f", cfg, "--trace", msg, "--trace-src", "udp:192.0.2.1:5060")
        self.assertEqual(rc, 0, err)
        self.assertIn(cfg + ":6: if -> false", out)
        self.assertNotIn(cfg + ":7:", out)  # the branch not taken is not printed
        self.assertIn(cfg + ":10: append_hf(\"X-Traced: 1\r\n\") -> 1", out)
        self.assertIn("=== send udp:127.0.0.1:5070 from udp:127.0.0.1:5099", out)
        self.assertIn("X-Traced: 1\r\n", out)
        self.assertIn("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-t\r\n", out)
        self.assertIn("Max-Forwards: 4\r\n", out)


if __name__ == "__main__":
    main()
