#include "modules/usrloc/contact.hpp"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace ser::mod::usrloc {

const char* state_name(CState s) {
    switch (s) {
    case CState::New: return "CS_NEW";
    case CState::Sync: return "CS_SYNC";
    case CState::Dirty: return "CS_DIRTY";
    case CState::ZombieN: return "CS_ZOMBIE_N";
    case CState::ZombieS: return "CS_ZOMBIE_S";
    case CState::ZombieD: return "CS_ZOMBIE_D";
    }
    return "CS_UNKNOWN";
}

namespace {

struct Fields {
    std::string_view s[Ucontact::kStrCount];
    size_t total() const {
        size_t n = 0;
        for (auto v : s) n += v.size();
        return n;
    }
    bool fits() const {
        for (auto v : s)
            if (v.size() > kMaxField) return false;
        return true;
    }
};

Fields fields_of(std::string_view uri, const api::ContactInfo& c) {
    return {{uri, c.received, c.callid, c.user_agent, c.socket}};
}

void fill(Ucontact* u, const Fields& f, const api::ContactInfo& c) {
    u->expires = int64_t(c.expires);
    u->cseq = c.cseq;
    u->flags = c.flags;
    u->q = int16_t(c.q < api::kQUnspecified ? api::kQUnspecified : (c.q > 1000 ? 1000 : c.q));
    char* p = reinterpret_cast<char*>(u + 1);
    for (int i = 0; i < Ucontact::kStrCount; ++i) {
        u->len[i] = uint16_t(f.s[i].size());
        // memmove: the URI is kept from the block itself on a rewrite in place
        if (!f.s[i].empty()) std::memmove(p, f.s[i].data(), f.s[i].size());
        p += f.s[i].size();
    }
}

bool overlaps(const void* block, size_t size, std::string_view v) {
    const char* b = static_cast<const char*>(block);
    return !v.empty() && v.data() < b + size && v.data() + v.size() > b;
}

}  // namespace

Ucontact* make_contact(const api::ContactInfo& c) {
    Fields f = fields_of(c.uri, c);
    if (!f.fits()) return nullptr;
    auto* u = static_cast<Ucontact*>(std::malloc(sizeof(Ucontact) + f.total()));
    if (!u) return nullptr;
    u->next = nullptr;
    u->replicate = c.replicate;
    u->state = CState::New;
    u->mark = 0;
    fill(u, f, c);
    return u;
}

Ucontact* rewrite_contact(Ucontact* old, const api::ContactInfo& c) {
    Fields f = fields_of(old->uri(), c);
    if (!f.fits()) return nullptr;
    const size_t need = sizeof(Ucontact) + f.total();
    const size_t have = malloc_usable_size(old);
    bool in_place = need <= have;
    // New values that live inside the block would be overwritten while copied.
    for (int i = 1; in_place && i < Ucontact::kStrCount; ++i)
        if (overlaps(old, have, f.s[i])) in_place = false;
    if (in_place) {
        // The URI stays first: moving it onto itself is a no-op.
        fill(old, f, c);
        return old;
    }
    auto* u = static_cast<Ucontact*>(std::malloc(need));
    if (!u) return nullptr;
    std::memcpy(u, old, sizeof(Ucontact));
    fill(u, f, c);
    return u;
}

void free_contact(Ucontact* c) { std::free(c); }

api::Contact to_api(const Ucontact& c) {
    api::Contact out;
    out.uri = c.uri();
    out.received = c.received();
    out.callid = c.callid();
    out.user_agent = c.user_agent();
    out.socket = c.socket();
    out.expires = time_t(c.expires);
    out.q = c.q;
    out.cseq = c.cseq;
    out.flags = c.flags;
    out.replicate = c.replicate;
    return out;
}

}  // namespace ser::mod::usrloc
