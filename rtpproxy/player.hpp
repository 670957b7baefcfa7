// P: a pre-encoded prompt played towards one party instead of its relayed
// media (spec rtpproxy-protocol §3.7, §5.8). The file "<prompt>.<codec>"
// holds raw payload of RTP payload type <codec>; the player cuts it into
// 20 ms packets (30 ms for G.723) with its own RTP header. PlayerSet owns
// the 10 ms timer that runs while any prompt plays.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "rtpproxy/poll_source.hpp"
#include "rtpproxy/poller.hpp"

namespace ser::rtpp {

struct Session;

class Player {
public:
    // nullptr when the file does not open or the codec has no known framing.
    // `count`: how many times the file is played, 0 = endlessly.
    static std::unique_ptr<Player> open(std::string_view prompt, int codec, int count);
    ~Player();
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    enum class Next { later, packet, finished };
    // The next packet if it is due at `now_ms` (a monotonic clock).
    Next next(uint64_t now_ms, const uint8_t*& data, size_t& len);

private:
    Player(int fd, int pt, int count);
    bool read_payload();

    int fd_;
    int loops_left_;          // -1 = endlessly
    uint8_t pt_;
    size_t payload_bytes_;    // per packet
    uint32_t ms_per_packet_;
    uint64_t start_ms_ = 0;
    uint64_t sent_ = 0;
    bool started_ = false;
    uint8_t buf_[12 + 256];
};

class PlayerSet : public PollSource {
public:
    PlayerSet(Poller& poller, bool duplicate_small);
    ~PlayerSet();
    PlayerSet(const PlayerSet&) = delete;
    PlayerSet& operator=(const PlayerSet&) = delete;

    // Replaces whatever played towards `side` of `s`.
    void start(Session& s, int side, std::unique_ptr<Player> p);
    void stop(Session& s, int side);
    void forget(Session& s);
    // The timer fired: sends what is due and drops finished players.
    void on_tick();
    size_t playing() const { return active_.size(); }

private:
    void arm(bool on);

    Poller& poller_;
    bool duplicate_small_;
    int timer_fd_;
    bool armed_ = false;
    std::vector<std::pair<Session*, int>> active_;
};

}  // namespace ser::rtpp
