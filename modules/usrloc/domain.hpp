// A domain: one registered table ("location", "aliases") held in memory as
// 512 slots, each with its own lock and its own growing hash of records, so
// workers touching different AORs rarely meet and no lock covers the table.
//
// Locks of a slot:
//   mu       - the data: every read and every change of the slot's records.
//   write_mu - db_mode 1 only: taken by every writer (an edit, the timer, a
//              FIFO command) for the whole change including its database
//              statements, so statements of one AOR reach the database in
//              the order of the changes; lookups never wait for it.
//              db_mode 3 (no records in memory): an edit holds it from
//              reading the AOR's rows to its last statement, and the timer
//              for each delete, so this process never interleaves them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "modules/usrloc/record.hpp"
#include "ser/api/usrloc.hpp"

namespace ser::api {
// The opaque handle of the API is a domain of this module.
class UsrlocDomain {
protected:
    UsrlocDomain() = default;
    ~UsrlocDomain() = default;
};
}  // namespace ser::api

namespace ser::mod::usrloc {

struct Shard {
    mutable std::mutex mu;
    std::mutex write_mu;
    std::unique_ptr<Urecord*[]> buckets;
    uint32_t mask = 0;   // bucket count - 1
    std::atomic<uint32_t> count{0};   // records; read without the lock by ul_stats
};

struct AorHash {
    uint32_t shard;
    uint32_t high;   // Urecord::hash
};
AorHash hash_aor(std::string_view aor);

class Domain : public api::UsrlocDomain {
public:
    static constexpr uint32_t kSlots = 512;

    explicit Domain(std::string name);
    ~Domain();
    Domain(const Domain&) = delete;
    Domain& operator=(const Domain&) = delete;

    const std::string& name() const { return name_; }
    Shard& shard(uint32_t i) { return shards_[i]; }
    const Shard& shard(uint32_t i) const { return shards_[i]; }

    // Slot-level operations; the caller holds the slot's mu.
    Urecord* find(const Shard& s, std::string_view aor, uint32_t high) const;
    // A new empty record in the slot, or null (memory, AOR too long).
    Urecord* create(Shard& s, std::string_view aor, uint32_t high);
    // Unlinks and frees `r` with whatever contacts it still has.
    void drop(Shard& s, Urecord* r);
    // Every record of the slot, in bucket order; `fn` may not drop records.
    template <class F> void for_each(const Shard& s, F&& fn) const {
        if (!s.buckets) return;
        for (uint32_t b = 0; b <= s.mask; ++b)
            for (Urecord* r = s.buckets[b]; r; r = r->next) fn(*r);
    }
    // Drops the slot's records that have no contact left.
    void drop_empty(Shard& s);

    long records() const;
    std::atomic<long> expired{0};   // ul_stats: contacts expired since start

private:
    void grow(Shard& s);
    std::string name_;
    std::array<Shard, kSlots> shards_;
};

}  // namespace ser::mod::usrloc
