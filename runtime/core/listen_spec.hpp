// listen= / alias= / -l entries before resolution (cfg-language §4.3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ser/socket.hpp"

namespace ser::rt {

struct ListenSpec {
    int proto = PROTO_NONE;      // NONE = UDP and TCP
    std::string addr;            // host, address text or interface name
    uint16_t port = 0;           // 0 = take the default port
    bool from_cli = false;
};

struct Alias {
    std::string name;            // lower-case, IPv6 without brackets
    uint16_t port = 0;           // 0 = any port
    int proto = PROTO_NONE;      // NONE = any protocol
};

}  // namespace ser::rt
