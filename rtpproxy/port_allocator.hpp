// RTP/RTCP port pairs (spec rtpproxy-protocol §6): an even RTP port and the
// next one for RTCP, both bound on the chosen local address. One cursor per
// listen address remembers the last pair; the search starts after it,
// wraps from the top of the range to the bottom and skips pairs that are
// in use, until one full cycle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rtpproxy/address.hpp"

namespace ser::rtpp {

struct PortPair {
    int rtp_fd = -1;
    int rtcp_fd = -1;
    uint16_t port = 0;   // the RTP port; RTCP is port + 1
};

class PortAllocator {
public:
    // The range is made even at both ends (min rounded up, max down); max
    // is the highest RTP port, its RTCP port is max + 1. `tos` goes on
    // every socket (IP_TOS / IPV6_TCLASS).
    PortAllocator(int min_port, int max_port, int tos);

    // A bound non-blocking pair on `local` (its port is ignored), searched
    // from cursor `cursor` (0 or 1: the first or second listen address).
    // nullopt when the range is exhausted or a bind fails for another
    // reason than "in use"/"permission denied"; `why` then says which.
    std::optional<PortPair> allocate(const SockAddr& local, int cursor, std::string* why = nullptr);

    uint16_t min_port() const { return min_; }
    uint16_t max_port() const { return max_; }
    uint16_t next_start(int cursor) const { return cursor_[cursor]; }

private:
    enum class Bind { ok, in_use, error };
    Bind bind_pair(const SockAddr& local, uint16_t port, PortPair& out, int& err);
    int open_socket(const SockAddr& local, uint16_t port, int& err);

    uint16_t min_;
    uint16_t max_;
    int tos_;
    uint16_t cursor_[2];
};

}  // namespace ser::rtpp
