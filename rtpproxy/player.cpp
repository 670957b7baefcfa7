#include "rtpproxy/player.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>

#include "rtpproxy/session.hpp"

namespace ser::rtpp {

namespace {

struct Framing {
    size_t bytes;   // per packet
    uint32_t ms;    // per packet
};

// Payload types the 2006 daemon could play, and GSM.
bool framing_of(int pt, Framing& f) {
    switch (pt) {
    case 0:    // PCMU
    case 8:    // PCMA
        f = {160, 20};
        return true;
    case 3:    // GSM: 33 bytes per 20 ms frame
        f = {33, 20};
        return true;
    case 4:    // G.723: 24 bytes per 30 ms frame
        f = {24, 30};
        return true;
    case 18:   // G.729: 10 bytes per 10 ms frame
        f = {20, 20};
        return true;
    default:
        return false;
    }
}

uint64_t monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

constexpr size_t kHeader = 12;
constexpr uint32_t kSampleRate = 8000;
constexpr int kMaxCatchUp = 10;   // packets per player per tick after a stall

}  // namespace

std::unique_ptr<Player> Player::open(std::string_view prompt, int codec, int count) {
    Framing f;
    if (!framing_of(codec, f)) return nullptr;
    std::string path = std::string(prompt) + "." + std::to_string(codec);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    std::unique_ptr<Player> p(new Player(fd, codec, count));
    p->payload_bytes_ = f.bytes;
    p->ms_per_packet_ = f.ms;
    return p;
}

Player::Player(int fd, int pt, int count)
    : fd_(fd), loops_left_(count <= 0 ? -1 : count - 1), pt_(static_cast<uint8_t>(pt)) {
    std::random_device rd;
    uint32_t ssrc = rd();
    uint16_t seq = static_cast<uint16_t>(rd());
    uint32_t ts = rd();
    buf_[0] = 0x80;   // version 2, no padding, extension or CSRC
    buf_[1] = pt_;
    uint16_t nseq = htons(seq);
    uint32_t nts = htonl(ts), nssrc = htonl(ssrc);
    std::memcpy(buf_ + 2, &nseq, 2);
    std::memcpy(buf_ + 4, &nts, 4);
    std::memcpy(buf_ + 8, &nssrc, 4);
}

Player::~Player() {
    close(fd_);
}

bool Player::read_payload() {
    for (int attempt = 0; attempt < 2; ++attempt) {
        ssize_t n = read(fd_, buf_ + kHeader, payload_bytes_);
        if (n == static_cast<ssize_t>(payload_bytes_)) return true;
        // End of file (a short last packet counts as the end).
        if (loops_left_ == 0 || lseek(fd_, 0, SEEK_SET) != 0) return false;
        if (loops_left_ > 0) --loops_left_;
    }
    return false;
}

Player::Next Player::next(uint64_t now_ms, const uint8_t*& data, size_t& len) {
    if (!started_) {
        started_ = true;
        start_ms_ = now_ms;
    }
    if (start_ms_ + sent_ * ms_per_packet_ > now_ms) return Next::later;
    if (!read_payload()) return Next::finished;
    if (sent_ > 0) {
        uint16_t seq;
        uint32_t ts;
        std::memcpy(&seq, buf_ + 2, 2);
        std::memcpy(&ts, buf_ + 4, 4);
        seq = htons(static_cast<uint16_t>(ntohs(seq) + 1));
        ts = htonl(ntohl(ts) + kSampleRate / 1000 * ms_per_packet_);
        std::memcpy(buf_ + 2, &seq, 2);
        std::memcpy(buf_ + 4, &ts, 4);
    }
    ++sent_;
    data = buf_;
    len = kHeader + payload_bytes_;
    return Next::packet;
}

PlayerSet::PlayerSet(Poller& poller, bool duplicate_small)
    : PollSource(Kind::player_tick), poller_(poller), duplicate_small_(duplicate_small),
      timer_fd_(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (timer_fd_ >= 0) poller_.add(timer_fd_, this);
}

PlayerSet::~PlayerSet() {
    if (timer_fd_ >= 0) {
        poller_.remove(timer_fd_);
        close(timer_fd_);
    }
}

void PlayerSet::arm(bool on) {
    if (on == armed_ || timer_fd_ < 0) return;
    itimerspec its{};
    if (on) {
        its.it_interval.tv_nsec = 10'000'000;
        its.it_value.tv_nsec = 10'000'000;
    }
    timerfd_settime(timer_fd_, 0, &its, nullptr);
    armed_ = on;
}

void PlayerSet::start(Session& s, int side, std::unique_ptr<Player> p) {
    stop(s, side);
    s.player[side] = std::move(p);
    active_.emplace_back(&s, side);
    arm(true);
}

void PlayerSet::stop(Session& s, int side) {
    if (!s.player[side]) return;
    s.player[side].reset();
    active_.erase(std::remove(active_.begin(), active_.end(), std::make_pair(&s, side)), active_.end());
    if (active_.empty()) arm(false);
}

void PlayerSet::forget(Session& s) {
    stop(s, 0);
    stop(s, 1);
}

void PlayerSet::on_tick() {
    uint64_t expirations;
    if (read(timer_fd_, &expirations, sizeof expirations) < 0) { /* spurious wake-up */ }
    uint64_t now = monotonic_ms();
    std::vector<std::pair<Session*, int>> finished;
    for (auto [s, side] : active_) {
        Player& p = *s->player[side];
        const Remote& to = s->remote[kRtp][side];
        int fd = s->ep[kRtp][side].fd;
        for (int k = 0; k < kMaxCatchUp; ++k) {
            const uint8_t* data;
            size_t len;
            Player::Next n = p.next(now, data, len);
            if (n == Player::Next::later) break;
            if (n == Player::Next::finished) {
                finished.emplace_back(s, side);
                break;
            }
            // No one to play to yet: the prompt runs on silently.
            if (!to.known || fd < 0) continue;
            int copies = (duplicate_small_ && len < 128) ? 2 : 1;
            for (int c = 0; c < copies; ++c) sendto(fd, data, len, MSG_DONTWAIT, to.addr.sa(), to.addr.len);
        }
    }
    for (auto [s, side] : finished) stop(*s, side);
}

}  // namespace ser::rtpp
