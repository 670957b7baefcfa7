#include "rtpproxy/session_table.hpp"

#include <unistd.h>

#include <algorithm>

namespace ser::rtpp {

SessionTable::~SessionTable() {
    for (Session* s : all()) remove(*s);
    release_removed();
}

std::vector<SessionTable::Match> SessionTable::find(std::string_view call_id, std::string_view from_tag,
                                                    std::optional<std::string_view> to_tag) const {
    std::vector<Match> out;
    auto it = calls_.find(std::string(call_id));
    if (it == calls_.end()) return out;
    const auto& list = it->second;
    for (auto s = list.rbegin(); s != list.rend(); ++s) {
        TagHit hit = match_tags((*s)->tag, from_tag, to_tag);
        if (hit.how != TagMatch::none) out.push_back({s->get(), hit});
    }
    return out;
}

Session& SessionTable::create(std::string_view call_id, std::string_view tag) {
    auto& list = calls_[std::string(call_id)];
    list.push_back(std::make_unique<Session>(std::string(call_id), std::string(tag)));
    ++active_;
    ++created_;
    return *list.back();
}

bool SessionTable::attach(Session& s, int side, const PortPair& pair) {
    Endpoint& rtp = s.ep[kRtp][side];
    Endpoint& rtcp = s.ep[kRtcp][side];
    rtp.fd = pair.rtp_fd;
    rtcp.fd = pair.rtcp_fd;
    s.port[side] = pair.port;
    if (poller_.add(rtp.fd, &rtp, true) && poller_.add(rtcp.fd, &rtcp, true)) return true;
    for (Endpoint* e : {&rtp, &rtcp}) {
        poller_.remove(e->fd);
        close(e->fd);
        e->fd = -1;
    }
    s.port[side] = 0;
    return false;
}

void SessionTable::remove(Session& s) {
    if (s.dead) return;
    for (auto& channel : s.ep)
        for (Endpoint& e : channel)
            if (e.fd >= 0) {
                poller_.remove(e.fd);
                close(e.fd);
                e.fd = -1;
            }
    s.dead = true;
    --active_;
    auto it = calls_.find(s.call_id);
    if (it == calls_.end()) return;
    auto& list = it->second;
    auto pos = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.get() == &s; });
    if (pos != list.end()) {
        removed_.push_back(std::move(*pos));
        list.erase(pos);
    }
    if (list.empty()) calls_.erase(it);
}

void SessionTable::release_removed() {
    removed_.clear();
}

std::vector<Session*> SessionTable::all() const {
    std::vector<Session*> out;
    out.reserve(active_);
    for (const auto& [id, list] : calls_)
        for (const auto& s : list) out.push_back(s.get());
    return out;
}

}  // namespace ser::rtpp
