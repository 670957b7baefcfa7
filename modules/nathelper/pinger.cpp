// NAT keep-alives (modules.md §12.9): every natping_interval seconds, a
// datagram to each registered NATed contact, so that its NAT keeps the
// mapping (and our path to the phone) open. Runs on the core's module
// timer thread; usrloc copies the targets out slot by slot, so workers
// saving or looking up contacts wait at most for one slot's copy.
#include <fmt/format.h>

#include "modules/nathelper/nathelper.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/sip/uri.hpp"
#include "ser/text.hpp"

namespace ser::mod::nathelper {

namespace {

constexpr char kPing[4] = {0, 0, 0, 0};

// The listen socket named by usrloc's "udp:ip:port" text, if it is ours.
const SocketInfo* socket_by_text(const Core& core, std::string_view text) {
    if (text.size() < 5 || !iequals(text.substr(0, 4), "udp:")) return nullptr;
    text.remove_prefix(4);
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return nullptr;
    std::string_view addr = text.substr(0, colon), port = text.substr(colon + 1);
    for (const auto& s : core.sockets())
        if (s.proto == PROTO_UDP && s.address_text == addr && s.port_text == port) return &s;
    return nullptr;
}

}  // namespace

void Nathelper::ping_round() {
    std::vector<api::PingTarget> targets;
    ul->ping_targets(ping_nated_only ? unsigned(api::kFlNat) : 0u, targets);
    size_t sent = 0;
    for (const auto& t : targets) {
        sip::Uri u;
        if (!sip::parse_uri(t.uri, u) || u.host.empty()) continue;
        if (!u.transport().empty() && !iequals(u.transport(), "udp")) continue;
        const uint16_t port = u.port ? u.port : 5060;
        if (tm && !natping_method.empty()) {
            // A real request through tm, for phones that ignore bare packets.
            const std::string to = fmt::format("<{}>", t.uri);
            api::UacRequest r;
            r.method = natping_method;
            r.ruri = t.uri;
            r.from = "<sip:registrar>";
            r.to = to;
            if (tm->t_uac(r, {}) >= 0) ++sent;
            continue;
        }
        Destination d;
        d.proto = PROTO_UDP;
        if (!IpAddr::parse(u.host, d.ip) && !core().resolve(u.host, d.ip)) continue;
        d.port = port;
        d.send_socket = ping_socket ? ping_socket : socket_by_text(core(), t.socket);
        if (core().send(d, std::string_view(kPing, sizeof kPing)) >= 0) ++sent;
    }
    SER_DBG("nathelper: {} NAT ping(s) sent to {} contact(s)", sent, targets.size());
}

}  // namespace ser::mod::nathelper
