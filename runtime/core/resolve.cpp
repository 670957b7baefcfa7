#include "runtime/core/resolve.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <string>

#include "ser/wait.hpp"

namespace ser::rt {

bool resolve_host(std::string_view host, std::vector<IpAddr>& out) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    IpAddr ip;
    if (IpAddr::parse(host, ip)) {
        out.push_back(ip);
        return true;
    }
    if (host.empty()) return false;
    std::string h(host);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* res = nullptr;
    int rc;
    {
        const ScopedWait wait;   // a DNS server's answer is waited for
        rc = getaddrinfo(h.c_str(), nullptr, &hints, &res);
    }
    if (rc != 0 || !res) return false;
    size_t first = out.size();
    for (int pass = 0; pass < 2; ++pass) {  // IPv4 first, as SER's A lookup
        for (addrinfo* ai = res; ai; ai = ai->ai_next) {
            if ((pass == 0) != (ai->ai_family == AF_INET)) continue;
            IpAddr a;
            if (!IpAddr::from_sockaddr(ai->ai_addr, a)) continue;
            bool dup = false;
            for (size_t i = first; i < out.size(); ++i) dup = dup || out[i] == a;
            if (!dup) out.push_back(a);
        }
    }
    freeaddrinfo(res);
    return out.size() > first;
}

std::string reverse_name(const IpAddr& ip) {
    sockaddr_storage ss{};
    socklen_t len = ip.to_sockaddr(0, ss);
    char host[NI_MAXHOST];
    if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0, NI_NAMEREQD) != 0)
        return {};
    return host;
}

}  // namespace ser::rt
