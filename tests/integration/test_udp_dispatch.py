"""How the UDP workers share one busy peer (a trunk, an SBC: one address
and port, so one SO_REUSEPORT socket): bursts from a single peer are spread
over both workers, and the messages of each call still leave the proxy in
the order they came in; the same when every message waits (as on a
database query), where the reader shares its socket with the other worker."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from sertest import *  # noqa

CFG = r'''
debug=3
listen=udp:127.0.0.1:@PORT@
children=2
disable_tcp=yes
@MODULE@
route {
  @WAIT@
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


class Sink(RecordingPeer):
    """Collects the forwarded datagrams: a big buffer, read at once."""

    def __init__(self):
        super().__init__()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)

    def wait_count(self, n, timeout):
        deadline = time.time() + timeout
        while len(self.log) < n and time.time() < deadline:
            time.sleep(0.05)


class OneBusyPeer(unittest.TestCase):
    def run_bursts(self, rounds, wait_ms=0, pause=0.002):
        """Sends `rounds` bursts (the next request of every call, back to
        back: more than one receive batch of the reader) from one peer;
        returns (sent, forwarded messages, ser's log)."""
        sink = Sink()
        peer = Peer()
        cfg = CFG.replace("@SINK@", str(sink.port))
        if wait_ms:
            cfg = cfg.replace("@MODULE@", 'loadmodule "%s"' % os.path.join(BUILD_DIR, "tests", "M.so"))
            cfg = cfg.replace("@WAIT@", 'wait_ms("%d");' % wait_ms)
        else:
            cfg = cfg.replace("@MODULE@", "").replace("@WAIT@", "")
        try:
            with Ser(cfg) as ser:
                sent = 0
                for seq in range(1, rounds + 1):
                    for call in range(CALLS):
                        peer.send(options(call, seq, peer.port, sink.port), ser.port)
                        sent += 1
                    time.sleep(pause)
                sink.wait_count(sent, 30)
                log = ser.output()
        finally:
            sink.close()
            peer.close()
        return sent, [m for _, m in sink.messages()], log

    def check(self, sent, got, log):
        # UDP on loopback with paced bursts: nothing should be lost, but the
        # order check below is what this test is about.
        self.assertGreaterEqual(len(got), int(sent * 0.95), "forwarded %d of %d" % (len(got), sent))
        last = {}
        for m in got:
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

    def test_bursts_use_both_workers_and_keep_each_call_in_order(self):
        self.check(*self.run_bursts(ROUNDS))

    def test_waiting_messages_share_the_socket_and_keep_each_call_in_order(self):
        # 2 ms a message: the reader shares its socket; a burst of 40 takes
        # about 40 ms on two workers, so the pause keeps the queues short.
        self.check(*self.run_bursts(8, wait_ms=2, pause=0.06))


if __name__ == "__main__":
    unittest.main()
