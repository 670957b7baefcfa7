// Credentials parsing for Authorization / Proxy-Authorization.
#include "ser/sip/digest.hpp"

#include "ser/sip/params.hpp"
#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

bool Credentials::is_digest() const { return iequals(scheme, "Digest"); }

bool parse_credentials(std::string_view v, Credentials& out) {
    out = Credentials{};
    size_t i = skip_lws(v, 0);
    size_t b = i;
    while (i < v.size() && is_token(v[i])) ++i;
    if (i == b) return false;
    out.scheme = v.substr(b, i - b);
    if (i < v.size() && !is_lws(v[i])) return false;
    i = skip_lws(v, i);
    out.params = v.substr(i);
    if (out.params.empty()) return !out.is_digest();
    size_t pos = 0;
    Param p;
    bool any = false;
    while (next_param(out.params, pos, p, ',')) {
        any = true;
        if (!out.is_digest()) continue;
        std::string_view n = p.name;
        std::string_view* slot = nullptr;
        switch (n.size()) {
        case 2:
            if (iequals(n, "nc")) slot = &out.nc;
            break;
        case 3:
            if (iequals(n, "uri")) slot = &out.uri;
            else if (iequals(n, "qop")) slot = &out.qop;
            break;
        case 5:
            if (iequals(n, "realm")) slot = &out.realm;
            else if (iequals(n, "nonce")) slot = &out.nonce;
            break;
        case 6:
            if (iequals(n, "cnonce")) slot = &out.cnonce;
            else if (iequals(n, "opaque")) slot = &out.opaque;
            break;
        case 8:
            if (iequals(n, "username")) slot = &out.username;
            else if (iequals(n, "response")) slot = &out.response;
            break;
        case 9:
            if (iequals(n, "algorithm")) slot = &out.algorithm;
            break;
        default:
            break;
        }
        if (slot) *slot = p.value;
    }
    return any && pos != std::string_view::npos;
}

}  // namespace ser::sip
