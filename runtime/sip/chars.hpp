// Character classes of the SIP grammar (RFC 3261 §25), as 256-entry tables
// so the hot scanning loops stay branch-light. Internal to runtime/sip.
#pragma once

#include "ser/text.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ser::sip::detail {

enum : uint8_t {
    kToken = 1 << 0,      // token: alphanum -.!%*_+`'~
    kUnreserved = 1 << 1, // alphanum -_.!~*'()
    kUserExtra = 1 << 2,  // user-unreserved & = + $ , ; ? /
    kPassExtra = 1 << 3,  // password: & = + $ ,
    kParamExtra = 1 << 4, // param-unreserved [ ] / : & + $
    kHdrExtra = 1 << 5,   // hnv-unreserved [ ] / ? : + $
    kHost = 1 << 6,       // hostname/IPv4 chars: alphanum - . _
    kWordExtra = 1 << 7,  // word (Call-ID) extras: ( ) < > : \ " / [ ] ? { }
};

struct CharTable {
    uint8_t t[256];
    constexpr CharTable() : t{} {
        auto set = [this](const char* s, uint8_t f) {
            for (; *s; ++s) t[static_cast<unsigned char>(*s)] |= f;
        };
        for (int c = 'a'; c <= 'z'; ++c) t[c] |= kToken | kUnreserved | kHost;
        for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kToken | kUnreserved | kHost;
        for (int c = '0'; c <= '9'; ++c) t[c] |= kToken | kUnreserved | kHost;
        set("-.!%*_+`'~", kToken);
        set("-_.!~*'()", kUnreserved);
        set("&=+$,;?/", kUserExtra);
        set("&=+$,", kPassExtra);
        set("[]/:&+$", kParamExtra);
        set("[]/?:+$", kHdrExtra);
        set("-._", kHost);
        set("()<>:\\\"/[]?{}", kWordExtra);
    }
};

inline constexpr CharTable kChars{};

inline bool has(char c, uint8_t f) { return kChars.t[static_cast<unsigned char>(c)] & f; }
inline bool is_token(char c) { return has(c, kToken); }
constexpr bool is_ws(char c) { return c == ' ' || c == '\t'; }
// Linear white space inside a header value may include folded line breaks.
constexpr bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_hex(char c) {
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
constexpr char lower(char c) { return ascii_lower(c); }
using ::ser::iequals;

// Text of an IPv6 reference without brackets: hex digits, ':' and '.' (for
// an embedded IPv4 tail), at least one ':'.
inline bool looks_like_v6(std::string_view s) {
    if (s.empty() || s.size() > 45) return false;
    bool colon = false;
    for (char c : s) {
        if (c == ':') colon = true;
        else if (!is_hex(c) && c != '.') return false;
    }
    return colon;
}

inline bool all_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_token(c)) return false;
    return true;
}

inline std::string_view trim_lws(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && is_lws(s[b])) ++b;
    while (e > b && is_lws(s[e - 1])) --e;
    return s.substr(b, e - b);
}

inline size_t skip_lws(std::string_view s, size_t i) {
    while (i < s.size() && is_lws(s[i])) ++i;
    return i;
}

// Skips a quoted-string starting at s[i] == '"'; returns the index after the
// closing quote, or npos when it is not terminated (quoted-pair aware).
inline size_t skip_quoted(std::string_view s, size_t i) {
    ++i;
    while (i < s.size()) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 >= s.size()) return std::string_view::npos;
            i += 2;
            continue;
        }
        if (c == '"') return i + 1;
        ++i;
    }
    return std::string_view::npos;
}

// Parses an unsigned decimal of at most `max` value; false on empty,
// non-digit or overflow.
inline bool parse_u64(std::string_view s, uint64_t max, uint64_t& out) {
    if (s.empty()) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        v = v * 10 + uint64_t(c - '0');
        if (v > max) return false;
    }
    out = v;
    return true;
}

}  // namespace ser::sip::detail
