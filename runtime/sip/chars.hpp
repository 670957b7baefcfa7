// Character classes of the SIP grammar (RFC 3261 §25), as 256-entry tables
// so the hot scanning loops stay branch-light. Internal to runtime/sip.
#pragma once

#include "ser/text.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// More classes, in a second table (the first one's bits are all used).
enum : uint8_t {
    kViaValue = 1 << 0,   // unquoted via-param value: token : [ ]
    kBadCallId = 1 << 1,  // not allowed in a Call-ID: LWS , controls
};

struct CharTable2 {
    uint8_t t[256];
    constexpr CharTable2() : t{} {
        CharTable c1;
        for (int c = 0; c < 256; ++c) {
            uint8_t f = 0;
            if ((c1.t[c] & kToken) || c == ':' || c == '[' || c == ']') f |= kViaValue;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c < 0x20)
                f |= kBadCallId;
            t[c] = f;
        }
    }
};

inline constexpr CharTable2 kChars2{};

inline bool has2(char c, uint8_t f) { return kChars2.t[static_cast<unsigned char>(c)] & f; }

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

// First '\n' in [p, end), or nullptr. Lines are short: an inline SSE2
// scan beats a call to memchr here.
inline const char* find_nl(const char* p, const char* end) {
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    while (end - p >= 16) {
        const int m =
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), nl));
        if (m) return p + __builtin_ctz(unsigned(m));
        p += 16;
    }
#endif
    for (; p < end; ++p)
        if (*p == '\n') return p;
    return nullptr;
}

// Zeroes an object of a few hundred bytes with 16-byte stores. (A plain
// `= {}` or fill() of such a block becomes `rep stos`, whose start-up cost
// is paid on every message.)
using Vec16 = long long __attribute__((vector_size(16), may_alias, aligned(1)));

template <size_t N, size_t... I> inline void zero_bytes_(char* b, std::index_sequence<I...>) {
    const Vec16 z{};
    ((*reinterpret_cast<Vec16*>(b + I * 16) = z), ...);   // unrolled: a loop becomes memset
    if constexpr (N % 16 != 0) *reinterpret_cast<Vec16*>(b + N - 16) = z;
}

template <size_t N> inline void zero_bytes(void* p) {
    static_assert(N >= 16 && N <= 1024);
    zero_bytes_<N>(static_cast<char*>(p), std::make_index_sequence<N / 16>{});
}

}  // namespace ser::sip::detail
