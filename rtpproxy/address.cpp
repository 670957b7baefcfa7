#include "rtpproxy/address.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <charconv>

namespace ser::rtpp {

void SockAddr::set_port(uint16_t p) {
    if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&ss)->sin_port = htons(p);
    else if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = htons(p);
}

bool SockAddr::is_null_host() const {
    if (family() == AF_INET) return in4().sin_addr.s_addr == INADDR_ANY;
    if (family() == AF_INET6) return IN6_IS_ADDR_UNSPECIFIED(&in6().sin6_addr);
    return true;
}

std::string SockAddr::host() const {
    char buf[INET6_ADDRSTRLEN] = "";
    if (family() == AF_INET) inet_ntop(AF_INET, &in4().sin_addr, buf, sizeof buf);
    else if (family() == AF_INET6) inet_ntop(AF_INET6, &in6().sin6_addr, buf, sizeof buf);
    return buf;
}

std::string SockAddr::host_port() const {
    return host() + ":" + std::to_string(port());
}

namespace {

std::optional<uint16_t> parse_port(std::string_view text) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v > 65535)
        return std::nullopt;
    return static_cast<uint16_t>(v);
}

}  // namespace

std::optional<SockAddr> SockAddr::numeric(std::string_view host, std::string_view port, int family) {
    auto p = parse_port(port);
    if (!p || host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char text[INET6_ADDRSTRLEN];
    std::memcpy(text, host.data(), host.size());
    text[host.size()] = '\0';
    SockAddr a;
    if (family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(&a.ss);
        if (inet_pton(AF_INET, text, &in->sin_addr) != 1) return std::nullopt;
        in->sin_family = AF_INET;
        a.len = sizeof(sockaddr_in);
    } else if (family == AF_INET6) {
        auto* in = reinterpret_cast<sockaddr_in6*>(&a.ss);
        if (inet_pton(AF_INET6, text, &in->sin6_addr) != 1) return std::nullopt;
        in->sin6_family = AF_INET6;
        a.len = sizeof(sockaddr_in6);
    } else {
        return std::nullopt;
    }
    a.set_port(*p);
    return a;
}

std::optional<SockAddr> SockAddr::passive(std::string_view host, uint16_t port, int family) {
    std::string h(host);
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = nullptr;
    const char* node = (h.empty() || h == "*") ? nullptr : h.c_str();
    std::string service = std::to_string(port);
    if (getaddrinfo(node, service.c_str(), &hints, &res) != 0 || res == nullptr) return std::nullopt;
    SockAddr a;
    std::memcpy(&a.ss, res->ai_addr, res->ai_addrlen);
    a.len = res->ai_addrlen;
    freeaddrinfo(res);
    return a;
}

}  // namespace ser::rtpp
