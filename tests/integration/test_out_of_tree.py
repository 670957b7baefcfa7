"""A third-party module built out of tree against the installed headers
(issue #3): `meson install` into a scratch DESTDIR, compile examples/hello
with the flags pkg-config gives for `ser`, load it with loadmodule and call
it from a config."""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa


class OutOfTreeTest(unittest.TestCase):
    def test_build_load_and_call(self):
        tmp = tempfile.mkdtemp(prefix="ser-oot-")
        try:
            dest = os.path.join(tmp, "root")
            subprocess.run(["meson", "install", "-C", BUILD_DIR, "--no-rebuild", "--quiet", "--destdir", dest],
                           check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            pcdirs = [r for r, _, fs in os.walk(dest) if "ser.pc" in fs]
            self.assertTrue(pcdirs, "ser.pc not installed")
            env = dict(os.environ, PKG_CONFIG_PATH=pcdirs[0])
            flags = subprocess.run(["pkg-config", "--define-prefix", "--cflags", "--libs", "ser"], env=env,
                                   check=True, stdout=subprocess.PIPE).stdout.decode().split()
            self.assertTrue(any(f.startswith("-I" + dest) for f in flags), flags)
            so = os.path.join(tmp, "hello.so")
            src = os.path.join(SOURCE_DIR, "examples", "hello", "hello.cpp")
            subprocess.run(["g++", "-std=c++20", "-shared", "-fPIC", "-O1", src, "-o", so] + flags,
                           check=True, env=env)
            cfg = os.path.join(tmp, "hello.cfg")
            with open(cfg, "w") as f:
                f.write('listen=udp:127.0.0.1:5099\nloadmodule "%s"\nmodparam("hello", "greeting", "Greeting")\n'
                        'route{ hello("world"); forward(127.0.0.1, 5070); }\n' % so)
            msg = os.path.join(tmp, "m.sip")
            with open(msg, "w") as f:
                f.write("OPTIONS sip:x@example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-o\n"
                        "From: <sip:a@b>;tag=1\nTo: <sip:x@example.com>\nCall-ID: o1\nCSeq: 1 OPTIONS\n"
                        "Content-Length: 0\n\n")
            p = subprocess.run([SER_BIN, "-c", "-f", cfg], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            p = subprocess.run([SER_BIN, "-f", cfg, "--trace", msg], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            out = p.stdout.decode()
            self.assertIn('hello("world") -> 1', out)
            self.assertIn("X-Greeting: world\r\n", out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
