// nat_uac_test (modules.md §12.3): is the sender of this message behind a NAT?
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "modules/nathelper/nathelper.hpp"
#include "ser/sip/build.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/sdp.hpp"

namespace ser::mod::nathelper {

namespace {

enum TestBit : unsigned {
    kPrivateContact = 1,
    kReceived = 2,
    kPrivateVia = 4,
    kPrivateSdp = 8,
    kViaPort = 16,
};

// RFC 1918 address, the host text read with inet_aton's rules (so "10.1"
// counts, as it did in SER).
bool is_rfc1918(std::string_view host) {
    char buf[64];
    if (host.empty() || host.size() >= sizeof buf) return false;
    std::memcpy(buf, host.data(), host.size());
    buf[host.size()] = 0;
    in_addr a{};
    if (inet_aton(buf, &a) == 0) return false;
    const uint32_t ip = ntohl(a.s_addr);
    return (ip >> 24) == 10 || (ip >> 20) == (172u << 4 | 1) || (ip >> 16) == (192u << 8 | 168);
}

bool private_contact(const sip::Msg& msg) {
    const sip::HeaderField* h = msg.header(sip::HdrType::Contact);
    if (!h) return false;
    std::vector<sip::NameAddr> list;
    if (!sip::parse_name_addr_list(h->value, list) || list.empty() || list[0].is_star()) return false;
    sip::Uri u;
    return sip::parse_uri(list[0].uri, u) && is_rfc1918(u.host);
}

bool private_sdp(const sip::Msg& msg) {
    sip::Sdp sdp;
    if (!sip::parse_sdp(msg, sdp)) return false;
    const sip::SdpConnection* first = sdp.connection ? &*sdp.connection : nullptr;
    for (const auto& m : sdp.media)
        if (m.connection && (!first || m.connection->line < first->line)) first = &*m.connection;
    if (!first || first->addr_type != "IP4") return false;
    std::string_view a = first->address.substr(0, first->address.find('/'));
    return a != "0.0.0.0" && is_rfc1918(a);
}

}  // namespace

int Nathelper::nat_uac_test(sip::Msg& msg, unsigned flags) {
    const sip::ViaBody* via = msg.via1();
    // The order of SER: the cheap tests first, each ends the search when true.
    if ((flags & kViaPort) && via && msg.rcv.src_port != (via->port ? via->port : 5060)) return 1;
    if ((flags & kReceived) && via && (via->received || sip::received_needed(*via, msg.rcv.src_ip.to_string())))
        return 1;
    if ((flags & kPrivateContact) && private_contact(msg)) return 1;
    if ((flags & kPrivateSdp) && private_sdp(msg)) return 1;
    if ((flags & kPrivateVia) && via && is_rfc1918(via->host)) return 1;
    return -1;
}

}  // namespace ser::mod::nathelper
