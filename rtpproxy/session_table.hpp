// The sessions of the relay, grouped by Call-ID (newest first within a
// call, as the 2006 daemon's list). Owns the sessions and their sockets:
// attaching a port pair registers it with the poller, removing a session
// closes its sockets at once but frees the object only in release_removed(),
// after the event batch that may still point at it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rtpproxy/poller.hpp"
#include "rtpproxy/port_allocator.hpp"
#include "rtpproxy/session.hpp"
#include "rtpproxy/session_match.hpp"

namespace ser::rtpp {

class SessionTable {
public:
    explicit SessionTable(Poller& poller) : poller_(poller) {}
    ~SessionTable();
    SessionTable(const SessionTable&) = delete;
    SessionTable& operator=(const SessionTable&) = delete;

    struct Match {
        Session* session;
        TagHit hit;
    };
    // Every session of `call_id` whose tag matches (§4.2), newest first.
    std::vector<Match> find(std::string_view call_id, std::string_view from_tag,
                            std::optional<std::string_view> to_tag) const;

    // A new, incomplete session without sockets, first in its call's list.
    Session& create(std::string_view call_id, std::string_view tag);
    // Gives `side` the pair's sockets and port and starts polling them;
    // false (pair closed) if the poller refuses them.
    bool attach(Session& s, int side, const PortPair& pair);
    // Closes the session's sockets and marks it dead.
    void remove(Session& s);
    // Frees the sessions removed since the last call.
    void release_removed();

    template <class F> void for_each(F f) const {
        for (const auto& [id, list] : calls_)
            for (const auto& s : list) f(*s);
    }
    std::vector<Session*> all() const;

    size_t active() const { return active_; }
    uint64_t created() const { return created_; }

private:
    Poller& poller_;
    // Newest last in each vector (appending is cheap); find() walks backwards.
    std::unordered_map<std::string, std::vector<std::unique_ptr<Session>>> calls_;
    std::vector<std::unique_ptr<Session>> removed_;
    size_t active_ = 0;
    uint64_t created_ = 0;
};

}  // namespace ser::rtpp
