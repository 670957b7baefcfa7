#include "parser/ip.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <bitset>
#include <cstring>

namespace ser::parser {

namespace {

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Sets of end offsets, for a tiny NFA run of the IPV6ADDR pattern:
//   (H:){7}H | (H:){1,7}(:H){1,7} | :(:H){1,7} | (H:){1,7}: | ::
// with H = 1-4 hex digits.
constexpr size_t kWindow = 128;
using Ends = std::bitset<kWindow>;

struct Nfa {
    char const* p;
    size_t len;

    Ends hex4(Ends const& in) const {
        Ends out;
        for (size_t i = 0; i < len; ++i) {
            if (!in[i])
                continue;
            for (size_t k = 1; k <= 4 && i + k <= len && is_hex(p[i + k - 1]); ++k)
                out.set(i + k);
        }
        return out;
    }
    Ends colon(Ends const& in) const {
        Ends out;
        for (size_t i = 0; i < len; ++i)
            if (in[i] && p[i] == ':')
                out.set(i + 1);
        return out;
    }
    // (H:){lo,hi}
    Ends hex_colon(Ends s, int lo, int hi) const {
        Ends acc;
        for (int k = 1; k <= hi; ++k) {
            s = colon(hex4(s));
            if (k >= lo)
                acc |= s;
        }
        return acc;
    }
    // (:H){lo,hi}
    Ends colon_hex(Ends s, int lo, int hi) const {
        Ends acc;
        for (int k = 1; k <= hi; ++k) {
            s = hex4(colon(s));
            if (k >= lo)
                acc |= s;
        }
        return acc;
    }
};

}  // namespace

size_t match_ipv6(char const* p, char const* end) {
    if (p == end || !(is_hex(*p) || *p == ':'))
        return 0;
    size_t len = std::min(static_cast<size_t>(end - p), kWindow - 1);
    Nfa m{p, len};
    Ends start;
    start.set(0);
    Ends all;
    all |= m.hex4(m.hex_colon(start, 7, 7));
    Ends groups = m.hex_colon(start, 1, 7);
    all |= m.colon_hex(groups, 1, 7);
    all |= m.colon_hex(m.colon(start), 1, 7);
    all |= m.colon(groups);
    all |= m.colon(m.colon(start));
    for (size_t i = len + 1; i-- > 0;)
        if (all[i])
            return i;
    return 0;
}

bool make_ipv6(std::string_view text, ast::Ip& ip) {
    char buf[INET6_ADDRSTRLEN + 64];
    if (text.size() >= sizeof buf)
        return false;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    ip.addr.fill(0);
    if (inet_pton(AF_INET6, buf, ip.addr.data()) != 1)
        return false;
    ip.af = AF_INET6;
    char out[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, ip.addr.data(), out, sizeof out);
    ip.text = out;
    return true;
}

bool make_ipv4(long const (&parts)[4], ast::Ip& ip) {
    ip.addr.fill(0);
    for (int i = 0; i < 4; ++i) {
        if (parts[i] < 0 || parts[i] > 255)
            return false;
        ip.addr[i] = static_cast<uint8_t>(parts[i]);
    }
    ip.af = AF_INET;
    char out[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, ip.addr.data(), out, sizeof out);
    ip.text = out;
    return true;
}

void update_ip_text(ast::Ip& ip) {
    char out[INET6_ADDRSTRLEN];
    inet_ntop(ip.af == AF_INET ? AF_INET : AF_INET6, ip.addr.data(), out, sizeof out);
    ip.text = out;
}

std::string bad_label_reason(char const* p, char const* end) {
    size_t n = word_length(p, end);
    if (n == 0) {
        if (p < end && is_digit(*p))
            return "invalid hostname: a label must start with a letter (quote the name)";
        return "expected a hostname label";
    }
    if (is_reserved(std::string_view(p, n)))
        return "invalid hostname: '" + std::string(p, n) +
               "' is a keyword and cannot be a label (quote the name)";
    return {};
}

}  // namespace ser::parser
