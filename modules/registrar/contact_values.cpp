#include "modules/registrar/contact_values.hpp"

#include "ser/sip/avp.hpp"
#include "ser/sip/params.hpp"

namespace ser::mod::registrar {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// Digits only, with no overflow; nullopt otherwise.
std::optional<int> number(std::string_view s) {
    if (s.empty() || s.size() > 9) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

int clamp(const Registrar& r, int e) {
    if (e == 0) return 0;
    if (r.min_expires && e < r.min_expires) e = r.min_expires;
    if (r.max_expires && e > r.max_expires) e = r.max_expires;
    return e;
}

}  // namespace

bool expires_header(const sip::Msg& msg, const Registrar& r, std::optional<int>& out) {
    out.reset();
    const sip::HeaderField* h = msg.header(sip::HdrType::Expires);
    if (!h) return true;
    std::string_view v = trim(h->value);
    if (v.empty()) return false;
    auto n = number(v);
    out = n ? *n : r.default_expires;
    return true;
}

int contact_expires(const sip::NameAddr& c, std::optional<int> header, const Registrar& r) {
    auto p = sip::find_param(c.params, "expires");
    if (p && !p->empty()) {
        auto n = number(trim(*p));
        return clamp(r, n ? *n : 3600);   // SER's quirk: a non-numeric expires param is 3600
    }
    return clamp(r, header ? *header : r.default_expires);
}

bool contact_q(const sip::NameAddr& c, const Registrar& r, int& q) {
    auto p = sip::find_param(c.params, "q");
    if (!p) {
        q = r.default_q;
        return true;
    }
    std::string_view s = trim(*p);
    // 0, 1, 0.5, 1.0, .7 with up to three decimals; at most 1.
    size_t i = 0;
    int whole = 0;
    bool digits = false;
    if (i < s.size() && (s[i] == '0' || s[i] == '1')) {
        whole = s[i] - '0';
        ++i;
        digits = true;
    }
    int frac = 0, scale = 100;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int n = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < 3) {
            frac += (s[i] - '0') * scale;
            scale /= 10;
            ++i;
            ++n;
            digits = true;
        }
    }
    if (!digits || i != s.size()) return false;
    int v = whole * 1000 + frac;
    if (v > 1000) return false;
    q = v;
    return true;
}

std::string_view contact_received(const sip::NameAddr& c, const sip::Msg& msg, const Registrar& r) {
    if (auto p = sip::find_param(c.params, "received"); p && !p->empty()) return *p;
    if (const sip::Avp* a = sip::find_avp(msg.avps, r.received_avp); a && a->is_str) return a->s;
    return {};
}

}  // namespace ser::mod::registrar
