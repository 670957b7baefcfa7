#include "rtpproxy/controller.hpp"

#include <charconv>

#include "rtpproxy/recorder.hpp"
#include "rtpproxy/reply.hpp"

namespace ser::rtpp {

namespace {

// Capability datestamps of the 2006 daemon (§1): basic, multi-stream + MOH.
constexpr std::string_view kCapabilities[] = {"20040107", "20050322"};

std::string verb_name(Verb v) {
    switch (v) {
    case Verb::update: return "update";
    case Verb::lookup: return "lookup";
    case Verb::remove: return "delete";
    case Verb::play: return "play";
    case Verb::stop_play: return "noplay";
    case Verb::record: return "record";
    case Verb::query: return "query";
    default: return "command";
    }
}

const char* side_name(int side) { return side == kCaller ? "caller" : "callee"; }

}  // namespace

Controller::Controller(ControllerConfig config, SessionTable& table, PortAllocator& ports, PlayerSet& players,
                       Logger& log)
    : cfg_(std::move(config)), table_(table), ports_(ports), players_(players), log_(log) {}

std::string Controller::local_text(int i) const {
    const SockAddr& a = cfg_.listen[i];
    return a.is_null_host() ? std::string() : a.host();
}

std::string Controller::handle(std::string_view text, bool udp, bool oversized) {
    if (log_.enabled(LogLevel::debug)) log_.debug("", "received command \"{}\"", text.substr(0, 512));
    ParseResult p = parse_command(text, udp, oversized);
    std::string reply;
    if (!p.command) {
        log_.error("", "command syntax error (E{}){}", static_cast<int>(p.error), oversized ? ": command too long" : "");
        reply = reply_error(p.cookie, p.error);
    } else {
        reply = execute(*p.command);
    }
    if (log_.enabled(LogLevel::debug)) {
        std::string_view shown = std::string_view(reply).substr(0, 512);
        if (!shown.empty() && shown.back() == '\n') shown.remove_suffix(1);
        log_.debug("", "sending reply \"{}\"", shown);
    }
    return reply;
}

std::string Controller::execute(const Command& c) {
    switch (c.verb) {
    case Verb::version:
        return reply_text(c.cookie, std::to_string(kProtocolVersion));
    case Verb::version_feature: {
        bool known = false;
        for (auto cap : kCapabilities) known = known || cap == c.feature;
        return reply_text(c.cookie, known ? "1" : "0");
    }
    case Verb::info:
        // The 2006 daemon answers I without the cookie, in UDP mode too [quirk].
        return info();
    case Verb::remove_all:
        remove_all("delete all");
        return reply_ok(c.cookie);
    case Verb::update:
    case Verb::lookup:
        return update_or_lookup(c);
    case Verb::remove:
        return remove(c);
    default:
        break;
    }
    // P, S, R, Q: the first matching session, side as for L (§4.2).
    auto matches = table_.find(c.call_id, c.from_tag, c.to_tag);
    if (matches.empty()) {
        log_.info("", "{} request failed: session {}, tags {}/{} not found", verb_name(c.verb), c.call_id, c.from_tag,
                  c.to_tag.value_or("NONE"));
        return reply_error(c.cookie, Error::not_found);
    }
    Session& s = *matches.front().session;
    int side = reply_side(c.verb, matches.front().hit.via_to_tag);
    switch (c.verb) {
    case Verb::play: {
        std::string r = play(c, s, side);
        return r.empty() ? reply_ok(c.cookie) : r;
    }
    case Verb::stop_play:
        if (s.player[side]) log_.info(s.call_id, "stopping player at port {}", s.port[side]);
        players_.stop(s, side);
        return reply_ok(c.cookie);
    case Verb::record:
        record(s);
        return reply_ok(c.cookie);
    case Verb::query:
        return query(c, s, side);
    default:
        return reply_error(c.cookie, Error::unknown_command);
    }
}

std::optional<PortPair> Controller::allocate(int local_index, std::string_view call_id) {
    std::string why;
    auto pair = ports_.allocate(cfg_.listen[local_index], local_index, &why);
    if (!pair) log_.error(call_id, "can't create listener: {}", why);
    return pair;
}

void Controller::prefill(Session& s, int side, const std::optional<SockAddr>& addr, bool asymmetric) {
    if (addr) {
        Remote& rtp = s.remote[kRtp][side];
        if (!(rtp.known && rtp.addr.same_host_port(*addr))) {
            log_.info(s.call_id, "pre-filling {}'s address with {}", side_name(side), addr->host_port());
            rtp.addr = *addr;
            rtp.known = true;
        }
        SockAddr rtcp_addr = *addr;
        rtcp_addr.set_port(static_cast<uint16_t>(addr->port() + 1));
        Remote& rtcp = s.remote[kRtcp][side];
        if (!(rtcp.known && rtcp.addr.same_host_port(rtcp_addr))) {
            rtcp.addr = rtcp_addr;
            rtcp.known = true;
        }
    }
    for (auto& ch : s.remote) {
        ch[side].asymmetric = asymmetric;
        ch[side].can_update = !asymmetric;
    }
}

std::string Controller::update_or_lookup(const Command& c) {
    const bool update = c.verb == Verb::update;
    const bool asymmetric = c.mods.asymmetric.value_or(cfg_.bridge());
    if (c.mods.first_unknown) log_.warn("", "unknown command modifier `{}'", c.mods.first_unknown);
    // Pre-fill only from something that looks like a real address (§3.3).
    std::optional<SockAddr> announced;
    if (c.addr.size() >= 7) {
        announced = SockAddr::numeric(c.addr, c.port, c.mods.ipv6 ? AF_INET6 : AF_INET);
        if (!announced) log_.warn("", "can't parse address {} port {}", c.addr, c.port);
        else if (announced->is_null_host()) announced.reset();
    }

    auto matches = table_.find(c.call_id, c.from_tag, c.to_tag);
    if (!matches.empty()) {
        Session& s = *matches.front().session;
        int i = reply_side(c.verb, matches.front().hit.via_to_tag);
        // L completes the session (the callee side gets its pair); so does
        // a U that matched by its to-tag: the 2006 daemon answered port 0
        // there, later ones complete the session (§4.2).
        if (!s.complete && (!update || matches.front().hit.via_to_tag)) {
            auto pair = allocate(s.local_index[kCaller], s.call_id);
            if (!pair || !table_.attach(s, kCaller, *pair))
                return reply_error(c.cookie, update ? Error::update_ports : Error::lookup_ports);
            s.complete = true;
        }
        if (c.mods.weak) s.weak[i] = true;
        else if (update) s.strong = true;
        s.ttl = cfg_.max_ttl;
        log_.info(s.call_id, "lookup on ports {}/{}, session timer restarted", s.port[0], s.port[1]);
        prefill(s, 1 - i, announced, asymmetric);
        int li = s.local_index[i];
        return reply_port(c.cookie, s.port[i], local_text(li), cfg_.listen[li].family() == AF_INET6);
    }
    if (!update) {
        log_.info("", "lookup request failed: session {}, tags {}/{} not found", c.call_id, c.from_tag,
                  c.to_tag.value_or("NONE"));
        return reply_port(c.cookie, 0, local_text(0), cfg_.listen[0].family() == AF_INET6);
    }

    log_.info(c.call_id, "new session {}, tag {} requested, type {}", c.call_id, c.from_tag,
              c.mods.weak ? "weak" : "strong");
    // i/e pick the local addresses (§3.8); without a second address
    // everything is on the first.
    uint8_t local[2] = {0, 0};
    if (cfg_.bridge()) {
        local[0] = c.mods.iface[0];
        local[1] = c.mods.iface[1];
    }
    auto pair = allocate(local[0], c.call_id);
    if (!pair) return reply_error(c.cookie, Error::update_ports);
    Session& s = table_.create(c.call_id, c.from_tag);
    s.local_index[0] = local[0];
    s.local_index[1] = local[1];
    if (!table_.attach(s, kCallee, *pair)) {
        table_.remove(s);
        return reply_error(c.cookie, Error::update_ports);
    }
    if (c.mods.weak) s.weak[0] = true;
    else s.strong = true;
    s.ttl = cfg_.max_ttl;
    log_.info(s.call_id, "new session on a port {} created, tag {}", s.port[0], s.tag);
    prefill(s, kCaller, announced, asymmetric);
    return reply_port(c.cookie, s.port[0], local_text(local[0]), cfg_.listen[local[0]].family() == AF_INET6);
}

std::string Controller::remove(const Command& c) {
    if (c.mods.first_unknown) log_.warn("", "unknown command modifier `{}'", c.mods.first_unknown);
    auto matches = table_.find(c.call_id, c.from_tag, c.to_tag);
    int handled = 0;
    for (const auto& m : matches) {
        Session& s = *m.session;
        int i = reply_side(Verb::remove, m.hit.via_to_tag);
        if (c.mods.weak) s.weak[i] = false;
        else s.strong = false;
        if (s.strong || s.weak[0] || s.weak[1]) {
            log_.info(s.call_id, "delete: removing {} flag, seeing flags to continue session (strong={}, weak={}/{})",
                      c.mods.weak ? (i ? "weak[1]" : "weak[0]") : "strong", s.strong, s.weak[0], s.weak[1]);
            ++handled;
            continue;
        }
        log_.info(s.call_id, "forcefully deleting session on ports {}/{}", s.port[0], s.port[1]);
        destroy(s, "deleted");
        // A tag without media number deletes every stream of the call.
        if (m.hit.how == TagMatch::stream) {
            ++handled;
            continue;
        }
        return reply_ok(c.cookie);
    }
    if (handled > 0) return reply_ok(c.cookie);
    log_.info("", "delete request failed: session {}, tags {}/{} not found", c.call_id, c.from_tag,
              c.to_tag.value_or("NONE"));
    return reply_error(c.cookie, Error::not_found);
}

std::string Controller::play(const Command& c, Session& s, int side) {
    if (s.player[side]) log_.info(s.call_id, "stopping player at port {}", s.port[side]);
    players_.stop(s, side);
    // The first codec of the comma-separated list whose file opens.
    std::string_view codecs = c.codecs;
    while (!codecs.empty()) {
        int codec = 0;
        auto [end, ec] = std::from_chars(codecs.data(), codecs.data() + codecs.size(), codec);
        if (ec != std::errc()) break;
        codecs.remove_prefix(static_cast<size_t>(end - codecs.data()));
        if (!codecs.empty()) codecs.remove_prefix(1);
        if (auto p = Player::open(c.prompt, codec, c.play_count)) {
            log_.info(s.call_id, "{} times playing prompt {} codec {}", c.play_count, c.prompt, codec);
            players_.start(s, side, std::move(p));
            return {};
        }
    }
    log_.error(s.call_id, "can't create player");
    return reply_error(c.cookie, Error::play_failed);
}

std::string Controller::record(Session& s) {
    if (cfg_.record_dir.empty()) return {};
    for (int side = 0; side < 2; ++side)
        for (int ch = 0; ch < (cfg_.record_rtcp ? 2 : 1); ++ch) {
            if (s.recorder[ch][side]) continue;
            s.recorder[ch][side] = Recorder::open(cfg_.record_dir, cfg_.spool_dir, s.call_id, s.tag, side, ch == kRtcp);
            if (s.recorder[ch][side])
                log_.info(s.call_id, "starting recording {} session on port {}", ch == kRtp ? "RTP" : "RTCP",
                          s.port[side] + ch);
            else
                log_.error(s.call_id, "can't open the recording file of the {} side", side_name(side));
        }
    return {};
}

std::string Controller::query(const Command& c, const Session& s, int side) {
    const Counters& n = s.count[kRtp];
    struct Stat {
        const char* name;
        uint64_t value;
    };
    const Stat stats[] = {
        {"ttl", static_cast<uint64_t>(s.ttl)}, {"npkts_ina", n.in[side]}, {"npkts_ino", n.in[1 - side]},
        {"nrelayed", n.relayed},               {"ndropped", n.dropped},
    };
    std::string out;
    auto append = [&](const Stat& st) {
        if (!out.empty()) out.push_back(' ');
        if (c.mods.verbose) {
            out += st.name;
            out.push_back('=');
        }
        out += std::to_string(st.value);
    };
    if (c.stat_count == 0) {
        for (const Stat& st : stats) append(st);
    } else {
        for (size_t k = 0; k < c.stat_count; ++k) {
            const Stat* found = nullptr;
            for (const Stat& st : stats)
                if (c.stat_names[k] == st.name) found = &st;
            if (!found) return reply_error(c.cookie, Error::delete_args);
            append(*found);
        }
    }
    return reply_text(c.cookie, out);
}

std::string Controller::info() const {
    std::string out = "sessions created: " + std::to_string(table_.created()) + "\nactive sessions:\n";
    table_.for_each([&](const Session& s) {
        for (int ch = 0; ch < 2; ++ch) {
            auto remote = [&](int side) {
                const Remote& r = s.remote[ch][side];
                return r.known ? r.addr.host_port() : std::string("NONE");
            };
            auto port = [&](int side) { return s.port[side] ? s.port[side] + ch : 0; };
            const Counters& n = s.count[ch];
            out += ch == kRtp ? "\t" : "\tC ";
            out += s.call_id + "/" + s.tag + ": caller = " + cfg_.listen[s.local_index[1]].host() + ":" +
                   std::to_string(port(1)) + "/" + remote(1) + ", callee = " + cfg_.listen[s.local_index[0]].host() +
                   ":" + std::to_string(port(0)) + "/" + remote(0) + ", stats = " + std::to_string(n.in[0]) + "/" +
                   std::to_string(n.in[1]) + "/" + std::to_string(n.relayed) + "/" + std::to_string(n.dropped) +
                   ", ttl = " + std::to_string(s.ttl) + "\n";
        }
    });
    return out;
}

void Controller::destroy(Session& s, const char* why) {
    for (int ch = 0; ch < 2; ++ch) {
        const Counters& n = s.count[ch];
        log_.info(s.call_id, "{} stats: {} in from callee, {} in from caller, {} relayed, {} dropped",
                  ch == kRtp ? "RTP" : "RTCP", n.in[0], n.in[1], n.relayed, n.dropped);
    }
    log_.info(s.call_id, "session on ports {}/{} is cleaned up ({})", s.port[0], s.port[1], why);
    players_.forget(s);
    table_.remove(s);
}

void Controller::tick() {
    for (Session* s : table_.all()) {
        if (s->ttl <= 0) {
            log_.info(s->call_id, "session timeout");
            destroy(*s, "timeout");
            continue;
        }
        --s->ttl;
    }
}

void Controller::remove_all(const char* why) {
    for (Session* s : table_.all()) destroy(*s, why);
}

}  // namespace ser::rtpp
