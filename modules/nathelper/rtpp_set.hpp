// The RTP proxies of rtpproxy_sock (rtpproxy-protocol.md §2, modules.md
// §12.8): their transports, health, the choice of one per call, and one
// request/reply exchange with it.
//
// Health is shared by all workers (one failing proxy is disabled for all,
// instead of every worker discovering it on its own as SER's processes
// did); sockets and UDP cookies are per worker, so no lock is taken on a
// call's path.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ser/core.hpp"

namespace ser::mod::nathelper {

struct RtppNode {
    enum class Kind { Unix, Udp, Udp6 };
    std::string name;          // as written in rtpproxy_sock (logs)
    Kind kind = Kind::Unix;
    std::string path;          // unix socket path
    sockaddr_storage addr{};   // udp address
    socklen_t addr_len = 0;
    unsigned weight = 1;
    size_t index = 0;          // position in rtpproxy_sock (its per-worker UDP socket)

    // 0: usable. Otherwise disabled until this time (ms on the core's
    // clock); kNever: never tested again. `tested` is false until a
    // version check passed since start-up or the last failure.
    static constexpr uint64_t kNever = UINT64_MAX;
    std::atomic<uint64_t> disabled_until{0};
    std::atomic<bool> tested{false};
    std::atomic<bool> failing{false};   // logged as failed, not yet back
};

// Parses rtpproxy_sock: whitespace-separated entries `unix:/p`, `udp:h[:p]`,
// `udp6:h[:p]` or a bare path, each optionally `=weight`. UDP hosts are
// resolved here (start-up). False + error on a bad entry.
bool parse_rtpproxy_sock(Core& core, std::string_view text, std::vector<std::unique_ptr<RtppNode>>& out,
                         std::string& error);

class RtppSet {
public:
    struct Options {
        int disable_tout = 60;   // s; -1 never retest; 0 retest on every use
        int retr = 5;            // UDP sends per command
        int tout = 1;            // s to wait after each send
    };

    bool init(Core& core, std::string_view sock_param, const Options& o, std::string& error);
    void close_all();
    size_t size() const { return nodes_.size(); }
    RtppNode& node(size_t i) { return *nodes_[i]; }

    // The proxy for a call (§12.8): `index` >= 0 picks that one only;
    // otherwise the Call-ID's byte sum walks the enabled proxies by weight.
    // A proxy due for a retest is tested first. Null when none is usable.
    RtppNode* select(std::string_view callid, int index);

    // Sends `command` to `n` and returns its reply (trailing newline
    // removed); nullopt when the proxy did not answer, after which it is
    // disabled for disable_tout seconds (logged once per failure burst).
    std::optional<std::string> send(RtppNode& n, std::string_view command);

    // Like send() on the selected proxy, moving on to another one when it
    // does not answer (each failure disables that one).
    std::optional<std::string> send_call(std::string_view callid, int index, std::string_view command);

private:
    struct WorkerState {
        std::vector<int> udp_fds;   // per node, connected; -1 = not open
        std::string buf;
    };

    bool usable(RtppNode& n);
    bool test_version(RtppNode& n);
    void disable(RtppNode& n, std::string_view why);
    std::optional<std::string> exchange(RtppNode& n, std::string_view command);
    std::optional<std::string> exchange_unix(RtppNode& n, std::string_view command);
    std::optional<std::string> exchange_udp(RtppNode& n, size_t index, std::string_view command);
    WorkerState& worker();

    Core* core_ = nullptr;
    Options opt_;
    std::vector<std::unique_ptr<RtppNode>> nodes_;
    std::vector<WorkerState> workers_;   // by Core::worker_index()
    std::atomic<uint64_t> cookies_{0};
};

}  // namespace ser::mod::nathelper
