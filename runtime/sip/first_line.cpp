// First line: Request-Line or Status-Line (RFC 3261 §7.1, §7.2), strictly:
// single SP separators, no trailing SP, no <> or LWS in the Request-URI
// (RFC 4475 lwsstart, trws, ltgtruri, lwsruri, escruri, badvers, bigcode).
#include <cstring>

#include "ser/sip/msg.hpp"
#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

namespace {

// "SIP/" 1*DIGIT "." 1*DIGIT (any case): a version, maybe not ours.
bool looks_like_version(std::string_view v) {
    if (v.size() < 7 || !iequals(v.substr(0, 4), "SIP/")) return false;
    size_t i = 4, b = 4;
    while (i < v.size() && is_digit(v[i])) ++i;
    if (i == b || i >= v.size() || v[i] != '.') return false;
    b = ++i;
    while (i < v.size() && is_digit(v[i])) ++i;
    return i > b && i == v.size();
}

}  // namespace

bool Msg::check_request_line(std::string_view line) {
    is_request_ = true;
    size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return fail("bad request line", 400);
    method_ = line.substr(0, sp1);
    if (!all_token(method_)) return fail("bad method in request line", 400);
    method_id_ = method_from_text(method_);
    size_t sp2 = line.rfind(' ');
    if (sp2 == sp1) return fail("missing SIP version in request line", 400);
    ruri_ = line.substr(sp1 + 1, sp2 - sp1 - 1);
    version_ = line.substr(sp2 + 1);
    if (version_.empty()) return fail("trailing whitespace in request line", 400);
    bool ws = ruri_.empty();
    for (char c : ruri_) ws |= is_ws(c);   // (find_first_of(" \t") calls memchr per character)
    if (ws) return fail("whitespace in Request-URI or between request-line elements", 400);
    if (ruri_.front() == '<') return fail("Request-URI enclosed in <>", 400);
    if (!iequals(version_, "SIP/2.0")) {
        if (!looks_like_version(version_)) return fail("bad SIP version", 400);
        bad_version_ = true;   // answered 505 once the headers are known
    }
    if (!parse_uri(ruri_, uri_)) return fail("bad Request-URI", 400);
    if ((uri_.scheme == Uri::Scheme::Sip || uri_.scheme == Uri::Scheme::Sips) &&
        !uri_.headers.empty())
        return fail("headers not allowed in Request-URI", 400);
    uri_state_ = kOk;
    uri_src_ = ruri_.data();
    uri_src_len_ = ruri_.size();
    return true;
}

bool Msg::parse_first_line(const char*& p, const char* end) {
    // Leading CRLFs (keep-alives, RFC 3261 §7.5) are skipped.
    while (p < end && (*p == '\r' || *p == '\n')) ++p;
    start_ = uint32_t(p - buf_);
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
    if (!nl) return fail("truncated first line", 0);
    const char* le = nl;
    if (le > p && le[-1] == '\r') --le;
    std::string_view line(p, size_t(le - p));
    first_line_ = line;
    p = nl + 1;
    for (char c : line) {
        auto uc = static_cast<unsigned char>(c);
        if ((uc < 0x20 && c != '\t') || uc == 0x7f) return fail("control character in first line", 0);
    }
    if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) {
        is_request_ = false;
        size_t sp = line.find(' ');
        if (sp == std::string_view::npos) return fail("bad status line", 0);
        version_ = line.substr(0, sp);
        if (!iequals(version_, "SIP/2.0")) return fail("unsupported SIP version in reply", 0);
        // Status-Code = exactly 3 digits, 100..699 (RFC 4475 bigcode)
        std::string_view rest = line.substr(sp + 1);
        if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]))
            return fail("bad status code", 0);
        if (rest.size() > 3 && rest[3] != ' ') return fail("bad status code", 0);
        status_text_ = rest.substr(0, 3);
        status_ = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
        if (status_ < 100 || status_ > 699) return fail("status code out of range", 0);
        reason_ = rest.size() > 4 ? rest.substr(4) : std::string_view(rest.data() + rest.size(), 0);
        return true;
    }
    return check_request_line(line);
}

}  // namespace ser::sip
