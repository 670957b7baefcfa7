// The SDP body of a message (Content-Type application/sdp, or none).
#include "ser/sip/msg.hpp"
#include "ser/sip/sdp.hpp"
#include "ser/text.hpp"

namespace ser::sip {

bool parse_sdp(const Msg& m, Sdp& out) {
    std::string_view body = m.body();
    if (body.empty()) return false;
    if (const HeaderField* ct = m.header(HdrType::ContentType)) {
        std::string_view v = ct->value.substr(0, ct->value.find(';'));
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        if (!iequals(v, "application/sdp")) return false;
    }
    return parse_sdp_text(body, out, m.buffer().data());
}

}  // namespace ser::sip
