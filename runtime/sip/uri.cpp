// URI parsing (RFC 3261 §19.1, §25.1; RFC 3966 for tel). A view parser: no
// unescaping, no allocation.
#include "ser/sip/uri.hpp"

#include "runtime/sip/chars.hpp"

#include <type_traits>

namespace ser::sip {

using namespace detail;

static_assert(std::is_trivially_copyable_v<Uri>, "parse_uri clears a Uri by zeroing its bytes");

namespace {

// Escaped octets must be "%" HEX HEX; returns false on a broken escape.
bool check_chars(std::string_view s, uint8_t allowed) {
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return false;
            if (!is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
            i += 2;
            continue;
        }
        if (!has(c, kUnreserved | allowed)) return false;
    }
    return true;
}

bool parse_port(std::string_view s, uint16_t& port) {
    uint64_t v;
    if (!parse_u64(s, 65535, v)) return false;
    port = uint16_t(v);
    return true;
}

size_t scheme_len(std::string_view s) {
    if (s.empty() || !is_alpha(s[0])) return 0;
    size_t i = 1;
    while (i < s.size() && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' ||
                            s[i] == '.'))
        ++i;
    if (i >= s.size() || s[i] != ':') return 0;
    return i;
}

bool parse_sip(std::string_view r, Uri& u) {
    // userinfo ends at the first '@': user and password characters never
    // include '@' (RFC 3261 §25.1), while ';' '?' ',' may appear in the user
    // part (RFC 4475 semiuri, intmeth).
    size_t at = r.find('@');
    std::string_view hostpart = r;
    if (at != std::string_view::npos) {
        std::string_view ui = r.substr(0, at);
        size_t colon = ui.find(':');
        std::string_view user = ui.substr(0, colon);
        if (user.empty() || !check_chars(user, kUserExtra)) return false;
        u.user = user;
        if (colon != std::string_view::npos) {
            u.password = ui.substr(colon + 1);
            u.has_password = true;
            if (!check_chars(u.password, kPassExtra)) return false;
        }
        hostpart = r.substr(at + 1);
    }
    // host
    size_t i = 0;
    if (!hostpart.empty() && hostpart[0] == '[') {
        size_t close = hostpart.find(']');
        if (close == std::string_view::npos) return false;
        u.host = hostpart.substr(1, close - 1);
        if (!looks_like_v6(u.host)) return false;
        u.host_is_v6 = true;
        i = close + 1;
    } else {
        // The host runs to the first ':' ';' '?' and must be hostname
        // characters: scan those, then the stop must be one of the three.
        while (i < hostpart.size() && has(hostpart[i], kHost)) ++i;
        if (i < hostpart.size() && hostpart[i] != ':' && hostpart[i] != ';' && hostpart[i] != '?')
            return false;
        u.host = hostpart.substr(0, i);
        if (u.host.empty() || u.host.size() > 255) return false;
    }
    if (i < hostpart.size() && hostpart[i] == ':') {
        size_t b = ++i;
        while (i < hostpart.size() && is_digit(hostpart[i])) ++i;
        u.port_text = hostpart.substr(b, i - b);
        if (!parse_port(u.port_text, u.port)) return false;
    }
    if (i < hostpart.size() && hostpart[i] == ';') {
        size_t b = ++i;
        while (i < hostpart.size() && hostpart[i] != '?') ++i;
        u.params = hostpart.substr(b, i - b);
        if (!check_chars(u.params, kParamExtra | kUserExtra)) return false;
        // Empty parameter names (";;" or a trailing ';') are not allowed.
        size_t p = 0;
        while (p <= u.params.size()) {
            size_t e = u.params.find(';', p);
            if (e == std::string_view::npos) e = u.params.size();
            std::string_view one = u.params.substr(p, e - p);
            if (one.empty() || one[0] == '=') return false;
            p = e + 1;
        }
    }
    if (i < hostpart.size() && hostpart[i] == '?') {
        u.headers = hostpart.substr(i + 1);
        if (!check_chars(u.headers, kHdrExtra | kPassExtra | kUserExtra)) return false;
        i = hostpart.size();
    }
    return i == hostpart.size();
}

bool parse_tel(std::string_view r, Uri& u) {
    size_t semi = r.find(';');
    u.user = r.substr(0, semi);
    if (u.user.empty()) return false;
    for (char c : u.user)
        if (!(is_hex(c) || c == '+' || c == '-' || c == '.' || c == '(' || c == ')' || c == '*' ||
              c == '#' || c == 'p' || c == 'w' || c == 'P' || c == 'W'))
            return false;
    if (semi != std::string_view::npos) {
        u.params = r.substr(semi + 1);
        if (!check_chars(u.params, kParamExtra | kUserExtra)) return false;
    }
    return true;
}

}  // namespace

bool has_uri_scheme(std::string_view s) { return scheme_len(s) != 0; }

bool parse_uri(std::string_view text, Uri& u) {
    zero_bytes<sizeof(Uri)>(&u);   // = Uri{} without rep stos
    u.scheme = Uri::Scheme::Other;
    size_t sl = scheme_len(text);
    if (sl == 0) return false;
    u.scheme_text = text.substr(0, sl);
    std::string_view rest = text.substr(sl + 1);
    if (rest.empty()) return false;
    if (iequals(u.scheme_text, "sip")) {
        u.scheme = Uri::Scheme::Sip;
        return parse_sip(rest, u);
    }
    if (iequals(u.scheme_text, "sips")) {
        u.scheme = Uri::Scheme::Sips;
        return parse_sip(rest, u);
    }
    if (iequals(u.scheme_text, "tel")) {
        u.scheme = Uri::Scheme::Tel;
        return parse_tel(rest, u);
    }
    u.scheme = Uri::Scheme::Other;
    for (char c : rest) {
        auto uc = static_cast<unsigned char>(c);
        if (uc <= 0x20 || uc == 0x7f || c == '<' || c == '>' || c == '"') return false;
    }
    u.opaque = rest;
    return true;
}

std::optional<std::string_view> Uri::param(std::string_view name) const {
    size_t p = 0;
    while (p <= params.size() && !params.empty()) {
        size_t e = params.find(';', p);
        if (e == std::string_view::npos) e = params.size();
        std::string_view one = params.substr(p, e - p);
        size_t eq = one.find('=');
        std::string_view n = one.substr(0, eq);
        if (iequals(n, name))
            return eq == std::string_view::npos ? std::string_view(one.data() + one.size(), 0)
                                                : one.substr(eq + 1);
        p = e + 1;
    }
    return std::nullopt;
}

std::string_view Uri::transport() const {
    auto t = param("transport");
    return t ? *t : std::string_view{};
}

}  // namespace ser::sip
