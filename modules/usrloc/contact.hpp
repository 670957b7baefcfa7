// One stored contact: a fixed header followed by its strings in the same
// allocation (no std::string per field), so a million contacts stay within
// a few hundred bytes each.
#pragma once

#include <cstdint>
#include <ctime>
#include <string_view>

#include "ser/api/usrloc.hpp"

namespace ser::mod::usrloc {

// SER's contact states: where the contact stands against the database.
enum class CState : uint8_t {
    New,       // not in the database yet
    Sync,      // same in memory and database
    Dirty,     // in the database, memory changed since
    ZombieN,   // deleted, never written
    ZombieS,   // deleted, the row says state=1
    ZombieD,   // deleted, the row is stale (must be deleted or updated)
};

inline bool is_zombie(CState s) { return s >= CState::ZombieN; }
// Whether a row of the contact exists in the database.
inline bool has_row(CState s) { return s != CState::New && s != CState::ZombieN; }
const char* state_name(CState s);

// Write-back bookkeeping (db_mode 2): the flusher writes without the slot
// lock, so it marks what it is writing and learns whether it changed meanwhile.
enum Mark : uint8_t {
    kFlushing = 1u << 0,   // a write of this contact is in flight: never freed by others
    kChanged = 1u << 1,    // modified since the flusher copied it
};

struct Ucontact {
    enum Str { kUri, kReceived, kCallid, kUa, kSocket, kStrCount };

    Ucontact* next;   // record order
    int64_t expires;
    uint32_t cseq;
    uint32_t flags;
    int32_t replicate;
    int16_t q;
    CState state;
    uint8_t mark;
    uint16_t len[kStrCount];
    // the strings follow, in Str order

    std::string_view str(Str i) const {
        const char* p = reinterpret_cast<const char*>(this + 1);
        for (int k = 0; k < i; ++k) p += len[k];
        return {p, len[i]};
    }
    std::string_view uri() const { return str(kUri); }
    std::string_view received() const { return str(kReceived); }
    std::string_view callid() const { return str(kCallid); }
    std::string_view user_agent() const { return str(kUa); }
    std::string_view socket() const { return str(kSocket); }

    bool permanent() const { return flags & api::kFlPermanent; }
    // Valid = usable by lookups (modules.md §6.2).
    bool valid(time_t now) const { return (expires > now || permanent()) && !is_zombie(state); }
    bool expired(time_t now) const { return expires < now && !permanent(); }
};

// Longest string a contact field may hold.
inline constexpr size_t kMaxField = 65535;

// A new contact (state New), or null when a field is too long or memory is out.
Ucontact* make_contact(const api::ContactInfo& c);
// The contact with `c`'s values except the URI and replicate; the header's
// state, mark, next and replicate are kept. Returns `old` when rewritten in
// place, else a new block (the caller relinks it, then frees `old`); null on
// failure (old untouched).
Ucontact* rewrite_contact(Ucontact* old, const api::ContactInfo& c);
void free_contact(Ucontact* c);

api::Contact to_api(const Ucontact& c);

}  // namespace ser::mod::usrloc
