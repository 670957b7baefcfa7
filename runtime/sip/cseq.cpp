// Method names and CSeq parsing.
#include "ser/sip/cseq.hpp"

#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

Method method_from_text(std::string_view m) {
    switch (m.size()) {
    case 3:
        if (iequals(m, "ACK")) return Method::Ack;
        if (iequals(m, "BYE")) return Method::Bye;
        break;
    case 4:
        if (iequals(m, "INFO")) return Method::Info;
        break;
    case 5:
        if (iequals(m, "PRACK")) return Method::Prack;
        if (iequals(m, "REFER")) return Method::Refer;
        break;
    case 6:
        if (iequals(m, "INVITE")) return Method::Invite;
        if (iequals(m, "CANCEL")) return Method::Cancel;
        if (iequals(m, "UPDATE")) return Method::Update;
        if (iequals(m, "NOTIFY")) return Method::Notify;
        break;
    case 7:
        if (iequals(m, "OPTIONS")) return Method::Options;
        if (iequals(m, "MESSAGE")) return Method::Message;
        if (iequals(m, "PUBLISH")) return Method::Publish;
        break;
    case 8:
        if (iequals(m, "REGISTER")) return Method::Register;
        break;
    case 9:
        if (iequals(m, "SUBSCRIBE")) return Method::Subscribe;
        break;
    default:
        break;
    }
    return Method::Other;
}

bool parse_cseq(std::string_view v, CSeq& out) {
    out = CSeq{};
    size_t i = skip_lws(v, 0);
    size_t b = i;
    while (i < v.size() && is_digit(v[i])) ++i;
    if (i == b || i >= v.size() || !is_lws(v[i])) return false;
    out.number = v.substr(b, i - b);
    uint64_t n;
    if (!parse_u64(out.number, 0xFFFFFFFFu, n)) return false;
    out.num = uint32_t(n);
    i = skip_lws(v, i);
    b = i;
    while (i < v.size() && is_token(v[i])) ++i;
    if (i == b) return false;
    out.method = v.substr(b, i - b);
    if (skip_lws(v, i) != v.size()) return false;
    out.method_id = method_from_text(out.method);
    return true;
}

}  // namespace ser::sip
