// SIP/SIPS/TEL URI view (RFC 3261 §19.1, RFC 3966). All fields are views into
// the text given to parse_uri(); nothing is unescaped (SER compares and
// forwards URIs as received).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ser::sip {

struct Uri {
    enum class Scheme { Sip, Sips, Tel, Other };
    Scheme scheme = Scheme::Other;
    std::string_view scheme_text;   // as written ("sip", "SIPS", "tel", ...)
    std::string_view user;          // sip: userinfo before ':'; tel: the number
    std::string_view password;      // sip: after the first ':' of userinfo
    std::string_view host;          // without [] for IPv6 references
    std::string_view port_text;     // digits, empty when absent
    std::string_view params;        // after the first ';' up to '?', without the leading ';'
    std::string_view headers;       // after '?'
    std::string_view opaque;        // Other schemes: everything after "scheme:"
    uint16_t port = 0;              // 0 = absent
    bool host_is_v6 = false;
    bool has_password = false;      // ':' present in userinfo (password may be empty)

    // URI parameter by case-insensitive name; "" for a valueless parameter.
    std::optional<std::string_view> param(std::string_view name) const;
    // Convenience: transport= parameter or "" (callers default to UDP).
    std::string_view transport() const;
    // The host as written in the URI (with [] for IPv6), for re-assembly.
    std::string_view host_text() const {
        return host_is_v6 ? std::string_view(host.data() - 1, host.size() + 2) : host;
    }
};

// Parses `text` (no surrounding <> or whitespace). sip/sips: user with
// escapes and user-unreserved characters (';', '?', ',' ... are allowed
// before '@'), optional password, host name / IPv4 / [IPv6], port 0..65535,
// params, headers. tel: number + params. Other schemes: RFC 3986 scheme
// followed by ':' and a non-empty opaque part without whitespace/controls.
// False on any syntax error; `out` is then unspecified.
bool parse_uri(std::string_view text, Uri& out);

// True when `s` starts with an RFC 3986 scheme followed by ':' (cheap check
// used for addr-specs of headers the proxy does not route on).
bool has_uri_scheme(std::string_view s);

}  // namespace ser::sip
