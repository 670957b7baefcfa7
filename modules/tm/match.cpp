// Request matching (modules.md §3.6; RFC 3261 §17.2.3 with the magic
// cookie, RFC 2543 rules without it). Called with the bucket lock held.
#include "modules/tm/tm.hpp"
#include "ser/text.hpp"

namespace ser::mod::tm {

namespace {

constexpr std::string_view kCookie = "z9hG4bK";

bool has_cookie(const sip::ViaBody& v) {
    return v.branch && v.branch->size() > kCookie.size() && v.branch->substr(0, kCookie.size()) == kCookie;
}

bool same_via_key(const Transaction& t, const sip::ViaBody& v) {
    return *v.branch == t.via_branch && iequals(v.host, t.via_host) && v.port_text == t.via_port &&
           iequals(v.transport, t.via_transport);
}

std::string_view hdr(const sip::Msg& m, sip::HdrType type) {
    const sip::HeaderField* h = m.header(type);
    return h ? h->value : std::string_view();
}

std::string_view to_uri(const sip::Msg& m) {
    const sip::NameAddr* to = m.to();
    return to ? to->uri : std::string_view();
}

std::string_view from_tag(const sip::Msg& m) {
    const sip::NameAddr* f = m.from();
    return f && f->tag ? *f->tag : std::string_view();
}

std::string_view via1_text(const sip::Msg& m) {
    const sip::ViaBody* v = m.via1();
    return v ? std::string_view(m.data() + v->offset, v->length) : std::string_view();
}

// RFC 2543 comparison of the fields SER compares byte by byte.
bool match_2543(const Tm& tm, const Transaction& t, const sip::Msg& m, bool ack) {
    const sip::Msg& r = *t.req;
    if (m.call_id() != t.call_id) return false;
    if (ack) {
        const sip::CSeq* c = m.cseq();
        if (!c || c->number != t.cseq_num) return false;
        if (hdr(m, sip::HdrType::From) != hdr(r, sip::HdrType::From)) return false;
        if (to_uri(m) != to_uri(r)) return false;
    } else {
        if (hdr(m, sip::HdrType::CSeq) != hdr(r, sip::HdrType::CSeq)) return false;
        if (hdr(m, sip::HdrType::From) != hdr(r, sip::HdrType::From)) return false;
        if (hdr(m, sip::HdrType::To) != hdr(r, sip::HdrType::To)) return false;
    }
    if (tm.ruri_matching && m.ruri() != r.ruri()) return false;
    if (tm.via1_matching && via1_text(m) != via1_text(r)) return false;
    return true;
}

bool same_method(const Transaction& t, const sip::Msg& m) {
    if (t.method != m.method_id()) return false;
    return t.method != sip::Method::Other || t.req->method() == m.method();
}

}  // namespace

Transaction* Tm::match_request(Bucket& b, const sip::Msg& m, Match& kind) const {
    kind = Match::None;
    const sip::ViaBody* v = m.via1();
    if (!v) return nullptr;
    const bool ack = m.method_id() == sip::Method::Ack;
    const bool cookie = has_cookie(*v);
    for (Transaction* t = b.head; t; t = t->next) {
        if (t->local) continue;
        if (ack) {
            if (!t->is_invite) continue;
            // An ACK for a 2xx is a new transaction end to end (RFC 3261
            // §17.1.1.3): matched by dialog, not by branch.
            if (t->uas_status >= 200 && t->uas_status < 300) {
                const sip::CSeq* c = m.cseq();
                if (m.call_id() != t->call_id || !c || c->number != t->cseq_num || from_tag(m) != t->from_tag)
                    continue;
                if (t->uas_local) {
                    const sip::NameAddr* to = m.to();
                    if (!to || !to->tag || *to->tag != t->to_tag) continue;
                    kind = Match::Retransmission;   // the ACK of our own 2xx
                } else {
                    kind = Match::E2eAck;
                }
                return t;
            }
            if (cookie ? same_via_key(*t, *v) : match_2543(*this, *t, m, true)) {
                kind = Match::Retransmission;
                return t;
            }
            continue;
        }
        if (!same_method(*t, m)) continue;
        if (cookie ? same_via_key(*t, *v) : match_2543(*this, *t, m, false)) {
            kind = Match::Retransmission;
            return t;
        }
    }
    return nullptr;
}

Transaction* Tm::match_cancelled_invite(Bucket& b, const sip::Msg& m) const {
    const sip::ViaBody* v = m.via1();
    if (!v) return nullptr;
    const bool cookie = has_cookie(*v);
    for (Transaction* t = b.head; t; t = t->next) {
        if (t->local || !t->is_invite) continue;
        if (cookie ? same_via_key(*t, *v) : match_2543(*this, *t, m, true)) return t;
    }
    return nullptr;
}

}  // namespace ser::mod::tm
