// The packet path (spec rtpproxy-protocol §5): drain a media socket with
// recvmmsg into preallocated buffers, check each packet's source against
// the side's peer (latching symmetric peers, one re-latch after a
// pre-fill), and send the accepted ones with one sendmmsg from the other
// side's socket. No allocation, no lock, no lookup: the session comes from
// the socket's epoll data pointer.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>

#include "rtpproxy/log.hpp"
#include "rtpproxy/poller.hpp"
#include "rtpproxy/session.hpp"

namespace ser::rtpp {

struct RelayOptions {
    int max_ttl = 60;
    bool duplicate_small = false;   // -2: packets under 128 bytes go out twice
};

class Relay {
public:
    static constexpr unsigned kBatch = 64;        // datagrams per recvmmsg
    static constexpr unsigned kRounds = 8;        // recvmmsg calls per wake-up, then others get a turn
    static constexpr size_t kSlot = 8192;         // bytes per datagram; longer ones are dropped
    static constexpr size_t kSmall = 128;         // -2 threshold (LBR_THRS)

    Relay(RelayOptions options, Poller& poller, Logger& log);
    ~Relay();
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    // The socket is edge-triggered: it is drained, or re-armed when it
    // still has data after its kRounds.
    void on_readable(Endpoint& ep);

    uint64_t packets_in() const { return packets_in_; }

private:
    void relay_batch(Endpoint& ep, unsigned n);
    void latch(Session& s, int channel, int side, const SockAddr& source);
    void discard(Endpoint& ep);

    RelayOptions opt_;
    Poller& poller_;
    Logger& log_;
    struct Buffers;
    std::unique_ptr<Buffers> b_;
    uint64_t packets_in_ = 0;
};

}  // namespace ser::rtpp
