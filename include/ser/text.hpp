// Small text helpers shared by the core and modules (ASCII, locale-free:
// SIP names and tokens are ASCII).
#pragma once

#include <string>
#include <string_view>

namespace ser {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c | 0x20) : c; }

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = ascii_lower(c);
    return out;
}

// Without leading and trailing spaces, tabs, CRs and LFs.
inline std::string_view trim_ws(std::string_view s) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return s;
}

// SER's str2s, used for numeric function arguments (modules.md §0.2):
// decimal digits only, at most 5 of them, value modulo 65536. An empty
// string is 0 without error, as in the original.
inline bool str2s(std::string_view s, unsigned& out) {
    unsigned v = 0;
    int digits = 0;
    for (char c : s) {
        if (c < '0' || c > '9' || ++digits > 5) return false;
        v = (v * 10 + unsigned(c - '0')) & 0xFFFFu;
    }
    out = v;
    return true;
}

// Text written with bare LFs (an editor, a test literal) as SIP's CRLF;
// text that already has a CR is left alone.
inline void lf_to_crlf(std::string& text) {
    if (text.find('\r') != std::string::npos) return;
    std::string crlf;
    crlf.reserve(text.size() + text.size() / 16);
    for (char c : text) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    text.swap(crlf);
}

}  // namespace ser
