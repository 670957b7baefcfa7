// What the floor programs (relay_floor, register_floor) share: a worker's
// socket, and the little SIP they need, a reply that copies the headers a
// UAC matches it on. Not a parser: sipp's messages are well formed and use
// the long header names.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
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

// A worker's UDP socket on 127.0.0.1:port, one of an SO_REUSEPORT group
// with 4 MB of receive buffer, as the proxies' workers have; exits on error.
inline int worker_socket(uint16_t port) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    const int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    sockaddr_in self{};
    self.sin_family = AF_INET;
    self.sin_port = htons(port);
    self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&self), sizeof self) != 0) {
        perror("bind");
        std::exit(1);
    }
    return fd;
}

}  // namespace floor_sip
