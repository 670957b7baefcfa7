// Generic parameter lists: name [= token|host|quoted-string], LWS-tolerant.
#include "ser/sip/params.hpp"

#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

bool next_param(std::string_view s, size_t& pos, Param& out, char sep) {
    constexpr size_t npos = std::string_view::npos;
    if (pos == npos) return false;
    size_t i = skip_lws(s, pos);
    if (i >= s.size()) {
        pos = i;
        return false;
    }
    size_t nb = i;
    while (i < s.size() && is_token(s[i])) ++i;
    if (i == nb) {
        pos = npos;
        return false;
    }
    out = Param{};
    out.name = s.substr(nb, i - nb);
    i = skip_lws(s, i);
    if (i < s.size() && s[i] == '=') {
        i = skip_lws(s, i + 1);
        if (i >= s.size()) {
            pos = npos;
            return false;
        }
        out.has_value = true;
        if (s[i] == '"') {
            size_t e = skip_quoted(s, i);
            if (e == npos) {
                pos = npos;
                return false;
            }
            out.value = s.substr(i + 1, e - i - 2);
            out.quoted = true;
            i = e;
        } else {
            size_t vb = i;
            while (i < s.size() && !is_lws(s[i]) && s[i] != sep && s[i] != ',' && s[i] != ';' &&
                   s[i] != '"')
                ++i;
            if (i == vb) {
                pos = npos;
                return false;
            }
            out.value = s.substr(vb, i - vb);
        }
        i = skip_lws(s, i);
    }
    if (i < s.size()) {
        if (s[i] != sep) {
            pos = npos;
            return false;
        }
        ++i;
        // A separator must be followed by another parameter.
        if (skip_lws(s, i) >= s.size()) {
            pos = npos;
            return true;   // this one is fine; the caller sees the error next call
        }
    }
    pos = i;
    return true;
}

std::optional<std::string_view> find_param(std::string_view list, std::string_view name,
                                           char sep) {
    size_t pos = 0;
    Param p;
    while (next_param(list, pos, p, sep))
        if (iequals(p.name, name)) return p.value;
    return std::nullopt;
}

}  // namespace ser::sip
