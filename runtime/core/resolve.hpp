// Name resolution (A/AAAA via getaddrinfo; address literals without DNS).
#pragma once

#include <string_view>
#include <vector>

#include "ser/ip.hpp"

namespace ser::rt {

// Appends the addresses of `host` (IPv4 first) to `out`. `[v6]` accepted.
bool resolve_host(std::string_view host, std::vector<IpAddr>& out);
// The official name of an address (reverse DNS); empty on failure.
std::string reverse_name(const IpAddr& ip);

}  // namespace ser::rt
