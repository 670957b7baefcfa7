// Forwarded requests (core-runtime §6.3, §6.4; cfg-language §14 items 77-81).
#include <charconv>
#include <cstring>
#include <string>

#include "ser/sip/build.hpp"
#include "runtime/sip/build_common.hpp"
#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

namespace detail {

void fix_content_length(const Msg& m, EditList& b, bool stream) {
    const uint32_t end = uint32_t(m.length());
    const uint32_t body = m.body_offset();
    const bool changed = m.lumps.touches(body, end - body);
    const size_t n = changed ? edited_length({&m.lumps}, body, end) : m.body().size();
    if (const HeaderField* cl = m.header(HdrType::ContentLength)) {
        if (!changed) return;
        const uint32_t vo = m.offset_of(cl->value);
        const auto vl = uint32_t(cl->value.size());
        // A module that edited the header itself keeps the last word.
        if (!m.lumps.touches(vo, vl)) {
            char num[24];
            const size_t k = size_t(std::to_chars(num, num + sizeof num, n).ptr - num);
            b.replace(vo, vl, b.make({std::string_view(num, k)}));
        }
    } else if (stream) {
        char num[24];
        const size_t k = size_t(std::to_chars(num, num + sizeof num, n).ptr - num);
        b.insert(m.headers_end(), b.make({"Content-Length: ", std::string_view(num, k), "\r\n"}));
    }
}

}  // namespace detail

ReceivedInfo received_info(const Msg& m) {
    return ReceivedInfo{m.rcv.src_ip.to_string(), m.rcv.src_port, m.force_rport};
}

namespace {

size_t via_line_size(const ViaSpec& v) {
    return 13 + v.transport.size() + 1 + v.host.size() + (v.port.empty() ? 0 : 1 + v.port.size()) +
           8 + v.branch.size() + v.extra.size() + 2;
}

// Writes via_line(v) (via_line_size(v) bytes) to d.
void write_via_line(char* d, const ViaSpec& v) {
    auto put = [&d](std::string_view t) {
        if (!t.empty()) std::memcpy(d, t.data(), t.size());
        d += t.size();
    };
    put("Via: SIP/2.0/");
    put(v.transport);
    *d++ = ' ';
    put(v.host);
    if (!v.port.empty()) {
        *d++ = ':';
        put(v.port);
    }
    put(";branch=");
    put(v.branch);
    put(v.extra);
    put("\r\n");
}

}  // namespace

std::string via_line(const ViaSpec& v) {
    std::string s(via_line_size(v), '\0');
    write_via_line(s.data(), v);
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

std::string build_request(Msg& m, const ViaSpec& via, const ReceivedInfo& rcv, bool stream,
                          std::string_view ruri, const SendContext* ctx) {
    const ViaBody* v = m.via1();
    if (!v) return {};
    EditList b;
    if (m.start_offset() > 0) b.remove(0, m.start_offset());
    if (ruri.empty()) ruri = m.new_uri;
    if (!ruri.empty() && ruri != m.ruri()) b.replace(m.ruri_offset(), uint32_t(m.ruri().size()), ruri);

    std::string_view src = rcv.src_ip_text;
    if (!src.empty() && src.front() == '[' && src.back() == ']') src = src.substr(1, src.size() - 2);
    const bool add_received = !src.empty() && received_needed(*v, src);
    const bool add_rport = rcv.force_rport || v->rport.has_value();
    std::string_view rec, rp;
    if (add_received) rec = b.make({";received=", src});
    if (add_rport) {
        char num[10];
        rp = b.make({";rport=", std::string_view(num, u32_text(num, rcv.src_port))});
    }
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
    const size_t vn = via_line_size(via);
    char* vl = b.alloc(vn);
    write_via_line(vl, via);
    b.insert(m.headers()[v->hdr_index].offset, std::string_view(vl, vn));
    return apply_edits(m.buffer(), &m.lumps, b, ctx);
}

}  // namespace ser::sip
