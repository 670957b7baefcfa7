// IP addresses as SER keeps them (ip_addr): family, length and raw bytes.
// Used for source/destination addresses of messages, src_ip/dst_ip tests in
// the script and the received= test of the forwarding code.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace ser {

struct IpAddr {
    int af = 0;            // AF_INET / AF_INET6, 0 = unset
    uint8_t len = 0;       // 4 or 16
    std::array<uint8_t, 16> b{};

    // Dotted IPv4 (exactly four decimal octets) or IPv6, the latter with or
    // without surrounding []. Returns false (out untouched) on anything else.
    static bool parse(std::string_view text, IpAddr& out);
    // Fills from a sockaddr_in / sockaddr_in6; optional port in host order.
    static bool from_sockaddr(const sockaddr* sa, IpAddr& out, uint16_t* port = nullptr);

    // Dotted quad / RFC 5952 text (IPv6 without []).
    std::string to_string() const;
    // Writes a sockaddr for this address and port; returns its length (0 if unset).
    socklen_t to_sockaddr(uint16_t port, sockaddr_storage& out) const;

    bool is_v4() const { return af == AF_INET; }
    bool is_v6() const { return af == AF_INET6; }
    // Same family and (addr & mask) == (net & mask) over len bytes.
    bool in_net(const IpAddr& net, const std::array<uint8_t, 16>& mask) const;
    // Mask with the first `bits` bits set (for a/len notation).
    static std::array<uint8_t, 16> prefix_mask(unsigned bits);

    bool operator==(const IpAddr& o) const;
    bool operator!=(const IpAddr& o) const { return !(*this == o); }
};

}  // namespace ser
