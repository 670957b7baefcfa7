// RTP proxy transports, health and selection (rtpproxy-protocol.md §2,
// modules.md §12.8).
#include "modules/nathelper/rtpp_set.hpp"

#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "ser/ip.hpp"
#include "ser/log.hpp"
#include "ser/text.hpp"
#include "ser/wait.hpp"

namespace ser::mod::nathelper {

namespace {

constexpr std::string_view kVersion = "20040107";
constexpr std::string_view kCapability = "20050322";   // several streams per call
constexpr uint16_t kDefaultPort = 22222;

bool starts_with_ci(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && iequals(s.substr(0, p.size()), p);
}

// "host[:port]" or "[v6]:port"; the last ':' separates the port.
bool split_host_port(std::string_view s, std::string_view& host, uint16_t& port) {
    port = kDefaultPort;
    if (!s.empty() && s.front() == '[') {
        size_t close = s.find(']');
        if (close == std::string_view::npos) return false;
        host = s.substr(1, close - 1);
        s.remove_prefix(close + 1);
        if (s.empty()) return !host.empty();
        if (s.front() != ':') return false;
        s.remove_prefix(1);
    } else {
        size_t colon = s.rfind(':');
        host = s.substr(0, colon);
        if (colon == std::string_view::npos) return !host.empty();
        s.remove_prefix(colon + 1);
    }
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), p);
    if (ec != std::errc() || ptr != s.data() + s.size() || p == 0 || p > 65535 || host.empty()) return false;
    port = uint16_t(p);
    return true;
}

bool parse_entry(Core& core, std::string_view e, RtppNode& n, std::string& error) {
    n.name = std::string(e);
    if (size_t eq = e.rfind('='); eq != std::string_view::npos) {
        std::string_view w = e.substr(eq + 1);
        unsigned v = 0;
        auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
        if (ec != std::errc() || ptr != w.data() + w.size() || v == 0) {
            error = fmt::format("bad weight in rtpproxy_sock entry '{}'", e);
            return false;
        }
        n.weight = v;
        e = e.substr(0, eq);
    }
    const bool v6 = starts_with_ci(e, "udp6:");
    if (v6 || starts_with_ci(e, "udp:")) {
        n.kind = v6 ? RtppNode::Kind::Udp6 : RtppNode::Kind::Udp;
        std::string_view host;
        uint16_t port = 0;
        if (!split_host_port(e.substr(v6 ? 5 : 4), host, port)) {
            error = fmt::format("bad address in rtpproxy_sock entry '{}'", n.name);
            return false;
        }
        IpAddr ip;
        if (!core.resolve(host, ip) || (v6 != ip.is_v6())) {
            error = fmt::format("cannot resolve rtpproxy_sock host '{}'", host);
            return false;
        }
        n.addr_len = ip.to_sockaddr(port, n.addr);
        return n.addr_len != 0;
    }
    n.kind = RtppNode::Kind::Unix;
    n.path = std::string(starts_with_ci(e, "unix:") ? e.substr(5) : e);
    if (n.path.empty() || n.path.size() >= sizeof(sockaddr_un::sun_path)) {
        error = fmt::format("bad unix socket path in rtpproxy_sock entry '{}'", n.name);
        return false;
    }
    return true;
}

uint64_t ms_left(uint64_t deadline, uint64_t now) { return deadline > now ? deadline - now : 0; }

}  // namespace

bool parse_rtpproxy_sock(Core& core, std::string_view text, std::vector<std::unique_ptr<RtppNode>>& out,
                         std::string& error) {
    size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' || text[pos] == '\n'))
            ++pos;
        size_t start = pos;
        while (pos < text.size() && text[pos] != ' ' && text[pos] != '\t' && text[pos] != '\r' && text[pos] != '\n')
            ++pos;
        if (pos == start) break;
        auto n = std::make_unique<RtppNode>();
        if (!parse_entry(core, text.substr(start, pos - start), *n, error)) return false;
        out.push_back(std::move(n));
    }
    if (out.empty()) {
        error = "rtpproxy_sock names no proxy";
        return false;
    }
    return true;
}

