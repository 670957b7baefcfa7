// name-addr / addr-spec parsing for To, From, Contact, Route, Record-Route.
#include "ser/sip/name_addr.hpp"

#include "ser/sip/uri.hpp"
#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

namespace {

constexpr size_t npos = std::string_view::npos;

// Character classes of this parser, one table lookup per character.
enum : uint8_t {
    kUriOk = 1 << 0,       // may appear in a URI inside <> or an addr-spec
    kDisplay = 1 << 1,     // unquoted display-name character (LWS included)
    kValueStop = 1 << 2,   // ends an unquoted header parameter value
    kAddrStop = 1 << 3,    // ends an addr-spec: LWS ';' ','
};

struct NaTable {
    uint8_t t[256]{};
    constexpr NaTable() {
        for (int c = 0; c < 256; ++c) {
            const bool ctl = c < 0x20 || c == 0x7f;
            const bool lws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
            uint8_t f = 0;
            if (!(c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"')) f |= kUriOk;
            if (lws || (!ctl && c != '"' && c != '<' && c != '>' && c != ',' && c != ';'))
                f |= kDisplay;
            if (lws || c == ';' || c == ',' || c == '"' || c == '<' || c == '>') f |= kValueStop;
            if (lws || c == ';' || c == ',') f |= kAddrStop;
            t[c] = f;
        }
    }
};

constexpr NaTable kNa{};

inline bool na(char c, uint8_t f) { return kNa.t[static_cast<unsigned char>(c)] & f; }

bool uri_chars_ok(std::string_view u) {
    for (char c : u)
        if (!na(c, kUriOk)) return false;
    return true;
}

// Parses one entry starting at t[i]; returns the index right after the entry
// (before LWS / ',' / end) or npos.
size_t parse_entry(std::string_view t, size_t i, NameAddr& out, bool allow_star) {
    out.display = out.uri = out.params = {};
    out.tag.reset();
    out.uri_offset = out.offset = out.length = 0;
    out.angle = false;
    i = skip_lws(t, i);
    if (i >= t.size()) return npos;
    const size_t start = i;
    if (allow_star && t[i] == '*') {
        size_t j = skip_lws(t, i + 1);
        if (j >= t.size() || t[j] == ',') {
            out.uri = t.substr(i, 1);
            out.uri_offset = uint32_t(i);
            out.offset = uint32_t(i);
            out.length = 1;
            return i + 1;
        }
    }
    if (t[i] == '"') {
        size_t q = skip_quoted(t, i);
        if (q == npos) return npos;   // unterminated quote (RFC 4475 quotbal)
        out.display = t.substr(i, q - i);
        i = skip_lws(t, q);
        if (i >= t.size() || t[i] != '<') return npos;
    } else {
        // display-name = *(token LWS). Real user agents also send UTF-8 and
        // other unquoted characters, which SER passes on; a ',' ';' '"' or
        // '>' cannot be part of an unquoted name, though: a ',' means a second
        // value (RFC 4475 baddn).
        size_t j = i;
        while (j < t.size() && na(t[j], kDisplay)) ++j;
        if (j < t.size() && t[j] == '<') {
            out.display = trim_lws(t.substr(i, j - i));
            i = j;
        }
    }
    size_t params_from;
    if (t[i] == '<') {
        // The URI runs to the first '>' and may not hold LWS, controls, '<' or
        // '"' (RFC 4475 badaspec). '>' is not a URI character, so both hold
        // exactly when the first non-URI character after '<' is a '>'.
        size_t close = i + 1;
        while (close < t.size() && na(t[close], kUriOk)) ++close;
        if (close >= t.size() || t[close] != '>') return npos;
        std::string_view u = t.substr(i + 1, close - i - 1);
        if (u.empty() || !has_uri_scheme(u)) return npos;
        out.uri = u;
        out.uri_offset = uint32_t(i + 1);
        out.angle = true;
        params_from = close + 1;
    } else {
        // addr-spec: the URI ends at LWS, ';' (header params) or ','; it may
        // not contain '?' or '<' etc. (RFC 3261 §20.10; RFC 4475 regbadct)
        size_t j = i;
        while (j < t.size() && !na(t[j], kAddrStop)) ++j;
        std::string_view u = t.substr(i, j - i);
        if (u.empty() || !uri_chars_ok(u) || u.find('?') != npos || !has_uri_scheme(u))
            return npos;
        out.uri = u;
        out.uri_offset = uint32_t(i);
        params_from = j;
    }
    i = params_from;
    size_t params_begin = npos;
    while (true) {
        size_t j = skip_lws(t, i);
        if (j >= t.size() || t[j] != ';') break;
        if (params_begin == npos) params_begin = j + 1;
        j = skip_lws(t, j + 1);
        size_t e = j;
        while (e < t.size() && is_token(t[e])) ++e;
        if (e == j) return npos;   // empty parameter
        std::string_view name = t.substr(j, e - j);
        std::string_view value(t.data() + e, 0);
        size_t pend = e;
        size_t k = skip_lws(t, e);
        if (k < t.size() && t[k] == '=') {
            k = skip_lws(t, k + 1);
            if (k >= t.size()) return npos;
            if (t[k] == '"') {
                size_t q = skip_quoted(t, k);
                if (q == npos) return npos;
                value = t.substr(k + 1, q - k - 2);
                pend = q;
            } else {
                size_t q = k;
                while (q < t.size() && !na(t[q], kValueStop)) ++q;
                if (q == k) return npos;
                value = t.substr(k, q - k);
                pend = q;
            }
        }
        if (name.size() == 3 && iequals(name, "tag")) out.tag = value;
        i = pend;
    }
    if (params_begin != npos) out.params = t.substr(params_begin, i - params_begin);
    out.offset = uint32_t(start);
    out.length = uint32_t(i - start);
    return i;
}

}  // namespace

bool parse_name_addr_at(std::string_view text, size_t& pos, NameAddr& out, bool allow_star) {
    size_t e = parse_entry(text, pos, out, allow_star);
    if (e == npos) return false;
    size_t j = skip_lws(text, e);
    if (j >= text.size()) {
        pos = text.size();
        return true;
    }
    if (text[j] != ',') return false;
    j = skip_lws(text, j + 1);
    if (j >= text.size()) return false;   // trailing comma
    pos = j;
    return true;
}

bool parse_name_addr(std::string_view text, NameAddr& out) {
    size_t e = parse_entry(text, 0, out, false);
    // Anything but LWS after the entry (e.g. ", second value") is an error:
    // To/From are single-valued (RFC 4475 multi01, baddn).
    return e != npos && skip_lws(text, e) == text.size();
}

bool parse_name_addr_list(std::string_view text, std::vector<NameAddr>& out) {
    size_t pos = 0;
    size_t first = out.size();
    while (pos < text.size()) {
        NameAddr na;
        if (!parse_name_addr_at(text, pos, na, true)) return false;
        out.push_back(na);
    }
    if (out.size() == first) return false;   // empty list
    // "*" must be the only entry
    if (out.size() - first > 1)
        for (size_t k = first; k < out.size(); ++k)
            if (out[k].is_star()) return false;
    return true;
}

}  // namespace ser::sip
