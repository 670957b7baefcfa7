// Address-of-record extraction (modules.md §7.3).
#include "modules/registrar/registrar.hpp"
#include "ser/sip/uri.hpp"
#include "ser/text.hpp"

namespace ser::mod::registrar {

namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// %XX escapes of the user part decoded; false on a broken escape.
bool unescape(std::string_view in, std::string& out) {
    out.clear();
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return false;
        int a = hex(in[i + 1]), b = hex(in[i + 2]);
        if (a < 0 || b < 0) return false;
        out += char(a * 16 + b);
        i += 2;
    }
    return true;
}

constexpr size_t kMaxAor = 256;

}  // namespace

bool Registrar::aor_of(std::string_view uri_text, std::string& out, Err& err) const {
    sip::Uri uri;
    // SER's URI parser knows sip, sips and tel only: an http: or mailto:
    // To is no AOR (it would otherwise be stored as the empty AOR "").
    if (!sip::parse_uri(uri_text, uri) || uri.scheme == sip::Uri::Scheme::Other) {
        err = Err::BadAor;
        return false;
    }
    std::string user;
    if (!unescape(uri.user, user)) {
        err = Err::Unescape;
        return false;
    }
    std::string_view host = uri.host;
    if (user.size() + 1 + host.size() > kMaxAor) {
        err = Err::AorTooLong;
        return false;
    }
    if (use_domain) {
        if (!realm_prefix.empty() && host.size() > realm_prefix.size() && host.substr(0, realm_prefix.size()) == realm_prefix)
            host.remove_prefix(realm_prefix.size());
        if (case_sensitive) out = user + "@" + to_lower(host);
        else out = to_lower(user + "@" + std::string(host));
    } else {
        out = case_sensitive ? user : to_lower(user);
    }
    return true;
}

}  // namespace ser::mod::registrar
