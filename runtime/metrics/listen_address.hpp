// The `metrics_listen` setting: "IPv4:port" or "[IPv6]:port".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ser/ip.hpp"

namespace ser::metrics {

struct ListenAddress {
    IpAddr ip;
    uint16_t port = 0;
};

// False + error (what is wrong, for a config message) on anything else:
// a name instead of an address, a missing or out-of-range port.
bool parse_listen_address(std::string_view text, ListenAddress& out, std::string& error);

}  // namespace ser::metrics
