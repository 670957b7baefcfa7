// The functions that fix what a NATed phone says about its own address:
// fix_nated_contact, fix_nated_register, add_rcv_param (modules.md §12.4,
// §12.10).
#include <fmt/format.h>

#include "modules/nathelper/nathelper.hpp"
#include "ser/log.hpp"
#include "ser/sip/avp.hpp"
#include "ser/sip/msg.hpp"
#include "ser/text.hpp"

namespace ser::mod::nathelper {

namespace {

// "ip:port" of the sender; IPv6 in brackets, as a URI needs it (SER wrote
// it bare, which no parser reads back).
std::string source_hostport(const sip::Msg& msg) {
    const std::string ip = msg.rcv.src_ip.to_string();
    if (msg.rcv.src_ip.is_v6()) return fmt::format("[{}]:{}", ip, msg.rcv.src_port);
    return fmt::format("{}:{}", ip, msg.rcv.src_port);
}

}  // namespace

std::string received_uri(const sip::Msg& msg) {
    std::string uri = "sip:" + source_hostport(msg);
    switch (msg.rcv.proto) {
    case PROTO_TCP: uri += ";transport=TCP"; break;
    case PROTO_TLS: uri += ";transport=TLS"; break;
    case 4: uri += ";transport=SCTP"; break;
    default: break;
    }
    return uri;
}

int Nathelper::fix_nated_contact(sip::Msg& msg) {
    const sip::HeaderField* h = msg.header(sip::HdrType::Contact);
    if (!h) return -1;
    std::vector<sip::NameAddr> list;
    if (!sip::parse_name_addr_list(h->value, list) || list.empty() || list[0].is_star()) return -1;
    const sip::NameAddr& na = list[0];
    sip::Uri u;
    if (!sip::parse_uri(na.uri, u) || u.host.empty()) return -1;
    if (!u.transport().empty() && !iequals(u.transport(), "udp")) return -1;
    const uint32_t uri_off = msg.offset_of(na.uri);
    const auto uri_len = uint32_t(na.uri.size());
    // Once per message: a second call would edit the edited URI.
    if (msg.lumps.touches(uri_off, uri_len)) return -1;
    // The whole URI is replaced (host[:port] changed, the rest kept), so
    // that registrar's save() can read the new URI back from the lump.
    const std::string_view host = u.host_text();
    const char* hp_end = u.port_text.empty() ? host.data() + host.size() : u.port_text.data() + u.port_text.size();
    std::string uri;
    uri.reserve(na.uri.size() + 32);
    uri.append(na.uri.data(), size_t(host.data() - na.uri.data()));
    uri += source_hostport(msg);
    uri.append(hp_end, size_t(na.uri.data() + na.uri.size() - hp_end));
    msg.lumps.replace(uri_off, uri_len, std::move(uri));
    return 1;
}

int Nathelper::fix_nated_register(sip::Msg& msg) {
    sip::add_avp_str(msg.avps, received_avp, received_uri(msg));
    return 1;
}

int Nathelper::add_rcv_param(sip::Msg& msg) {
    const std::string param = fmt::format(";received=\"{}\"", received_uri(msg));
    for (const sip::HeaderField* h = msg.header(sip::HdrType::Contact); h; h = msg.next_header(h)) {
        std::vector<sip::NameAddr> list;
        if (!sip::parse_name_addr_list(h->value, list)) {
            SER_ERR("nathelper: add_rcv_param: cannot parse a Contact header");
            return -1;
        }
        for (const auto& na : list) {
            if (na.is_star()) continue;
            msg.lumps.insert(msg.offset_of(h->value) + na.offset + na.length, param);
        }
    }
    return 1;
}

}  // namespace ser::mod::nathelper
