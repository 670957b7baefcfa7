// Msg accessors: header lookup and the lazily parsed, cached header bodies.
#include <climits>

#include "ser/sip/msg.hpp"
#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

const HeaderField* Msg::next_header(const HeaderField* after) const {
    if (!after || headers_.empty()) return nullptr;
    const HeaderField* e = headers_.data() + headers_.size();
    for (const HeaderField* h = after + 1; h < e; ++h)
        if (h->type == after->type &&
            (h->type != HdrType::Other || iequals(h->name, after->name)))
            return h;
    return nullptr;
}

const HeaderField* Msg::header(std::string_view name) const {
    HdrType t = header_type(name);
    if (t != HdrType::Other) return header(t);
    for (const auto& h : headers_)
        if (h.type == HdrType::Other && iequals(h.name, name)) return &h;
    return nullptr;
}

size_t Msg::header_count(HdrType t) const {
    size_t n = 0;
    for (const auto& h : headers_) n += h.type == t;
    return n;
}

std::string_view Msg::body() const {
    if (!eoh_ || body_off_ > len_) return {};
    return {buf_ + body_off_, len_ - body_off_};
}

const ViaBody* Msg::via1() const {
    if (via1_state_ == kUnparsed) {
        via1_state_ = kBad;
        if (const HeaderField* h = header(HdrType::Via)) {
            size_t pos = 0;
            if (parse_via_parm(h->value, pos, via1_, buf_)) {
                via1_.hdr_index = uint16_t(h - headers_.data());
                via1_state_ = kOk;
            }
        }
    }
    return via1_state_ == kOk ? &via1_ : nullptr;
}

const ViaBody* Msg::via2() const {
    if (via2_state_ == kUnparsed) {
        via2_state_ = kBad;
        const ViaBody* v1 = via1();
        if (v1) {
            const HeaderField* h = &headers_[v1->hdr_index];
            size_t pos = 0;
            if (!v1->last_in_line) {
                pos = v1->next_offset - offset_of(h->value);
            } else {
                h = next_header(h);
            }
            if (h && parse_via_parm(h->value, pos, via2_, buf_)) {
                via2_.hdr_index = uint16_t(h - headers_.data());
                via2_state_ = kOk;
            }
        }
    }
    return via2_state_ == kOk ? &via2_ : nullptr;
}

bool Msg::vias(std::vector<ViaBody>& out) const {
    for (const HeaderField* h = header(HdrType::Via); h; h = next_header(h)) {
        size_t pos = 0;
        while (pos < h->value.size()) {
            ViaBody v;
            if (!parse_via_parm(h->value, pos, v, buf_)) return false;
            v.hdr_index = uint16_t(h - headers_.data());
            out.push_back(v);
        }
    }
    return true;
}

size_t Msg::via_count() const {
    size_t n = 0;
    for (const HeaderField* h = header(HdrType::Via); h; h = next_header(h)) {
        size_t pos = 0;
        while (pos < h->value.size()) {
            ViaBody v;
            if (!parse_via_parm(h->value, pos, v, buf_)) return n;
            ++n;
        }
    }
    return n;
}

const NameAddr* Msg::to() const {
    if (to_state_ == kUnparsed) {
        const HeaderField* h = header(HdrType::To);
        to_state_ = h && parse_name_addr(h->value, to_) ? kOk : kBad;
    }
    return to_state_ == kOk ? &to_ : nullptr;
}

const NameAddr* Msg::from() const {
    if (from_state_ == kUnparsed) {
        const HeaderField* h = header(HdrType::From);
        from_state_ = h && parse_name_addr(h->value, from_) ? kOk : kBad;
    }
    return from_state_ == kOk ? &from_ : nullptr;
}

const CSeq* Msg::cseq() const {
    if (cseq_state_ == kUnparsed) {
        const HeaderField* h = header(HdrType::CSeq);
        cseq_state_ = h && parse_cseq(h->value, cseq_) ? kOk : kBad;
    }
    return cseq_state_ == kOk ? &cseq_ : nullptr;
}

std::string_view Msg::call_id() const {
    const HeaderField* h = header(HdrType::CallId);
    return h ? h->value : std::string_view{};
}

std::optional<uint32_t> Msg::content_length() const { return cl_; }

std::optional<int> Msg::max_forwards_raw() const {
    const HeaderField* h = header(HdrType::MaxForwards);
    uint64_t n;
    if (!h || !parse_u64(h->value, INT_MAX, n)) return std::nullopt;
    return int(n);
}

bool Msg::contacts(std::vector<NameAddr>& out) const {
    for (const HeaderField* h = header(HdrType::Contact); h; h = next_header(h))
        if (!parse_name_addr_list(h->value, out)) return false;
    return true;
}

const Uri* Msg::parsed_uri() const {
    std::string_view cur = current_uri();
    if (uri_state_ != kUnparsed && (cur.data() != uri_src_ || cur.size() != uri_src_len_))
        uri_state_ = kUnparsed;
    if (uri_state_ == kUnparsed) {
        uri_state_ = !cur.empty() && parse_uri(cur, uri_) ? kOk : kBad;
        uri_src_ = cur.data();
        uri_src_len_ = cur.size();
    }
    return uri_state_ == kOk ? &uri_ : nullptr;
}

}  // namespace ser::sip

namespace ser::sip {

bool Msg::freeze() const {
    bool ok = via1() != nullptr;
    via2();
    if (header(HdrType::To)) ok = to() != nullptr && ok;
    if (header(HdrType::From)) ok = from() != nullptr && ok;
    if (header(HdrType::CSeq)) ok = cseq() != nullptr && ok;
    if (is_request_) ok = parsed_uri() != nullptr && ok;
    return ok;
}

}  // namespace ser::sip
