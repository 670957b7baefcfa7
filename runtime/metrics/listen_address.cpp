#include "runtime/metrics/listen_address.hpp"

#include <charconv>

namespace ser::metrics {

bool parse_listen_address(std::string_view text, ListenAddress& out, std::string& error) {
    const std::string form = "expected \"address:port\", e.g. \"127.0.0.1:9090\" or \"[::1]:9090\"";
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            error = "'" + std::string(text) + "': " + form;
            return false;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        size_t colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) {
            error = "'" + std::string(text) + "': " + form + " (IPv6 addresses in [])";
            return false;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    ListenAddress a;
    if (!IpAddr::parse(host, a.ip)) {
        error = "'" + std::string(host) + "' is not an IP address (" + form + ")";
        return false;
    }
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535) {
        error = "port '" + std::string(port) + "' is not a number from 1 to 65535";
        return false;
    }
    a.port = uint16_t(p);
    out = a;
    return true;
}

}  // namespace ser::metrics
