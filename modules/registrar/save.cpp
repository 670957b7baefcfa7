// save() (modules.md §7.4): checks of the REGISTER, then one edit of the
// AOR's record in usrloc under its lock, then the reply.
#include <ctime>

#include "modules/registrar/contact_values.hpp"
#include "ser/log.hpp"
#include "ser/socket.hpp"
#include "ser/text.hpp"

namespace ser::mod::registrar {

namespace {

struct NewContact {
    sip::NameAddr na;
    int expires = 0;   // relative; 0 = remove
    int q = api::kQUnspecified;
    std::string_view received{};
};

std::string_view rtrim(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

std::string_view ltrim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    return s;
}

std::string socket_text(const sip::Msg& msg) {
    auto* s = static_cast<const SocketInfo*>(msg.rcv.socket);
    if (!s) return {};
    // Lower-case, as in listen= and SER's socket strings: "udp:1.2.3.4:5060".
    return to_lower(proto_name(s->proto)) + ":" + s->address_text + ":" + s->port_text;
}

}  // namespace

int Registrar::save(sip::Msg& msg, api::UsrlocDomain* d, bool reply, bool memory) {
    const time_t now = time(nullptr);
    auto finish = [&](Err e, const std::vector<api::Contact>* bindings) {
        if (e != Err::None) SER_INFO("registrar: REGISTER rejected: {}", int(e));
        if (!reply) return e == Err::None ? 1 : 0;
        int rc = send_reply(msg, e, bindings, now);
        if (rc < 0) return -1;
        return e == Err::None ? 1 : 0;
    };

    // 1. The headers save() needs.
    if (!msg.header(sip::HdrType::To)) return finish(Err::NoTo, nullptr);
    if (!msg.to()) return finish(Err::Parse, nullptr);
    if (!msg.header(sip::HdrType::CallId)) return finish(Err::NoCallId, nullptr);
    if (!msg.header(sip::HdrType::CSeq)) return finish(Err::NoCseq, nullptr);
    const sip::CSeq* cseq = msg.cseq();
    if (!cseq) return finish(Err::BadCseq, nullptr);
    std::optional<int> hdr_expires;
    if (!expires_header(msg, *this, hdr_expires)) return finish(Err::BadExpires, nullptr);

    // 2. Contacts; a header whose body starts with '*' is a star header.
    // Every header is parsed before the star rules are checked, and a
    // first star is checked for its Expires before the other headers (SER's order).
    std::vector<NewContact> contacts;
    bool star = false;         // the first Contact header is a star
    bool other_star = false;   // a later one is
    size_t headers = 0;
    for (const sip::HeaderField* h = msg.header(sip::HdrType::Contact); h; h = msg.next_header(h)) {
        ++headers;
        if (!ltrim(h->value).empty() && ltrim(h->value)[0] == '*') {
            (headers == 1 ? star : other_star) = true;
            continue;
        }
        std::vector<sip::NameAddr> list;
        if (!sip::parse_name_addr_list(h->value, list)) return finish(Err::BadContact, nullptr);
        for (auto& na : list) {
            // A URI rewritten by an earlier function (fix_nated_contact) is
            // the contact's identity as rewritten (the lump's text outlives save()).
            if (const std::string* r = msg.lumps.replacement(msg.offset_of(na.uri), uint32_t(na.uri.size())))
                na.uri = *r;
            contacts.push_back({.na = na});
        }
    }
    if (star && hdr_expires.value_or(default_expires) != 0) return finish(Err::StarExpires, nullptr);
    if ((star && headers > 1) || other_star) return finish(Err::StarMore, nullptr);

    // 3. The AOR and the request's values.
    std::string aor;
    Err err = Err::None;
    if (!aor_of(msg.to()->uri, aor, err)) return finish(err, nullptr);
    std::string_view ua = "Unknown";
    if (const sip::HeaderField* h = msg.header(sip::HdrType::UserAgent)) ua = rtrim(ltrim(h->value));
    std::string_view callid = rtrim(msg.call_id());
    unsigned flags = 0;
    if (nat_flag > 0 && nat_flag < 32 && (msg.flags & (1u << nat_flag))) flags |= api::kFlNat;
    if (memory) flags |= api::kFlMem;
    const std::string sock = socket_text(msg);

    // 4. Per-contact values.
    for (auto& c : contacts) {
        c.expires = contact_expires(c.na, hdr_expires, *this);
        if (!contact_q(c.na, *this, c.q)) return finish(Err::BadQ, nullptr);
        c.received = contact_received(c.na, msg, *this);
    }
    auto info = [&](const NewContact& c, unsigned contact_flags) {
        api::ContactInfo ci;
        ci.uri = c.na.uri;
        ci.received = c.received;
        ci.callid = callid;
        ci.user_agent = ua;
        ci.socket = sock;
        ci.expires = now + c.expires;
        ci.q = c.q;
        ci.cseq = cseq->num;
        ci.flags = contact_flags;
        return ci;
    };

    // 5. One edit of the record; the bindings for the reply are read under
    // the same lock.
    std::vector<api::Contact> bindings;
    std::string ul_error;
    Err fail = Err::None;
    bool ok = ul->edit(d, aor, [&](api::Record& rec) {
        if (star) {
            if (!rec.remove_all()) {
                fail = Err::UlDelete;
                return false;
            }
            return true;
        }
        if (!contacts.empty()) {
            std::vector<api::Contact> stored;
            rec.contacts(stored, now, false);
            // A refresh sets or clears only FL_NAT and FL_MEM; other flags
            // of the stored contact (FL_PERMANENT from ul_add) stay.
            auto update = [&](const NewContact& c) {
                unsigned f = flags;
                for (const auto& s : stored)
                    if (s.uri == c.na.uri) f |= s.flags & ~unsigned(api::kFlNat | api::kFlMem);
                if (rec.update(info(c, f), desc_time_order)) return true;
                fail = Err::UlUpdate;
                return false;
            };
            auto insert = [&](const NewContact& c) {
                if (rec.insert(info(c, flags))) return true;
                fail = Err::UlInsert;
                return false;
            };
            if (stored.empty()) {   // a new AOR
                size_t n = 0;
                for (const auto& c : contacts) {
                    if (c.expires == 0) continue;
                    if (rec.has(c.na.uri)) {   // the same URI twice in this request
                        if (!update(c)) return false;
                        continue;
                    }
                    if (max_contacts && ++n > size_t(max_contacts)) {
                        rec.remove_all();   // SER drops the whole new record
                        fail = Err::TooMany;
                        return false;
                    }
                    if (!insert(c)) return false;
                }
            } else {
                if (max_contacts) {
                    long count = long(rec.valid_count(now));
                    for (const auto& c : contacts) {
                        bool has = rec.has(c.na.uri);
                        if (!has && c.expires > 0) ++count;
                        if (has && c.expires == 0) --count;
                    }
                    if (count > max_contacts) {
                        fail = Err::TooMany;
                        rec.contacts(bindings, now, true);
                        return false;
                    }
                }
                for (const auto& c : contacts) {
                    bool has = rec.has(c.na.uri);
                    if (!has && c.expires > 0) {
                        if (!insert(c)) return false;
                    } else if (has && c.expires == 0) {
                        if (!rec.remove(c.na.uri)) { fail = Err::UlRemove; return false; }
                    } else if (has) {
                        if (!update(c)) return false;
                    }
                }
            }
        }
        rec.contacts(bindings, now, true);
        return true;
    }, ul_error);
    if (!ok) {
        if (fail == Err::None) fail = Err::UlGet;
        if (!ul_error.empty()) SER_ERR("registrar: save('{}') of '{}': {}", ul->domain_name(d), aor, ul_error);
        return finish(fail, bindings.empty() ? nullptr : &bindings);
    }
    return finish(Err::None, &bindings);
}

}  // namespace ser::mod::registrar
