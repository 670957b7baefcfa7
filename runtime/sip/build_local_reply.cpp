// Replies generated locally for a request (core-runtime §6.7), as SER's
// build_res_buf_from_sip_req: copied header lines as received, in the
// request's order.
#include <string>

#include "ser/sip/build.hpp"

namespace ser::sip {

namespace {

// The field from its name to the end of its (trimmed) value, plus CRLF.
void copy_field(std::string& out, const Msg& m, const HeaderField& h) {
    uint32_t ve = m.offset_of(h.value) + uint32_t(h.value.size());
    if (!h.value.data() || ve < h.offset || ve > h.offset + h.length) return;
    out.append(m.data() + h.offset, ve - h.offset);
    out += "\r\n";
}

void append_range(std::string& out, const Msg& m, uint32_t from, uint32_t to) {
    if (to > from) out.append(m.data() + from, to - from);
}

}  // namespace

std::string build_local_reply(Msg& req, int code, std::string_view reason,
                              const LocalReplyOpts& o) {
    std::string out;
    out.reserve(req.headers_end() + 256 + o.extra_headers.size() + o.body.size());
    out += "SIP/2.0 ";
    out += std::to_string(code);
    out += ' ';
    out += reason;
    out += "\r\n";

    const ViaBody* v1 = req.via1();
    const std::string src = req.rcv.src_ip.to_string();
    const NameAddr* to = req.to();
    const auto& hs = req.headers();
    for (size_t i = 0; i < hs.size(); ++i) {
        const HeaderField& h = hs[i];
        switch (h.type) {
        case HdrType::Via:
            if (v1 && i == v1->hdr_index) {
                const uint32_t line_end = req.offset_of(h.value) + uint32_t(h.value.size());
                const uint32_t via_end = v1->offset + v1->length;
                const bool rport = req.force_rport || v1->rport.has_value();
                const bool rcvd = !src.empty() && received_needed(*v1, src);
                const std::string rp = ";rport=" + std::to_string(req.rcv.src_port);
                if (rport && v1->rport_len) {
                    append_range(out, req, h.offset, v1->rport_off);
                    out += rp;
                    append_range(out, req, v1->rport_off + v1->rport_len, via_end);
                } else {
                    append_range(out, req, h.offset, via_end);
                    if (rport) out += rp;
                }
                if (rcvd) {
                    out += ";received=";
                    out += src;
                }
                append_range(out, req, via_end, line_end);
                out += "\r\n";
            } else {
                copy_field(out, req, h);
            }
            break;
        case HdrType::To:
            if (!o.to_tag.empty() && to && !to->tag) {
                const uint32_t ve = req.offset_of(h.value) + uint32_t(h.value.size());
                append_range(out, req, h.offset, ve);
                out += ";tag=";
                out += o.to_tag;
                out += "\r\n";
            } else if (!o.to_tag.empty() && to && o.replace_to_tag) {
                const uint32_t ts = req.offset_of(*to->tag);
                const uint32_t te = ts + uint32_t(to->tag->size());
                const uint32_t ve = req.offset_of(h.value) + uint32_t(h.value.size());
                append_range(out, req, h.offset, ts);
                out += o.to_tag;
                append_range(out, req, te, ve);
                out += "\r\n";
            } else {
                copy_field(out, req, h);
            }
            break;
        case HdrType::From:
        case HdrType::CallId:
        case HdrType::CSeq:
            copy_field(out, req, h);
            break;
        case HdrType::RecordRoute:
            if (code >= 180 && code < 300) copy_field(out, req, h);
            break;
        default:
            break;
        }
    }
    out += o.extra_headers;
    for (const auto& l : req.reply_lumps) out += l;
    if (!o.server.empty()) {
        out += "Server: ";
        out += o.server;
        out += "\r\n";
    }
    out += "Content-Length: ";
    out += std::to_string(o.body.size());
    out += "\r\n";
    if (!o.warning.empty()) {
        out += "Warning: ";
        out += o.warning;
        out += "\r\n";
    }
    out += "\r\n";
    out += o.body;
    return out;
}

}  // namespace ser::sip
