// Helpers for the SIP unit tests: messages are written with "\n" and sent
// with CRLF line ends unless a test needs otherwise.
#pragma once

#include <string>
#include <string_view>

#include "ser/sip/msg.hpp"

namespace ser::sip::test {

inline std::string crlf(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 64);
    for (char c : s) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

// A parsed message that owns its buffer (not movable: Msg views into it).
struct Parsed {
    std::string buf;
    Msg m;
    bool ok = false;
    explicit Parsed(std::string_view text, bool to_crlf = true)
        : buf(to_crlf ? crlf(text) : std::string(text)) {
        ok = m.parse(buf.data(), buf.size());
    }
    Parsed(const Parsed&) = delete;
    Parsed& operator=(const Parsed&) = delete;
};

}  // namespace ser::sip::test
