// Authorization / Proxy-Authorization credentials (RFC 3261 §22.4,
// RFC 2617 §3.2.2). Views into the header value; quoted values without quotes.
#pragma once

#include <string_view>

namespace ser::sip {

struct Credentials {
    std::string_view scheme;        // "Digest" or an unknown scheme (RFC 4475 regaut01)
    std::string_view username, realm, nonce, uri, response, algorithm, cnonce, opaque, qop, nc;
    std::string_view params;        // everything after the scheme

    bool is_digest() const;
};

// Parses "scheme LWS auth-param *(COMMA auth-param)". Unknown schemes parse
// (only the scheme and the raw params are set). False on syntax errors.
bool parse_credentials(std::string_view value, Credentials& out);

}  // namespace ser::sip
