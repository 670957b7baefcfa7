// The little SIP the floor programs (relay_floor, register_floor) need: a
// reply that copies the headers a UAC matches it on. Not a parser: sipp's
// messages are well formed and use the long header names.
#pragma once

#include <string>
#include <string_view>

namespace floor_sip {

inline bool is_header(std::string_view line, std::string_view name) {
    if (line.size() <= name.size() || line[name.size()] != ':') return false;
    for (size_t i = 0; i < name.size(); ++i)
        if ((line[i] | 0x20) != (name[i] | 0x20)) return false;
    return true;
}

// The value of header `name` ("" when absent).
inline std::string_view header(std::string_view msg, std::string_view name) {
    size_t pos = msg.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < msg.size()) {
        const size_t start = pos + 2;
        const size_t end = msg.find("\r\n", start);
        if (end == std::string_view::npos || end == start) break;   // end of headers
        const std::string_view line = msg.substr(start, end - start);
        if (is_header(line, name)) {
            std::string_view v = line.substr(name.size() + 1);
            while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
            return v;
        }
        pos = end;
    }
    return {};
}

// "SIP/2.0 <status>" with the request's Via, From, To (plus `to_tag` when
// not empty), Call-ID and CSeq, then `extra` (whole header lines) and an
// empty body.
inline std::string reply_to(std::string_view req, std::string_view status, std::string_view to_tag,
                            std::string_view extra = {}) {
    std::string out = "SIP/2.0 ";
    out.append(status).append("\r\n");
    for (std::string_view h : {"Via", "From", "To", "Call-ID", "CSeq"}) {
        out.append(h).append(": ").append(header(req, h));
        if (h == "To" && !to_tag.empty()) out.append(";tag=").append(to_tag);
        out.append("\r\n");
    }
    out.append(extra);
    out += "Content-Length: 0\r\n\r\n";
    return out;
}

}  // namespace floor_sip
