// Executes control commands on the session table (spec rtpproxy-protocol
// §3, §4): U creates or refreshes, L completes, D deletes, I lists, and the
// rest. Input is the raw command text of one request, output the reply
// text; the transports only move bytes. Also runs the 1 s session timer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rtpproxy/address.hpp"
#include "rtpproxy/command.hpp"
#include "rtpproxy/log.hpp"
#include "rtpproxy/player.hpp"
#include "rtpproxy/port_allocator.hpp"
#include "rtpproxy/session_table.hpp"

namespace ser::rtpp {

struct ControllerConfig {
    SockAddr listen[2];        // media addresses: the first and (bridge mode) the second
    int listen_count = 1;
    int max_ttl = 60;          // -T
    std::string record_dir;    // -r; empty = R accepted without effect
    std::string spool_dir;     // -S
    bool record_rtcp = true;   // not -R
    bool bridge() const { return listen_count == 2; }
};

class Controller {
public:
    static constexpr int kProtocolVersion = 20040107;

    Controller(ControllerConfig config, SessionTable& table, PortAllocator& ports, PlayerSet& players, Logger& log);

    // One request: `udp` selects the cookie rules, `oversized` that the
    // transport had to cut the text (refused with E0).
    std::string handle(std::string_view text, bool udp, bool oversized = false);

    // Every second: TTLs down by one, sessions at zero removed (§4.5).
    void tick();
    // X, and shutdown: removes every session, logging its statistics.
    void remove_all(const char* why);

    const SessionTable& table() const { return table_; }

private:
    std::string execute(const Command& c);
    std::string update_or_lookup(const Command& c);
    std::string remove(const Command& c);
    std::string play(const Command& c, Session& s, int side);
    std::string record(Session& s);
    std::string query(const Command& c, const Session& s, int side);
    std::string info() const;
    void prefill(Session& s, int side, const std::optional<SockAddr>& addr, bool asymmetric);
    std::optional<PortPair> allocate(int local_index, std::string_view call_id);
    void destroy(Session& s, const char* why);
    // Reply address text for local address index `i`: empty for a wildcard.
    std::string local_text(int i) const;

    ControllerConfig cfg_;
    SessionTable& table_;
    PortAllocator& ports_;
    PlayerSet& players_;
    Logger& log_;
};

}  // namespace ser::rtpp
