#include "ser/sip/uri_edit.hpp"

#include "ser/log.hpp"
#include "ser/sip/uri.hpp"

namespace ser::sip {

namespace {
constexpr size_t kMaxUriSize = 1023;  // SER's MAX_URI_SIZE - 1
}

int rewrite_uri(std::string_view current, UriEdit edit, std::string_view text, long count, std::string& out) {
    Uri u;
    if (!parse_uri(current, u)) {
        SER_ERR("bad uri <{}>, dropping packet", current);
        return -1;
    }
    std::string user(u.user);
    std::string_view password = u.password;
    bool keep_password = true;
    std::string host(u.host);
    if (u.host_is_v6) host = "[" + host + "]";
    std::string port(u.port_text);

    switch (edit) {
    case UriEdit::Host:
        host.assign(text);
        break;
    case UriEdit::HostPort: {
        // "h:5070" sets both; "h" removes the port. A bracketed v6 host keeps its colons.
        size_t colon = text.rfind(':');
        size_t bracket = text.rfind(']');
        if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
            host.assign(text.substr(0, colon));
            port.assign(text.substr(colon + 1));
        } else {
            host.assign(text);
            port.clear();
        }
        break;
    }
    case UriEdit::User:
        user.assign(text);
        break;
    case UriEdit::UserPass:
        user.assign(text);
        keep_password = false;
        break;
    case UriEdit::Port:
        port.assign(text);
        break;
    case UriEdit::Prefix:
        user.insert(0, text);
        break;
    case UriEdit::Strip:
        if (count >= long(user.size())) {
            if (count > long(user.size())) SER_WARN("strip({}) is longer than the user part '{}'", count, user);
            user.clear();
        } else if (count > 0) {
            user.erase(0, size_t(count));
        }
        break;
    case UriEdit::StripTail:
        if (count >= long(user.size())) {
            if (count > long(user.size())) SER_WARN("strip_tail({}) is longer than the user part '{}'", count, user);
            user.clear();
        } else if (count > 0) {
            user.erase(user.size() - size_t(count));
        }
        break;
    }

    // Always rebuilt as sip: (a sips: URI is downgraded) [quirk].
    out.clear();
    out.reserve(current.size() + text.size() + 8);
    out += "sip:";
    out += user;
    if (keep_password && !password.empty()) {
        out += ':';
        out += password;
    }
    if (!user.empty() || (keep_password && !password.empty())) out += '@';
    out += host;
    if (!port.empty()) {
        out += ':';
        out += port;
    }
    if (!u.params.empty()) {
        out += ';';
        out += u.params;
    }
    if (!u.headers.empty()) {
        out += '?';
        out += u.headers;
    }
    if (out.size() > kMaxUriSize) {
        SER_ERR("uri too long ({} bytes)", out.size());
        return -1;
    }
    return 1;
}

}  // namespace ser::sip
