#include "rtpproxy/port_allocator.hpp"

#include <netinet/ip.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ser::rtpp {

PortAllocator::PortAllocator(int min_port, int max_port, int tos) : tos_(tos) {
    if (min_port & 1) ++min_port;
    if (max_port & 1) --max_port;
    if (max_port > 65534) max_port = 65534;   // RTCP must still fit
    if (max_port < min_port) max_port = min_port;
    min_ = static_cast<uint16_t>(min_port);
    max_ = static_cast<uint16_t>(max_port);
    cursor_[0] = cursor_[1] = min_;
}

int PortAllocator::open_socket(const SockAddr& local, uint16_t port, int& err) {
    int fd = socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        err = errno;
        return -1;
    }
    SockAddr a = local;
    a.set_port(port);
    if (bind(fd, a.sa(), a.len) != 0) {
        err = errno;
        close(fd);
        return -1;
    }
    // TOS failures are not fatal (the 2006 daemon logs and goes on).
    if (local.family() == AF_INET) setsockopt(fd, IPPROTO_IP, IP_TOS, &tos_, sizeof tos_);
    else setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos_, sizeof tos_);
    return fd;
}

PortAllocator::Bind PortAllocator::bind_pair(const SockAddr& local, uint16_t port, PortPair& out, int& err) {
    int rtp = open_socket(local, port, err);
    if (rtp < 0) return (err == EADDRINUSE || err == EACCES) ? Bind::in_use : Bind::error;
    int rtcp = open_socket(local, static_cast<uint16_t>(port + 1), err);
    if (rtcp < 0) {
        close(rtp);
        return (err == EADDRINUSE || err == EACCES) ? Bind::in_use : Bind::error;
    }
    out.rtp_fd = rtp;
    out.rtcp_fd = rtcp;
    out.port = port;
    return Bind::ok;
}

std::optional<PortPair> PortAllocator::allocate(const SockAddr& local, int cursor, std::string* why) {
    uint16_t start = cursor_[cursor];
    if (start & 1) ++start;
    if (start < min_ || start > max_) start = min_;
    uint16_t port = start;
    do {
        PortPair pair;
        int err = 0;
        switch (bind_pair(local, port, pair, err)) {
        case Bind::ok:
            // The next search starts at the pair after this one.
            cursor_[cursor] = port >= max_ ? min_ : static_cast<uint16_t>(port + 2);
            return pair;
        case Bind::error:
            if (why) *why = std::string("bind to port ") + std::to_string(port) + ": " + std::strerror(err);
            return std::nullopt;
        case Bind::in_use:
            break;
        }
        port = port >= max_ ? min_ : static_cast<uint16_t>(port + 2);
    } while (port != start);
    if (why) *why = "no free port pair in " + std::to_string(min_) + "-" + std::to_string(max_ + 1);
    return std::nullopt;
}

}  // namespace ser::rtpp
