// Via parsing: sent-protocol, sent-by and via-params of one via-parm, LWS
// (including folded lines) allowed around '/', ':', ';', '=' and ','
// (RFC 3261 §25.1; RFC 4475 wsinv).
#include "ser/sip/via.hpp"

#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

namespace {

size_t take_token(std::string_view s, size_t i) {
    while (i < s.size() && is_token(s[i])) ++i;
    return i;
}

}  // namespace

bool parse_via_parm(std::string_view v, size_t& pos, ViaBody& out, const char* base) {
    if (!base) base = v.data();
    auto off = [&](size_t p) { return uint32_t((v.data() + p) - base); };
    // = ViaBody{}, field by field: the aggregate assignment clears ~260
    // bytes with `rep stos`, a start-up cost paid on every message.
    out.proto_name = out.version = out.transport = out.host = {};
    out.port_text = out.params = {};
    out.port = 0;
    out.host_is_v6 = false;
    out.branch.reset();
    out.received.reset();
    out.rport.reset();
    out.i.reset();
    out.alias.reset();
    out.host_end_off = 0;
    out.received_off = out.received_len = 0;
    out.rport_off = out.rport_len = 0;
    out.offset = out.length = 0;
    out.next_offset = 0;
    out.hdr_index = 0;
    out.last_in_line = true;
    size_t i = skip_lws(v, pos);
    const size_t start = i;

    // sent-protocol: name SLASH version SLASH transport
    size_t e = take_token(v, i);
    if (e == i) return false;
    out.proto_name = v.substr(i, e - i);
    i = skip_lws(v, e);
    if (i >= v.size() || v[i] != '/') return false;
    i = skip_lws(v, i + 1);
    e = take_token(v, i);
    if (e == i) return false;
    out.version = v.substr(i, e - i);
    i = skip_lws(v, e);
    if (i >= v.size() || v[i] != '/') return false;
    i = skip_lws(v, i + 1);
    e = take_token(v, i);
    if (e == i) return false;
    out.transport = v.substr(i, e - i);
    i = e;
    if (i >= v.size() || !is_lws(v[i])) return false;
    i = skip_lws(v, i);

    // sent-by: host [ COLON port ]
    if (i < v.size() && v[i] == '[') {
        size_t close = v.find(']', i);
        if (close == std::string_view::npos) return false;
        out.host = v.substr(i + 1, close - i - 1);
        if (!looks_like_v6(out.host)) return false;
        out.host_is_v6 = true;
        i = close + 1;
    } else {
        e = i;
        while (e < v.size() && has(v[e], kHost)) ++e;
        if (e == i) return false;
        out.host = v.substr(i, e - i);
        i = e;
    }
    size_t j = skip_lws(v, i);
    if (j < v.size() && v[j] == ':') {
        j = skip_lws(v, j + 1);
        e = j;
        while (e < v.size() && is_digit(v[e])) ++e;
        if (e == j) return false;
        out.port_text = v.substr(j, e - j);
        uint64_t p;
        if (!parse_u64(out.port_text, 65535, p)) return false;
        out.port = uint16_t(p);
        i = e;
    }
    out.host_end_off = off(i);

    // via-params
    size_t params_begin = std::string_view::npos;
    while (true) {
        j = skip_lws(v, i);
        if (j >= v.size() || v[j] != ';') break;
        const size_t semi = j;
        if (params_begin == std::string_view::npos) params_begin = semi + 1;
        j = skip_lws(v, j + 1);
        e = take_token(v, j);
        if (e == j) return false;   // empty parameter (";;", RFC 4475 badinv01)
        std::string_view name = v.substr(j, e - j);
        std::optional<std::string_view> value = std::string_view(v.data() + e, 0);
        size_t k = skip_lws(v, e);
        size_t pend = e;
        if (k < v.size() && v[k] == '=') {
            k = skip_lws(v, k + 1);
            if (k >= v.size()) return false;
            if (v[k] == '"') {
                size_t q = skip_quoted(v, k);
                if (q == std::string_view::npos) return false;
                value = v.substr(k + 1, q - k - 2);
                pend = q;
            } else {
                size_t q = k;
                while (q < v.size() && has2(v[q], kViaValue)) ++q;
                if (q == k) return false;
                value = v.substr(k, q - k);
                pend = q;
            }
        }
        switch (name.size()) {
        case 1:
            if (lower(name[0]) == 'i') out.i = value;
            break;
        case 5:
            if (iequals(name, "rport")) {
                out.rport = value;
                out.rport_off = off(semi);
                out.rport_len = uint32_t(pend - semi);
            } else if (iequals(name, "alias")) {
                out.alias = value;
            }
            break;
        case 6:
            if (iequals(name, "branch")) out.branch = value;
            break;
        case 8:
            if (iequals(name, "received")) {
                out.received = value;
                out.received_off = off(semi);
                out.received_len = uint32_t(pend - semi);
            }
            break;
        default:
            break;
        }
        i = pend;
    }
    if (params_begin != std::string_view::npos)
        out.params = v.substr(params_begin, i - params_begin);
    out.offset = off(start);
    out.length = uint32_t(i - start);

    j = skip_lws(v, i);
    if (j >= v.size()) {
        out.last_in_line = true;
        pos = v.size();
        return true;
    }
    if (v[j] != ',') return false;
    j = skip_lws(v, j + 1);
    if (j >= v.size()) return false;   // trailing comma
    out.last_in_line = false;
    out.next_offset = off(j);
    pos = j;
    return true;
}

}  // namespace ser::sip
