"""How the UDP workers share one busy peer (a trunk, an SBC: one address
and port, so one SO_REUSEPORT socket): bursts from a single peer are spread
over both workers, and the messages of each call still leave the proxy in
the order they came in."""

import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa

CFG = r'''
debug=3
listen=udp:127.0.0.1:@PORT@
children=2
disable_tcp=yes
route {
  log(1, "dispatch-seen\n");
  forward(127.0.0.1, @SINK@);
}
'''

CALLS = 40
ROUNDS = 50


def options(call, seq, peer_port, sink_port):
    return crlf(
        "OPTIONS sip:sink@127.0.0.1:%d SIP/2.0\n"
        "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-d%d-%d\n"
        "Max-Forwards: 70\n"
        "From: <sip:trunk@example.com>;tag=t%d\n"
        "To: <sip:sink@example.com>\n"
        "Call-ID: dispatch-%d@127.0.0.1\n"
        "CSeq: %d OPTIONS\n"
        "Content-Length: 0\n\n" % (sink_port, peer_port, call, seq, call, call, seq))


class Sink:
    """Collects forwarded datagrams on a thread (a big buffer, read at once)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.got = []
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            try:
                data, _ = self.sock.recvfrom(70000)
            except socket.timeout:
                continue
            self.got.append(data.decode(errors="replace"))

    def wait_count(self, n, timeout):
        deadline = time.time() + timeout
        while len(self.got) < n and time.time() < deadline:
            time.sleep(0.05)

    def close(self):
        self.stopping = True
        self.thread.join()
        self.sock.close()


class OneBusyPeer(unittest.TestCase):
    def test_bursts_use_both_workers_and_keep_each_call_in_order(self):
        sink = Sink()
        peer = Peer()
        try:
            with Ser(CFG.replace("@SINK@", str(sink.port))) as ser:
                sent = 0
                for seq in range(1, ROUNDS + 1):
                    # One burst: the next request of every call, back to back,
                    # more than one receive batch of the reader.
                    for call in range(CALLS):
                        peer.send(options(call, seq, peer.port, sink.port), ser.port)
                        sent += 1
                    time.sleep(0.002)
                sink.wait_count(sent, 20)
                log = ser.output()
        finally:
            sink.close()
            peer.close()

        # UDP on loopback with paced bursts: nothing should be lost, but the
        # order check below is what this test is about.
        self.assertGreaterEqual(len(sink.got), int(sent * 0.95), "forwarded %d of %d" % (len(sink.got), sent))
        last = {}
        for m in sink.got:
            call = header(m, "Call-ID")[0]
            seq = int(header(m, "CSeq")[0].split()[0])
            self.assertGreater(seq, last.get(call, 0), "%s: CSeq %d after %d" % (call, seq, last.get(call, 0)))
            last[call] = seq
        self.assertEqual(len(last), CALLS)

        # The log prefix names the worker that ran the route: both did.
        workers = set()
        for line in log.splitlines():
            if "dispatch-seen" in line:
                workers.add(line.split("(")[0].strip())
        self.assertEqual(len(workers), 2, "the route ran on workers %s only" % sorted(workers))


if __name__ == "__main__":
    unittest.main()
