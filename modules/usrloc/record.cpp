#include "modules/usrloc/record.hpp"

#include <cstdlib>
#include <cstring>

namespace ser::mod::usrloc {

Urecord* make_record(std::string_view aor, uint32_t hash) {
    if (aor.size() > kMaxAor) return nullptr;
    auto* r = static_cast<Urecord*>(std::malloc(sizeof(Urecord) + aor.size()));
    if (!r) return nullptr;
    r->next = nullptr;
    r->contacts = nullptr;
    r->hash = hash;
    r->aor_len = uint16_t(aor.size());
    if (!aor.empty()) std::memcpy(r + 1, aor.data(), aor.size());
    return r;
}

void free_record(Urecord* r) {
    for (Ucontact* c = r->contacts; c;) {
        Ucontact* n = c->next;
        free_contact(c);
        c = n;
    }
    std::free(r);
}

Ucontact* find_contact(const Urecord& r, std::string_view uri, Ucontact** prev) {
    Ucontact* p = nullptr;
    for (Ucontact* c = r.contacts; c; p = c, c = c->next) {
        if (c->len[Ucontact::kUri] == uri.size() && c->uri() == uri) {
            if (prev) *prev = p;
            return c;
        }
    }
    return nullptr;
}

void insert_ordered(Urecord& r, Ucontact* c, bool desc_time_order) {
    Ucontact** link = &r.contacts;
    if (!desc_time_order)
        while (*link && (*link)->q >= c->q) link = &(*link)->next;
    c->next = *link;
    *link = c;
}

void unlink_contact(Urecord& r, Ucontact* c) {
    for (Ucontact** link = &r.contacts; *link; link = &(*link)->next) {
        if (*link == c) {
            *link = c->next;
            c->next = nullptr;
            return;
        }
    }
}

void move_to_head(Urecord& r, Ucontact* c) {
    if (r.contacts == c) return;
    unlink_contact(r, c);
    c->next = r.contacts;
    r.contacts = c;
}

void replace_contact(Urecord& r, Ucontact* old, Ucontact* now) {
    if (old == now) return;
    for (Ucontact** link = &r.contacts; *link; link = &(*link)->next) {
        if (*link == old) {
            *link = now;
            return;
        }
    }
}

}  // namespace ser::mod::usrloc
