// IP literals and unquoted hostnames (cfg-language §2.8, §2.9).
//  * IPv4 is not a token: NUMBER "." NUMBER "." NUMBER "." NUMBER, so spaces,
//    comments, hex and octal parts are allowed [quirk]; parts > 255 are an
//    error.
//  * IPv6 is one token (the scanner's IPV6ADDR pattern), optionally in [].
//  * A hostname is ID {("."|"-") ID}: no label may be a keyword or start
//    with a digit.
#pragma once

#include <string>

#include "parser/error_handler.hpp"
#include "parser/numbers.hpp"
#include "parser/tokens.hpp"

namespace ser::parser {

// Length of the longest IPV6ADDR token at p (0 = none).
size_t match_ipv6(char const* p, char const* end);
// Fills `ip` from text; false if inet_pton rejects it.
bool make_ipv6(std::string_view text, ast::Ip& ip);
bool make_ipv4(long const (&parts)[4], ast::Ip& ip);
// Recomputes ip.text from ip.addr.
void update_ip_text(ast::Ip& ip);

struct ip_parser : token_parser<ip_parser, ast::Ip> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, ast::Ip& ip) const {
        if (p == end)
            return nullptr;
        ParseState& st = get_state(ctx);
        // The IPv6 token wins over NUMBER/ID when it matches (longest match).
        if (size_t n = match_ipv6(p, end)) {
            if (!make_ipv6(std::string_view(p, n), ip))
                fail_at(ctx, p, "bad ipv6 address");
            ip.pos = st.pos(p);
            return p + n;
        }
        if (*p == '[') {
            char const* q = p + 1;
            x3::skip_over(q, end, ctx);
            size_t n = match_ipv6(q, end);
            if (n == 0)
                fail_at(ctx, q, "expected an IPv6 address after '['");
            if (!make_ipv6(std::string_view(q, n), ip))
                fail_at(ctx, q, "bad ipv6 address");
            char const* r = q + n;
            x3::skip_over(r, end, ctx);
            if (r == end || *r != ']')
                fail_at(ctx, r, "expected ']' after IPv6 address");
            ip.pos = st.pos(p);
            return r + 1;
        }
        long parts[4];
        char const* q = p;
        for (int i = 0; i < 4; ++i) {
            if (i > 0) {
                x3::skip_over(q, end, ctx);
                if (q == end || *q != '.')
                    return nullptr;
                ++q;
                x3::skip_over(q, end, ctx);
            }
            q = scan_number(q, end, parts[i]);
            if (!q)
                return nullptr;
        }
        if (!make_ipv4(parts, ip))
            fail_at(ctx, p, "invalid ipv4 address");
        ip.pos = st.pos(p);
        return q;
    }
};
inline constexpr ip_parser ip{};

// Why the text at p cannot be a hostname label; empty if it can.
std::string bad_label_reason(char const* p, char const* end);

struct host_parser : token_parser<host_parser, ast::Host> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, ast::Host& host) const {
        size_t n = word_length(p, end);
        if (n == 0) {
            // `alias=1und1.de`: digits glued to letters can only be meant as
            // a hostname, and labels must start with a letter.
            char const* q = p;
            while (q < end && is_digit(*q))
                ++q;
            if (q != p && q < end && (is_alpha(*q) || *q == '_'))
                fail_at(ctx, p, bad_label_reason(p, end));
            return nullptr;
        }
        if (is_reserved(std::string_view(p, n))) {
            // `alias=udp.example.com`: a keyword as first label (§2.9).
            char const* q = p + n;
            x3::skip_over(q, end, ctx);
            if (q < end && (*q == '.' || *q == '-')) {
                char const* r = q + 1;
                x3::skip_over(r, end, ctx);
                if (word_length(r, end))
                    fail_at(ctx, p, bad_label_reason(p, end));
            }
            return nullptr;
        }
        host.pos = get_state(ctx).pos(p);
        host.name.assign(p, n);
        char const* q = p + n;
        for (;;) {
            char const* sep = q;
            x3::skip_over(sep, end, ctx);
            if (sep == end || (*sep != '.' && *sep != '-'))
                return q;
            // After a hostname a '.' or '-' can only continue it, so a bad
            // label here is an error rather than the end of the name.
            char const* label = sep + 1;
            x3::skip_over(label, end, ctx);
            if (std::string why = bad_label_reason(label, end); !why.empty())
                fail_at(ctx, label, std::move(why));
            size_t len = word_length(label, end);
            host.name.push_back(*sep);
            host.name.append(label, len);
            q = label + len;
        }
    }
};
inline constexpr host_parser host{};

}  // namespace ser::parser