bool RtppSet::init(Core& core, std::string_view sock_param, const Options& o, std::string& error) {
    core_ = &core;
    opt_ = o;
    nodes_.clear();
    if (!parse_rtpproxy_sock(core, sock_param, nodes_, error)) return false;
    for (size_t i = 0; i < nodes_.size(); ++i) nodes_[i]->index = i;
    workers_.clear();
    workers_.resize(size_t(core.worker_count() > 0 ? core.worker_count() : 1));
    for (auto& w : workers_) w.udp_fds.assign(nodes_.size(), -1);
    return true;
}

void RtppSet::close_all() {
    for (auto& w : workers_)
        for (int& fd : w.udp_fds)
            if (fd >= 0) {
                ::close(fd);
                fd = -1;
            }
}

RtppSet::WorkerState& RtppSet::worker() {
    size_t i = size_t(core_->worker_index());
    return workers_[i < workers_.size() ? i : 0];
}

void RtppSet::disable(RtppNode& n, std::string_view why) {
    const uint64_t until =
        opt_.disable_tout < 0 ? RtppNode::kNever : core_->now_ms() + uint64_t(opt_.disable_tout) * 1000;
    n.tested.store(false);
    n.disabled_until.store(until ? until : 1);
    // One error per failure burst; retests that fail again are quiet.
    if (!n.failing.exchange(true))
        SER_ERR("nathelper: RTP proxy {} disabled: {}", n.name, why);
    else
        SER_DBG("nathelper: RTP proxy {} still unusable: {}", n.name, why);
}

bool RtppSet::test_version(RtppNode& n) {
    auto v = exchange(n, "V");
    if (!v) {
        disable(n, "no reply to the version request");
        return false;
    }
    if (trim_ws(*v) != kVersion) {
        disable(n, fmt::format("unsupported protocol version '{}'", trim_ws(*v)));
        return false;
    }
    auto c = exchange(n, fmt::format("VF {}", kCapability));
    if (!c || trim_ws(*c) != "1") {
        disable(n, fmt::format("protocol extension {} not supported", kCapability));
        return false;
    }
    n.disabled_until.store(0);
    n.tested.store(true);
    if (n.failing.exchange(false)) SER_NOTICE("nathelper: RTP proxy {} is usable again", n.name);
    return true;
}

bool RtppSet::usable(RtppNode& n) {
    const uint64_t until = n.disabled_until.load();
    if (until == 0 && n.tested.load()) return true;
    if (until == RtppNode::kNever) return false;
    if (until != 0 && core_->now_ms() < until) return false;
    return test_version(n);
}

RtppNode* RtppSet::select(std::string_view callid, int index) {
    if (index >= 0) {
        if (size_t(index) >= nodes_.size()) return nullptr;
        RtppNode& n = *nodes_[size_t(index)];
        return usable(n) ? &n : nullptr;
    }
    if (nodes_.size() == 1) return usable(*nodes_[0]) ? nodes_[0].get() : nullptr;
    unsigned total = 0;
    for (auto& n : nodes_)
        if (usable(*n)) total += n->weight;
    if (total == 0) {
        // All down: every one is tried again at once (§12.8).
        for (auto& n : nodes_)
            if (n->disabled_until.load() != RtppNode::kNever && test_version(*n)) total += n->weight;
        if (total == 0) return nullptr;
    }
    unsigned sum = 0;
    for (unsigned char c : callid) sum += c;
    unsigned w = (sum & 0xff) % total;
    for (auto& n : nodes_) {
        if (n->disabled_until.load() != 0 || !n->tested.load()) continue;
        if (w < n->weight) return n.get();
        w -= n->weight;
    }
    return nullptr;
}

std::optional<std::string> RtppSet::send(RtppNode& n, std::string_view command) {
    auto r = exchange(n, command);
    if (!r) disable(n, "no reply");
    return r;
}

