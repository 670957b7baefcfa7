"""A phone's media: run inside the phone's namespace next to its sipp. Binds
the RTP port its SDP offers, sends one 20 ms PCMU packet every 20 ms to the
address and port in `--dest-file` (written by the sipp scenario from the SDP
it received, rewritten again at a re-INVITE), and logs every packet that
arrives as "rx <time> <source ip> <source port>" and every destination it
takes up as "dest <time> <ip> <port>". Ends on SIGTERM or after
--max-seconds."""

import argparse
import os
import select
import signal
import socket
import struct
import sys
import time


def read_dest(path):
    try:
        with open(path) as f:
            parts = f.read().split()
        return parts[0], int(parts[1])
    except (OSError, IndexError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dest-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-seconds", type=float, default=120)
    a = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", a.port))
    log = open(a.log, "w", buffering=1)
    log.write("ready %.6f\n" % time.time())
    dest, dest_stamp = None, None
    seq = 0
    end = time.monotonic() + a.max_seconds
    next_send = time.monotonic()
    while not stop and time.monotonic() < end:
        try:
            st = os.stat(a.dest_file)
            stamp = (st.st_mtime_ns, st.st_ino)
        except OSError:
            stamp = None
        if stamp and stamp != dest_stamp:
            d = read_dest(a.dest_file)
            if d:
                dest, dest_stamp = d, stamp
                log.write("dest %.6f %s %d\n" % (time.time(), d[0], d[1]))
        now = time.monotonic()
        if now >= next_send:
            next_send = now + 0.02
            if dest:
                seq += 1
                pkt = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, (seq * 160) & 0xFFFFFFFF, 0x5e7) + b"\xff" * 160
                try:
                    sock.sendto(pkt, dest)
                except OSError:
                    pass   # e.g. a relay port closed after BYE: ICMP error on the next send
        try:
            ready, _, _ = select.select([sock], [], [], max(0.0, next_send - time.monotonic()))
        except InterruptedError:
            continue
        while ready:
            try:
                _, src = sock.recvfrom(2048, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                continue
            log.write("rx %.6f %s %d\n" % (time.time(), src[0], src[1]))
    log.write("sent %d\n" % seq)
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
