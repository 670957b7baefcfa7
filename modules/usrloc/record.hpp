// A record (one AOR): its contact list in record order (modules.md §6.2).
// One allocation: the header, then the AOR bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "modules/usrloc/contact.hpp"

namespace ser::mod::usrloc {

struct Urecord {
    Urecord* next;        // hash chain of the slot
    Ucontact* contacts;   // record order
    uint32_t hash;        // high bits of the AOR's hash (bucket index, quick compare)
    uint16_t aor_len;
    // the AOR follows

    std::string_view aor() const { return {reinterpret_cast<const char*>(this + 1), aor_len}; }
};

inline constexpr size_t kMaxAor = 65535;

Urecord* make_record(std::string_view aor, uint32_t hash);
// Frees the record and every contact still in it.
void free_record(Urecord* r);

// A record of its own, outside any domain (db_mode 3 reads one per call).
struct FreeRecord {
    void operator()(Urecord* r) const { free_record(r); }
};
using RecordPtr = std::unique_ptr<Urecord, FreeRecord>;

// The contact with this exact URI (zombies included), and the one before it.
Ucontact* find_contact(const Urecord& r, std::string_view uri, Ucontact** prev = nullptr);
// Inserts `c` where the order rules put a new contact: after every contact
// with q >= c's (unspecified -1 sorts last, equal q older first), or at the
// head with desc_time_order.
void insert_ordered(Urecord& r, Ucontact* c, bool desc_time_order);
void unlink_contact(Urecord& r, Ucontact* c);
void move_to_head(Urecord& r, Ucontact* c);
// `now` takes the place of `old` in the list (after a rewrite to a new block).
void replace_contact(Urecord& r, Ucontact* old, Ucontact* now);

}  // namespace ser::mod::usrloc