std::optional<std::string> RtppSet::send_call(std::string_view callid, int index, std::string_view command) {
    for (size_t attempt = 0; attempt < nodes_.size(); ++attempt) {
        RtppNode* n = select(callid, index);
        if (!n) return std::nullopt;
        if (auto r = send(*n, command)) return r;
        if (index >= 0) return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::string> RtppSet::exchange(RtppNode& n, std::string_view command) {
    const ScopedWait wait;   // the proxy's answer: let the UDP reader share its socket meanwhile
    if (n.kind == RtppNode::Kind::Unix) return exchange_unix(n, command);
    return exchange_udp(n, n.index, command);
}

std::optional<std::string> RtppSet::exchange_unix(RtppNode& n, std::string_view command) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, n.path.data(), n.path.size());
    std::optional<std::string> reply;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
        // One write of the whole command, no newline (§2.1).
        size_t off = 0;
        while (off < command.size()) {
            ssize_t k = ::write(fd, command.data() + off, command.size() - off);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) break;
            off += size_t(k);
        }
        if (off == command.size()) {
            std::string buf;
            const uint64_t deadline = core_->now_ms() + uint64_t(opt_.tout > 0 ? opt_.tout : 1) * 1000;
            char chunk[512];
            // The daemon answers and closes; read until then (or a newline).
            while (buf.find('\n') == std::string::npos) {
                pollfd p{fd, POLLIN, 0};
                int left = int(ms_left(deadline, core_->now_ms()));
                int pr = ::poll(&p, 1, left);
                if (pr < 0 && errno == EINTR) continue;
                if (pr <= 0) break;
                ssize_t k = ::read(fd, chunk, sizeof chunk);
                if (k < 0 && errno == EINTR) continue;
                if (k <= 0) break;
                buf.append(chunk, size_t(k));
                if (buf.size() > 65536) break;
            }
            if (!buf.empty()) {
                while (!buf.empty() && (buf.back() == '\n' || buf.back() == '\r')) buf.pop_back();
                reply = std::move(buf);
            }
        }
    }
    ::close(fd);
    return reply;
}

std::optional<std::string> RtppSet::exchange_udp(RtppNode& n, size_t index, std::string_view command) {
    WorkerState& w = worker();
    int& fd = w.udp_fds[index];
    if (fd < 0) {
        fd = ::socket(n.addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) return std::nullopt;
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&n.addr), n.addr_len) != 0) {
            ::close(fd);
            fd = -1;
            return std::nullopt;
        }
    }
    char in[1024];
    // Late answers to earlier commands are dropped before a new one (§2.2).
    while (::recv(fd, in, sizeof in, MSG_DONTWAIT) >= 0 || errno == ECONNREFUSED) {
    }
    // One counter for all workers: rtpengine takes a repeated cookie for a
    // retransmission and answers from its cache, whatever socket it came from.
    const std::string cookie = fmt::format("{}_{}", getpid(), cookies_.fetch_add(1, std::memory_order_relaxed));
    w.buf.assign(cookie);
    w.buf += ' ';
    w.buf += command;
    for (int attempt = 0; attempt < (opt_.retr > 0 ? opt_.retr : 1); ++attempt) {
        if (::send(fd, w.buf.data(), w.buf.size(), 0) < 0 && errno != ECONNREFUSED) continue;
        const uint64_t deadline = core_->now_ms() + uint64_t(opt_.tout > 0 ? opt_.tout : 1) * 1000;
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            int pr = ::poll(&p, 1, int(ms_left(deadline, core_->now_ms())));
            if (pr < 0 && errno == EINTR) continue;
            if (pr <= 0) break;
            ssize_t k = ::recv(fd, in, sizeof in, 0);
            // Refused: nothing listens there; the next attempt comes at once
            // instead of waiting out a timeout for certain silence.
            if (k < 0) break;
            std::string_view r(in, size_t(k));
            if (r.size() < cookie.size() || r.substr(0, cookie.size()) != cookie) continue;
            r.remove_prefix(cookie.size());
            if (!r.empty() && r.front() != ' ' && r.front() != '\n' && r.front() != '\t') continue;
            if (!r.empty()) r.remove_prefix(1);
            while (!r.empty() && (r.back() == '\n' || r.back() == '\r')) r.remove_suffix(1);
            return std::string(r);
        }
    }
    return std::nullopt;
}

}  // namespace ser::mod::nathelper
