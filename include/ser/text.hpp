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

}  // namespace ser
