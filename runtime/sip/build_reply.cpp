// Stateless reply forwarding (core-runtime §6.6).
#include <string>

#include "ser/ip.hpp"
#include "ser/sip/build.hpp"
#include "runtime/sip/build_common.hpp"
#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

std::string build_reply_forward(Msg& r, bool stream) {
    const ViaBody* v1 = r.via1();
    if (!v1 || !r.via2()) return {};
    EditList b;
    if (r.start_offset() > 0) b.remove(0, r.start_offset());
    const HeaderField& h = r.headers()[v1->hdr_index];
    if (v1->last_in_line)
        b.remove(h.offset, h.length);
    else
        b.remove(v1->offset, v1->next_offset - v1->offset);
    fix_content_length(r, b, stream);
    return apply_edits(r.buffer(), &r.lumps, b);
}

bool reply_forward_dest(Msg& r, std::string& host, uint16_t& port, std::string& transport) {
    const ViaBody* v = r.via2();
    if (!v) return false;
    const bool use_received = v->received && !v->received->empty();
    std::string_view h = use_received ? *v->received : v->host;
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    host.assign(h);
    transport.assign(v->transport);
    uint64_t p = 0;
    if (v->rport && parse_u64(*v->rport, 65535, p) && p != 0) {
        port = uint16_t(p);
    } else if (!v->port_text.empty()) {
        port = v->port;
    } else {
        IpAddr ip;
        port = (use_received || IpAddr::parse(h, ip)) ? 5060 : 0;
    }
    return true;
}

}  // namespace ser::sip
