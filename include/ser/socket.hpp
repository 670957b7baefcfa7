// A local socket the server listens on, as modules see it.
#pragma once

#include <cstdint>
#include <string>

#include "ser/ip.hpp"

namespace ser {

enum Proto : int { PROTO_NONE = 0, PROTO_UDP = 1, PROTO_TCP = 2, PROTO_TLS = 3 };

inline const char* proto_name(int p) {
    switch (p) {
    case PROTO_UDP: return "UDP";
    case PROTO_TCP: return "TCP";
    case PROTO_TLS: return "TLS";
    default: return "*";
    }
}

struct SocketInfo {
    int proto = PROTO_UDP;
    IpAddr address;
    std::string address_text;  // IPv6 without brackets
    std::string name;          // as configured (host name or address text)
    uint16_t port = 0;
    std::string port_text;
    int fd = -1;
    bool is_loopback = false;
};

}  // namespace ser
