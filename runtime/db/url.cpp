// db_url parsing (modules.md §1.2): scheme://[user[:password]@]host[:port]/database,
// or scheme:///path for file databases.
#include <charconv>

#include "ser/db.hpp"

namespace ser::db {

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
}  // namespace

bool parse_url(std::string_view text, Url& out, std::string& error) {
    out = Url{};
    size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || text.substr(colon, 3) != "://") {
        error = "invalid db_url '" + std::string(text) + "': expected scheme://...";
        return false;
    }
    for (char c : text.substr(0, colon)) out.scheme += lower(c);
    std::string_view rest = text.substr(colon + 3);
    out.rest = std::string(rest);
    if (!rest.empty() && rest[0] == '/') return true;   // scheme:///path: a file

    // [user[:password]@]host[:port]/database; '@' in the password is not supported (as SER).
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash + 1 >= rest.size()) {
        error = "invalid db_url '" + std::string(text) + "': no database name";
        return false;
    }
    out.database = std::string(rest.substr(slash + 1));
    std::string_view auth_host = rest.substr(0, slash);
    size_t at = auth_host.find('@');
    std::string_view host = auth_host;
    if (at != std::string_view::npos) {
        std::string_view auth = auth_host.substr(0, at);
        host = auth_host.substr(at + 1);
        size_t pc = auth.find(':');
        out.user = std::string(auth.substr(0, pc));
        if (pc != std::string_view::npos) out.password = std::string(auth.substr(pc + 1));
    }
    size_t pc = host.rfind(':');
    if (pc != std::string_view::npos) {
        std::string_view port = host.substr(pc + 1);
        unsigned v = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
        if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535) {
            error = "invalid db_url '" + std::string(text) + "': bad port '" + std::string(port) + "'";
            return false;
        }
        out.port = uint16_t(v);
        host = host.substr(0, pc);
    }
    if (host.empty()) {
        error = "invalid db_url '" + std::string(text) + "': no host";
        return false;
    }
    out.host = std::string(host);
    return true;
}

Driver* find_driver(const Core& core, std::string_view url, std::string& error) {
    Url u;
    if (!parse_url(url, u, error)) return nullptr;
    auto* d = static_cast<Driver*>(core.find_api(driver_api_name(u.scheme), Driver::kVersion));
    if (!d) error = "no database driver module '" + u.scheme + "' loaded for db_url '" + std::string(url) +
                    "' (loadmodule \"" + u.scheme + ".so\" before the modules that use it)";
    return d;
}

std::unique_ptr<Connection> connect(const Core& core, std::string_view url, std::string& error) {
    Driver* d = find_driver(core, url, error);
    if (!d) return nullptr;
    Url u;
    if (!parse_url(url, u, error)) return nullptr;
    return d->connect(u, error);
}

}  // namespace ser::db
