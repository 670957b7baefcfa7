// listen=/alias=/-l entries -> the socket list and the alias list
// (cfg-language §4.3, core-runtime §2).
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>

#include <fmt/format.h>

#include "ser/text.hpp"
#include "runtime/core/resolve.hpp"
#include "runtime/core/server.hpp"
#include "ser/log.hpp"

namespace ser::rt {

namespace {


bool is_loopback(const IpAddr& a) {
    if (a.af == 2) return a.b[0] == 127;
    static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return a.af == 10 && std::equal(a.b.begin(), a.b.end(), one);
}

// IPv4 addresses of one interface, or of every interface that is up.
std::vector<IpAddr> interface_addrs(const std::string* only) {
    std::vector<IpAddr> out;
    ifaddrs* ifs = nullptr;
    if (getifaddrs(&ifs) != 0) return out;
    for (ifaddrs* i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        if (only ? *only != i->ifa_name : !(i->ifa_flags & IFF_UP)) continue;
        IpAddr a;
        if (IpAddr::from_sockaddr(i->ifa_addr, a)) out.push_back(a);
    }
    freeifaddrs(ifs);
    return out;
}

}  // namespace

bool Server::resolve_sockets(std::string& error) {
    sockets_.clear();
    aliases_.clear();
    std::vector<ListenSpec> specs = listen_specs_;
    if (specs.empty()) {
        for (const auto& a : interface_addrs(nullptr)) specs.push_back({PROTO_NONE, a.to_string(), 0, false});
    }
    auto add_alias = [&](std::string name, uint16_t port, int proto) {
        name = to_lower(name);
        if (name.empty()) return;
        for (const auto& a : aliases_)
            if (a.name == name && a.port == port && a.proto == proto) return;  // duplicates ignored
        aliases_.push_back({std::move(name), port, proto});
    };
    for (const auto& spec : specs) {
        std::vector<IpAddr> addrs;
        bool is_ip = false;
        {
            IpAddr tmp;
            is_ip = IpAddr::parse(spec.addr, tmp);
        }
        if (!is_ip) addrs = interface_addrs(&spec.addr);
        bool is_iface = !addrs.empty();
        if (!is_iface) {
            std::vector<IpAddr> all;
            if (!resolve_host(spec.addr, all) || all.empty()) {
                error = fmt::format("cannot resolve listen address '{}'", spec.addr);
                return false;
            }
            addrs.push_back(all.front());  // the first address is bound
        }
        uint16_t port = spec.port ? spec.port : uint16_t(settings_.port > 0 ? settings_.port : 5060);
        std::vector<int> protos;
        if (spec.proto == PROTO_NONE) {
            protos.push_back(PROTO_UDP);
            if (!settings_.disable_tcp) protos.push_back(PROTO_TCP);
        } else if (spec.proto == PROTO_TLS) {
            error = fmt::format("listen on '{}': tls support not compiled in", spec.addr);
            return false;
        } else if (spec.proto == PROTO_TCP && settings_.disable_tcp) {
            continue;
        } else {
            protos.push_back(spec.proto);
        }
        for (const IpAddr& a : addrs) {
            for (int proto : protos) {
                SocketInfo s;
                s.proto = proto;
                s.address = a;
                s.address_text = a.to_string();
                s.name = (is_ip || is_iface) ? s.address_text : to_lower(spec.addr);
                s.port = port;
                s.port_text = std::to_string(port);
                s.is_loopback = is_loopback(a);
                auto dup = std::find_if(sockets_.begin(), sockets_.end(), [&](const SocketInfo& o) {
                    return o.proto == proto && o.address == a && o.port == port;
                });
                if (dup != sockets_.end()) {
                    if (dup->name != s.name) add_alias(s.name, port, proto);
                    continue;
                }
                if (!is_ip && !is_iface) add_alias(spec.addr, port, proto);
                // Reverse names become aliases. Only loopback is looked up by
                // default: /etc/hosts answers it, while a lookup on a host
                // without DNS would stall start-up (rev_dns=yes enables all).
                if (s.is_loopback || settings_.rev_dns) {
                    std::string rn = reverse_name(a);
                    if (!rn.empty()) add_alias(rn, port, proto);
                }
                sockets_.push_back(std::move(s));
            }
        }
    }
    for (const auto& al : alias_specs_) add_alias(al.addr, al.port, al.proto);
    if (sockets_.empty()) {
        error = "no listen socket";
        return false;
    }
    return true;
}

}  // namespace ser::rt
