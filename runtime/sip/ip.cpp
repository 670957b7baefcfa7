// IpAddr parsing and conversions (inet_pton/ntop do the IPv6 work).
#include "ser/ip.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace ser {

namespace {

// Strict dotted quad: inet_pton accepts exactly this too, but we avoid the
// copy into a NUL-terminated buffer for the common case.
bool parse_v4(std::string_view s, uint8_t out[4]) {
    int part = 0;
    unsigned val = 0;
    int digits = 0;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            val = val * 10 + unsigned(c - '0');
            if (++digits > 3 || val > 255) return false;
        } else if (c == '.') {
            if (digits == 0 || part == 3) return false;
            out[part++] = uint8_t(val);
            val = 0;
            digits = 0;
        } else {
            return false;
        }
    }
    if (part != 3 || digits == 0) return false;
    out[3] = uint8_t(val);
    return true;
}

}  // namespace

bool IpAddr::parse(std::string_view s, IpAddr& out) {
    if (s.empty()) return false;
    uint8_t v4[4];
    if (parse_v4(s, v4)) {
        out = IpAddr{};
        out.af = AF_INET;
        out.len = 4;
        std::memcpy(out.b.data(), v4, 4);
        return true;
    }
    if (s.front() == '[') {
        if (s.size() < 3 || s.back() != ']') return false;
        s = s.substr(1, s.size() - 2);
    }
    if (s.size() > INET6_ADDRSTRLEN || s.find(':') == std::string_view::npos) return false;
    char tmp[INET6_ADDRSTRLEN + 1];
    std::memcpy(tmp, s.data(), s.size());
    tmp[s.size()] = 0;
    in6_addr a6;
    if (inet_pton(AF_INET6, tmp, &a6) != 1) return false;
    out = IpAddr{};
    out.af = AF_INET6;
    out.len = 16;
    std::memcpy(out.b.data(), &a6, 16);
    return true;
}

bool IpAddr::from_sockaddr(const sockaddr* sa, IpAddr& out, uint16_t* port) {
    if (!sa) return false;
    if (sa->sa_family == AF_INET) {
        const auto* s4 = reinterpret_cast<const sockaddr_in*>(sa);
        out = IpAddr{};
        out.af = AF_INET;
        out.len = 4;
        std::memcpy(out.b.data(), &s4->sin_addr, 4);
        if (port) *port = ntohs(s4->sin_port);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const auto* s6 = reinterpret_cast<const sockaddr_in6*>(sa);
        out = IpAddr{};
        out.af = AF_INET6;
        out.len = 16;
        std::memcpy(out.b.data(), &s6->sin6_addr, 16);
        if (port) *port = ntohs(s6->sin6_port);
        return true;
    }
    return false;
}

std::string IpAddr::to_string() const {
    char tmp[INET6_ADDRSTRLEN];
    if (af == AF_INET) {
        // Hand-formatted: inet_ntop goes through sprintf, and this runs for
        // every forwarded message (received= test).
        char* p = tmp;
        for (int i = 0; i < 4; ++i) {
            unsigned v = b[size_t(i)];
            if (v >= 100) *p++ = char('0' + v / 100);
            if (v >= 10) *p++ = char('0' + v / 10 % 10);
            *p++ = char('0' + v % 10);
            if (i < 3) *p++ = '.';
        }
        return std::string(tmp, size_t(p - tmp));
    }
    if (af == AF_INET6) {
        if (!inet_ntop(AF_INET6, b.data(), tmp, sizeof tmp)) return {};
        return tmp;
    }
    return {};
}

socklen_t IpAddr::to_sockaddr(uint16_t port, sockaddr_storage& out) const {
    std::memset(&out, 0, sizeof out);
    if (af == AF_INET) {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&out);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        std::memcpy(&s4->sin_addr, b.data(), 4);
        return sizeof(sockaddr_in);
    }
    if (af == AF_INET6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&out);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        std::memcpy(&s6->sin6_addr, b.data(), 16);
        return sizeof(sockaddr_in6);
    }
    return 0;
}

bool IpAddr::in_net(const IpAddr& net, const std::array<uint8_t, 16>& mask) const {
    if (af != net.af || len != net.len || len == 0) return false;
    for (unsigned i = 0; i < len; ++i)
        if ((b[i] & mask[i]) != (net.b[i] & mask[i])) return false;
    return true;
}

std::array<uint8_t, 16> IpAddr::prefix_mask(unsigned bits) {
    std::array<uint8_t, 16> m{};
    for (unsigned i = 0; i < 16 && bits > 0; ++i) {
        unsigned n = bits >= 8 ? 8 : bits;
        m[i] = uint8_t(0xFF00u >> n);
        bits -= n;
    }
    return m;
}

bool IpAddr::operator==(const IpAddr& o) const {
    return af == o.af && len == o.len && std::memcmp(b.data(), o.b.data(), len) == 0;
}

}  // namespace ser
