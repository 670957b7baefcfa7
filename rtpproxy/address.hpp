// Socket addresses of the media relay: one value type for IPv4 and IPv6 so
// that sessions store peers inline (no allocation when a peer latches), and
// the comparisons the packet path needs (same host, same host and port).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace ser::rtpp {

struct SockAddr {
    sockaddr_storage ss{};
    socklen_t len = 0;

    int family() const { return ss.ss_family; }
    sockaddr* sa() { return reinterpret_cast<sockaddr*>(&ss); }
    const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&ss); }
    const sockaddr_in& in4() const { return *reinterpret_cast<const sockaddr_in*>(&ss); }
    const sockaddr_in6& in6() const { return *reinterpret_cast<const sockaddr_in6*>(&ss); }

    uint16_t port() const {
        if (family() == AF_INET) return ntohs(in4().sin_port);
        if (family() == AF_INET6) return ntohs(in6().sin6_port);
        return 0;
    }
    void set_port(uint16_t p);

    // IP equality, port ignored (asymmetric peers, RTCP guessing).
    bool same_host(const SockAddr& o) const {
        if (family() != o.family()) return false;
        if (family() == AF_INET) return in4().sin_addr.s_addr == o.in4().sin_addr.s_addr;
        if (family() == AF_INET6)
            return std::memcmp(&in6().sin6_addr, &o.in6().sin6_addr, sizeof(in6_addr)) == 0;
        return false;
    }
    // IP and port equality (symmetric peers).
    bool same_host_port(const SockAddr& o) const {
        if (!same_host(o)) return false;
        return family() == AF_INET ? in4().sin_port == o.in4().sin_port
                                   : in6().sin6_port == o.in6().sin6_port;
    }

    // 0.0.0.0 or :: : a wildcard listen address, or a "hold" SDP address.
    bool is_null_host() const;
    // Numeric host text ("192.0.2.1", "2001:db8::1").
    std::string host() const;
    // "host:port" as the I listing prints it.
    std::string host_port() const;

    // A numeric address of `family` (AF_INET/AF_INET6) and a decimal port
    // (0..65535); nullopt if either does not parse.
    static std::optional<SockAddr> numeric(std::string_view host, std::string_view port, int family);
    // A local address to bind: "*" or empty = the wildcard of `family`,
    // otherwise a numeric address or a host name resolved to `family`.
    static std::optional<SockAddr> passive(std::string_view host, uint16_t port, int family);
};

}  // namespace ser::rtpp
