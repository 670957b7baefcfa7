// Forwarded requests (core-runtime §6.3, §6.4; cfg-language §14 items 77-81).
#include <string>

#include "ser/sip/build.hpp"
#include "runtime/sip/build_common.hpp"
#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

namespace detail {

void fix_content_length(const Msg& m, Lumps& b, bool stream) {
    const uint32_t end = uint32_t(m.length());
    const uint32_t body = m.body_offset();
    const bool changed = lumps_touch({&m.lumps}, body, end);
    const size_t n = changed ? edited_length({&m.lumps}, body, end) : m.body().size();
    if (const HeaderField* cl = m.header(HdrType::ContentLength)) {
        const uint32_t vo = m.offset_of(cl->value);
        const auto vl = uint32_t(cl->value.size());
        // A module that edited the header itself keeps the last word.
        if (changed && !m.lumps.touches(vo, vl)) b.replace(vo, vl, std::to_string(n));
    } else if (stream) {
        b.insert(m.headers_end(), "Content-Length: " + std::to_string(n) + "\r\n");
    }
}

}  // namespace detail

ReceivedInfo received_info(const Msg& m) {
    return ReceivedInfo{m.rcv.src_ip.to_string(), m.rcv.src_port, m.force_rport};
}

std::string via_line(const ViaSpec& v) {
    std::string s;
    s.reserve(32 + v.host.size() + v.branch.size() + v.extra.size());
    s += "Via: SIP/2.0/";
    s += v.transport;
    s += ' ';
    s += v.host;
    if (!v.port.empty()) {
        s += ':';
        s += v.port;
    }
    s += ";branch=";
    s += v.branch;
    s += v.extra;
    s += "\r\n";
    return s;
}

bool received_needed(const ViaBody& via, std::string_view src) {
    if (via.received) return true;
    if (!src.empty() && src.front() == '[' && src.back() == ']') src = src.substr(1, src.size() - 2);
    if (src.find(':') != std::string_view::npos) return !iequals(via.host, src);
    // strncmp(via host, source text, via host length) [quirk, §6.4]
    std::string_view h = via.host;
    return !(h.size() <= src.size() && src.compare(0, h.size(), h) == 0);
}

std::string build_request(Msg& m, const ViaSpec& via, const ReceivedInfo& rcv, bool stream) {
    const ViaBody* v = m.via1();
    if (!v) return {};
    Lumps b;
    if (m.start_offset() > 0) b.remove(0, m.start_offset());
    if (!m.new_uri.empty()) b.replace(m.ruri_offset(), uint32_t(m.ruri().size()), m.new_uri);

    std::string_view src = rcv.src_ip_text;
    if (!src.empty() && src.front() == '[' && src.back() == ']') src = src.substr(1, src.size() - 2);
    const bool add_received = !src.empty() && received_needed(*v, src);
    const bool add_rport = rcv.force_rport || v->rport.has_value();
    std::string rec, rp;
    if (add_received) rec = std::string(";received=").append(src);
    if (add_rport) rp = ";rport=" + std::to_string(rcv.src_port);
    // New parameters go right after host[:port]; at equal offsets inserts
    // precede in-place replacements, which yields ";rport=P;received=IP" when
    // both are new and keeps the checklist 79/80 orders.
    if (add_rport && !v->rport_len) b.insert(v->host_end_off, rp);
    if (add_received && !v->received_len) b.insert(v->host_end_off, rec);
    if (add_received && v->received_len) b.replace(v->received_off, v->received_len, rec);
    if (add_rport && v->rport_len) b.replace(v->rport_off, v->rport_len, rp);

    fix_content_length(m, b, stream);
    // Last insert at the first Via line: module inserts there (Record-Route)
    // come out before our Via.
    b.insert(m.headers()[v->hdr_index].offset, via_line(via));
    return apply_lumps(m.buffer(), {&m.lumps, &b});
}

}  // namespace ser::sip
