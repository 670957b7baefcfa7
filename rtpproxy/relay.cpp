#include "rtpproxy/relay.hpp"

#include <sys/time.h>

#include <cerrno>
#include <cstring>

#include "rtpproxy/recorder.hpp"

namespace ser::rtpp {

struct Relay::Buffers {
    alignas(64) uint8_t data[kBatch][kSlot];
    sockaddr_storage source[kBatch];
    iovec rx_iov[kBatch];
    mmsghdr rx[kBatch];
    iovec tx_iov[2 * kBatch];
    mmsghdr tx[2 * kBatch];
};

Relay::Relay(RelayOptions options, Poller& poller, Logger& log)
    : opt_(options), poller_(poller), log_(log), b_(std::make_unique<Buffers>()) {
    for (unsigned i = 0; i < kBatch; ++i) {
        b_->rx_iov[i] = {b_->data[i], kSlot};
        std::memset(&b_->rx[i], 0, sizeof(mmsghdr));
        b_->rx[i].msg_hdr.msg_iov = &b_->rx_iov[i];
        b_->rx[i].msg_hdr.msg_iovlen = 1;
    }
    std::memset(b_->tx, 0, sizeof b_->tx);
    for (unsigned i = 0; i < 2 * kBatch; ++i) {
        b_->tx[i].msg_hdr.msg_iov = &b_->tx_iov[i];
        b_->tx[i].msg_hdr.msg_iovlen = 1;
    }
}

Relay::~Relay() = default;

namespace {

// recvmmsg failed for another reason than an empty queue (a pending socket
// error is reported once; the data behind it is still there).
bool retry(int n) { return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK; }

}  // namespace

void Relay::discard(Endpoint& ep) {
    // Incomplete session: read the queue away without resetting the TTL (§4.4).
    for (unsigned round = 0; round < kRounds; ++round) {
        for (unsigned i = 0; i < kBatch; ++i) b_->rx[i].msg_hdr.msg_name = nullptr;
        int n = recvmmsg(ep.fd, b_->rx, kBatch, MSG_DONTWAIT, nullptr);
        if (retry(n)) continue;
        if (n < static_cast<int>(kBatch)) return;
    }
    poller_.rearm(ep.fd, &ep);
}

void Relay::on_readable(Endpoint& ep) {
    Session& s = *ep.session;
    if (s.dead) return;
    if (!s.complete) {
        discard(ep);
        return;
    }
    for (unsigned round = 0; round < kRounds; ++round) {
        for (unsigned i = 0; i < kBatch; ++i) {
            b_->rx[i].msg_hdr.msg_name = &b_->source[i];
            b_->rx[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            b_->rx[i].msg_hdr.msg_flags = 0;
        }
        int n = recvmmsg(ep.fd, b_->rx, kBatch, MSG_DONTWAIT, nullptr);
        if (retry(n)) continue;
        if (n <= 0) return;
        relay_batch(ep, static_cast<unsigned>(n));
        if (n < static_cast<int>(kBatch)) return;
    }
    // Its share of this turn is used up; the others go first.
    poller_.rearm(ep.fd, &ep);
}

void Relay::latch(Session& s, int channel, int side, const SockAddr& source) {
    Remote& from = s.remote[channel][side];
    from.addr = source;
    from.known = true;
    from.can_update = false;
    const char* who = side == kCaller ? "caller" : "callee";
    log_.info(s.call_id, "{}'s address filled in: {} ({})", who, source.host_port(), channel == kRtp ? "RTP" : "RTCP");
    if (channel != kRtp) return;
    // Guess RTCP as the same host, port + 1, unless RTCP already comes from
    // that host: handy for phones that are not behind NAT (§5.3).
    Remote& rtcp = s.remote[kRtcp][side];
    if (rtcp.known && rtcp.addr.same_host(source)) return;
    rtcp.addr = source;
    rtcp.addr.set_port(static_cast<uint16_t>(source.port() + 1));
    rtcp.known = true;
    rtcp.can_update = !rtcp.asymmetric;
    log_.info(s.call_id, "guessing RTCP port for {} to be {}", who, source.port() + 1);
}

void Relay::relay_batch(Endpoint& ep, unsigned n) {
    Session& s = *ep.session;
    const int c = ep.channel, r = ep.side, o = 1 - r;
    Remote& from = s.remote[c][r];
    const Remote& to = s.remote[c][o];
    Counters& count = s.count[c];
    Recorder* recorder = s.recorder[c][r].get();
    // While a prompt plays towards the other party, its media is dropped.
    const bool blocked = s.player[o] != nullptr;
    double now = -1;
    unsigned ntx = 0;
    packets_in_ += n;

    for (unsigned k = 0; k < n; ++k) {
        mmsghdr& m = b_->rx[k];
        if (m.msg_hdr.msg_flags & MSG_TRUNC) {
            ++count.dropped;
            continue;
        }
        SockAddr src;
        std::memcpy(&src.ss, &b_->source[k], m.msg_hdr.msg_namelen);
        src.len = m.msg_hdr.msg_namelen;
        if (from.known) {
            if (!from.asymmetric) {
                if (!from.addr.same_host_port(src)) {
                    if (!from.can_update) {
                        ++count.dropped;
                        continue;
                    }
                    latch(s, c, r, src);
                }
            } else if (!from.addr.same_host(src)) {
                // Asymmetric: the port is not checked, the address never learnt.
                ++count.dropped;
                continue;
            }
        } else {
            latch(s, c, r, src);
        }
        ++count.in[r];
        s.ttl = opt_.max_ttl;
        if (recorder) {
            if (now < 0) {
                timeval tv;
                gettimeofday(&tv, nullptr);
                now = tv.tv_sec + tv.tv_usec / 1e6;
            }
            recorder->write(src, b_->data[k], m.msg_len, now);
        }
        if (!to.known || blocked) {
            ++count.dropped;
            continue;
        }
        ++count.relayed;
        int copies = (opt_.duplicate_small && m.msg_len < kSmall) ? 2 : 1;
        for (int i = 0; i < copies; ++i) {
            b_->tx_iov[ntx] = {b_->data[k], m.msg_len};
            b_->tx[ntx].msg_hdr.msg_name = const_cast<sockaddr*>(to.addr.sa());
            b_->tx[ntx].msg_hdr.msg_namelen = to.addr.len;
            ++ntx;
        }
    }

    const int out_fd = s.ep[c][o].fd;
    unsigned sent = 0;
    while (sent < ntx) {
        int k = sendmmsg(out_fd, b_->tx + sent, ntx - sent, MSG_DONTWAIT);
        if (k > 0) {
            sent += static_cast<unsigned>(k);
            continue;
        }
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) break;   // queue full: UDP may lose them
        ++sent;   // an error on this one datagram: skip it, send the rest
    }
}

}  // namespace ser::rtpp
