#pragma once

#include "parser/address.hpp"
#include "parser/error_handler.hpp"
#include "parser/ip.hpp"
#include "parser/strings.hpp"
#include "parser/tokens.hpp"

namespace ser::parser {

namespace address_detail {

using x3::_attr;
using x3::_val;

// ---- ipnet: ip [ "/" (ip | bits) ] ------------------------------------------

inline void full_mask(ast::Net& n) {
    n.mask.fill(0);
    size_t bytes = n.ip.af == 2 ? 4 : 16;
    for (size_t i = 0; i < bytes; ++i)
        n.mask[i] = 0xff;
}

auto const net_ip = [](auto& ctx) {
    ast::Net& n = _val(ctx);
    n.ip = std::move(_attr(ctx));
    n.pos = n.ip.pos;
    full_mask(n);
};

auto const net_bits = [](auto& ctx) {
    ast::Net& n = _val(ctx);
    ast::Number const& bits = _attr(ctx);
    long max = n.ip.af == 2 ? 32 : 128;
    if (bits.value < 0 || bits.value > max)
        fail_at(bits.pos, "invalid bit number in netmask (0.." + std::to_string(max) + ")");
    n.mask.fill(0);
    for (long i = 0; i < bits.value; ++i)
        n.mask[i / 8] |= static_cast<uint8_t>(0x80u >> (i % 8));
};

auto const net_mask = [](auto& ctx) {
    ast::Net& n = _val(ctx);
    ast::Ip const& m = _attr(ctx);
    if (m.af != n.ip.af)
        fail_at(m.pos, "netmask and address are of different families");
    n.mask = m.addr;
};

// A network address with host bits set is corrected, with a warning, as the
// original's mk_net() does (cfg-language §8.4).
auto const net_fix = [](auto& ctx) {
    ast::Net& n = _val(ctx);
    bool changed = false;
    for (size_t i = 0; i < n.ip.addr.size(); ++i) {
        auto v = static_cast<uint8_t>(n.ip.addr[i] & n.mask[i]);
        changed |= v != n.ip.addr[i];
        n.ip.addr[i] = v;
    }
    if (changed) {
        std::string old = n.ip.text;
        update_ip_text(n.ip);
        get_state(ctx).warning(n.ip.pos, "network address " + old +
                                             " has host bits set; using " + n.ip.text);
    }
};

// ---- sockspec: [proto ":"] addr [":" port] -----------------------------------

// `proto ":"` at the start of a socket spec; '*' means any protocol.
// One primitive so that a protocol word without a colon leaves no trace.
struct proto_prefix_parser : token_parser<proto_prefix_parser, Keyword<ast::Proto>> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, Keyword<ast::Proto>& k) const {
        size_t n = word_length(p, end);
        std::string_view w(p, n);
        if (w == "udp" || w == "UDP")
            k.value = ast::Proto::Udp;
        else if (w == "tcp" || w == "TCP")
            k.value = ast::Proto::Tcp;
        else if (w == "tls" || w == "TLS")
            k.value = ast::Proto::Tls;
        else if (n == 0 && p < end && *p == '*' && !(p + 1 < end && p[1] == '/'))
            k.value = ast::Proto::Any, n = 1;
        else
            return nullptr;
        char const* q = p + n;
        x3::skip_over(q, end, ctx);
        if (q == end || *q != ':')
            return nullptr;
        k.pos = get_state(ctx).pos(p);
        k.text = std::string_view(p, n);
        return q + 1;
    }
};
inline constexpr proto_prefix_parser proto_prefix{};

auto const sock_pos = [](auto& ctx) { _val(ctx).pos = _attr(ctx); };
auto const sock_proto = [](auto& ctx) {
    Keyword<ast::Proto> const& k = _attr(ctx);
    _val(ctx).proto = k.value;
    // 0.9.6 builds have no TLS; the runtime decides what to do with it.
    if (k.value == ast::Proto::Tls)
        get_state(ctx).warning(k.pos, "tls support not compiled in");
};
auto const sock_ip = [](auto& ctx) {
    auto& s = _val(ctx);
    s.addr_kind = ast::SockSpec::AddrKind::Ip;
    s.addr = _attr(ctx).text;
    s.ip = std::move(_attr(ctx));
};
auto const sock_str = [](auto& ctx) {
    auto& s = _val(ctx);
    s.addr_kind = ast::SockSpec::AddrKind::Str;
    s.addr = std::move(_attr(ctx).value);
};
auto const sock_host = [](auto& ctx) {
    auto& s = _val(ctx);
    s.addr_kind = ast::SockSpec::AddrKind::Host;
    s.addr = std::move(_attr(ctx).name);
};
auto const sock_port = [](auto& ctx) { _val(ctx).port = static_cast<int>(_attr(ctx).value); };
auto const sock_port_star = [](auto& ctx) { _val(ctx).port_star = true; };

// ---- address: ip | string | host ----------------------------------------------

auto const to_val = [](auto& ctx) { _val(ctx) = std::move(_attr(ctx)); };

}  // namespace address_detail

using namespace address_detail;

auto const ipnet_def =
    ip[net_ip] >>
    -(slash > named("a netmask (address or number of bits)", ip[net_mask] | number[net_bits])) >>
    x3::eps[net_fix];

auto const sock_addr = named("an address (IP, quoted string or hostname)",
                             ip[sock_ip] | string[sock_str] | host[sock_host]);

auto const sockspec_def =
    here[sock_pos] >>
    ((proto_prefix[sock_proto] > sock_addr) | sock_addr) >>
    -(colon > named("a port number or '*'", number[sock_port] | star[sock_port_star]));

auto const address_def = ip[to_val] | string[to_val] | host[to_val];

BOOST_SPIRIT_DEFINE(ipnet, sockspec, address)

}  // namespace ser::parser
