// record_route() and record_route_preset() (modules.md §4.3).
#include <fmt/format.h>

#include "modules/rr/rr.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/socket.hpp"

namespace ser::mod::rr {

namespace {

const char* transport_param(int proto) {
    switch (proto) {
    case PROTO_TCP: return ";transport=tcp";
    case PROTO_TLS: return ";transport=tls";
    default: return "";
    }
}

bool same_socket(const SocketInfo& a, const SocketInfo& b) {
    return a.proto == b.proto && a.port == b.port && a.address == b.address;
}

// SER's get_username(): the user of the original R-URI, or of the new URI
// when the original has none (a target rewritten from a preloaded route).
// False when the URI it needs does not parse (record_route fails then).
bool ruri_user(const sip::Msg& msg, std::string_view& user) {
    sip::Uri u;
    if (const sip::Uri* cached = msg.cached_ruri()) {
        user = cached->user;   // parsed with the first line
    } else if (sip::parse_uri(msg.ruri(), u)) {
        user = u.user;
    } else {
        SER_ERR("rr: error while parsing the R-URI <{}>", msg.ruri());
        return false;
    }
    if (user.empty() && !msg.new_uri.empty()) {
        if (!sip::parse_uri(msg.new_uri, u)) {
            SER_ERR("rr: error while parsing the new URI <{}>", msg.new_uri);
            return false;
        }
        user = u.user;
    }
    return true;
}

// The From tag ("" when From has none or an empty one: no ;ftag); false
// when From does not parse, as SER's record_route() refused then.
bool from_tag(const sip::Msg& msg, std::string& tag) {
    const sip::NameAddr* f = msg.from();
    if (!f) {
        SER_ERR("rr: From parsing failed");
        return false;
    }
    if (f->tag) tag = std::string(*f->tag);
    return true;
}

}  // namespace

void append_rr_line(std::string& out, const RrParts& p, const SocketInfo& sock, bool r2,
                    std::string_view adv_address, std::string_view adv_port) {
    // Written in place: one allocation for the whole build, none per piece.
    out.reserve(out.size() + 64 + p.user.size() + p.ftag.size() + adv_address.size() + sock.address_text.size());
    out += "Record-Route: <sip:";
    if (!p.user.empty()) {
        out += p.user;
        out += '@';
    }
    if (!adv_address.empty()) {
        out += adv_address;
    } else if (sock.address.af == 10) {
        out += '[';
        out += sock.address_text;
        out += ']';
    } else {
        out += sock.address_text;
    }
    if (!adv_port.empty()) {
        out += ':';
        out += adv_port;
    } else if (sock.port != 5060) {
        out += ':';
        out += sock.port_text;
    }
    out += transport_param(sock.proto);
    if (r2) out += ";r2=on";
    if (!p.ftag.empty()) {
        out += ";ftag=";
        out += p.ftag;
    }
    out += p.full_lr ? ";lr=on>\r\n" : ";lr>\r\n";
}

void rr_lump_text(const sip::SendContext& ctx, const void* arg, std::string& out) {
    const RrParts& p = *static_cast<const RrParts*>(arg);
    const SocketInfo* in = p.recv ? p.recv : ctx.recv_socket;
    if (!in) return;
    const SocketInfo* sent = ctx.send_socket;
    if (p.double_rr && sent && !same_socket(*in, *sent)) {
        // Outbound entry first (it is the one the next hop sees on top).
        append_rr_line(out, p, *sent, true, ctx.adv_address, ctx.adv_port);
        append_rr_line(out, p, *in, true);
        return;
    }
    append_rr_line(out, p, *in, false);
}

int Rr::record_route(sip::Msg& msg) {
    if (!msg.is_request() || msg.headers().empty()) return -1;
    if (msg.slots[size_t(slot_)]) {
        SER_ERR("rr: Double attempt to record-route");
        return -1;
    }
    if (!msg.rcv.socket) {
        SER_ERR("rr: the request has no receiving socket");
        return -2;
    }
    auto parts = std::make_shared<RrParts>();
    parts->recv = static_cast<const SocketInfo*>(msg.rcv.socket);
    parts->full_lr = enable_full_lr;
    parts->double_rr = enable_double_rr;
    if (add_username) {
        std::string_view user;
        if (!ruri_user(msg, user)) return -2;
        parts->user = std::string(user);
    }
    if (append_fromtag && !from_tag(msg, parts->ftag)) return -2;
    // At the very top of the headers [quirk]: above the Via the proxy adds,
    // below a Max-Forwards maxfwd inserted there before.
    msg.lumps.insert_dynamic(msg.headers().front().offset, &rr_lump_text, std::move(parts));
    msg.slots[size_t(slot_)] = this;
    return 1;
}

int Rr::record_route_preset(sip::Msg& msg, std::string_view addr) {
    if (!msg.is_request() || msg.headers().empty()) return -1;
    // The user always, whatever add_username says (§4.3).
    std::string_view user;
    std::string ftag;
    if (!ruri_user(msg, user)) return -2;
    if (append_fromtag && !from_tag(msg, ftag)) return -2;
    std::string line = "Record-Route: <sip:";
    if (!user.empty()) {
        line += user;
        line += '@';
    }
    line += addr;
    if (!ftag.empty()) {
        line += ";ftag=";
        line += ftag;
    }
    line += enable_full_lr ? ";lr=on>\r\n" : ";lr>\r\n";
    msg.lumps.insert(msg.headers().front().offset, std::move(line));
    return 1;
}

}  // namespace ser::mod::rr
