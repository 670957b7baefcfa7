// One media stream of a call: an RTP session and its RTCP twin (spec
// rtpproxy-protocol §4, §5). Everything the packet path touches lives
// inline here, so relaying a packet allocates nothing and finds the
// session from the epoll data pointer of the socket it arrived on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rtpproxy/address.hpp"
#include "rtpproxy/poll_source.hpp"

namespace ser::rtpp {

struct Session;
class Player;
class Recorder;

enum Channel : uint8_t { kRtp = 0, kRtcp = 1 };
// Side 1 = the party that sent the creating offer ("caller"), side 0 the
// other ("callee"); a side's socket receives that party's packets and
// sends packets to it.
constexpr int kCallee = 0;
constexpr int kCaller = 1;

// One local socket: the epoll data pointer of its fd.
struct Endpoint : PollSource {
    Endpoint() : PollSource(Kind::media) {}
    Session* session = nullptr;
    uint8_t channel = kRtp;
    uint8_t side = 0;
    int fd = -1;
};

// What is known of one party on one channel.
struct Remote {
    SockAddr addr;
    bool known = false;
    bool can_update = false;   // one re-latch allowed after a pre-fill (§5.1)
    bool asymmetric = false;
};

// Per channel, as the I listing and the removal log print them.
struct Counters {
    uint64_t in[2] = {0, 0};   // accepted from side 0 (callee) / side 1 (caller)
    uint64_t relayed = 0;
    uint64_t dropped = 0;      // accepted or refused but not sent on
};

struct Session {
    Session(std::string call_id, std::string tag);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    std::string call_id;
    std::string tag;               // the creating U's from-tag, ";<n>" included
    uint8_t local_index[2] = {0, 0};   // listen address (first/second -l) of each side
    uint16_t port[2] = {0, 0};         // RTP port of each side, 0 = not allocated; RTCP is +1
    Endpoint ep[2][2];                 // [channel][side]
    Remote remote[2][2];               // [channel][side]
    Counters count[2];                 // [channel]
    bool complete = false;             // both port pairs exist: media flows
    bool strong = false;
    bool weak[2] = {false, false};
    bool dead = false;                 // removed; freed after the current event batch
    int ttl = 0;
    std::unique_ptr<Player> player[2];       // prompt played towards side i (P)
    std::unique_ptr<Recorder> recorder[2][2];   // [channel][side]: packets from side i (R)
};

}  // namespace ser::rtpp
