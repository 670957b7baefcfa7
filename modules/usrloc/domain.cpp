#include "modules/usrloc/domain.hpp"

namespace ser::mod::usrloc {

namespace {
constexpr uint32_t kInitialBuckets = 4;
}

AorHash hash_aor(std::string_view aor) {
    // FNV-1a with a final mix: SER's sum of bytes clusters similar AORs
    // ("user1", "user2" ...) into few slots.
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : aor) {
        h ^= c;
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return {uint32_t(h % Domain::kSlots), uint32_t(h >> 32)};
}

Domain::Domain(std::string name) : name_(std::move(name)) {}

Domain::~Domain() {
    for (auto& s : shards_) {
        std::lock_guard g(s.mu);
        if (!s.buckets) continue;
        for (uint32_t b = 0; b <= s.mask; ++b) {
            for (Urecord* r = s.buckets[b]; r;) {
                Urecord* n = r->next;
                free_record(r);
                r = n;
            }
        }
        s.buckets.reset();
    }
}

Urecord* Domain::find(const Shard& s, std::string_view aor, uint32_t high) const {
    if (!s.buckets) return nullptr;
    for (Urecord* r = s.buckets[high & s.mask]; r; r = r->next)
        if (r->hash == high && r->aor() == aor) return r;
    return nullptr;
}

void Domain::grow(Shard& s) {
    const uint32_t n = s.buckets ? (s.mask + 1) * 2 : kInitialBuckets;
    std::unique_ptr<Urecord*[]> nb(new (std::nothrow) Urecord*[n]());
    if (!nb) return;   // keep the longer chains
    if (s.buckets) {
        for (uint32_t b = 0; b <= s.mask; ++b) {
            for (Urecord* r = s.buckets[b]; r;) {
                Urecord* next = r->next;
                Urecord*& head = nb[r->hash & (n - 1)];
                r->next = head;
                head = r;
                r = next;
            }
        }
    }
    s.buckets = std::move(nb);
    s.mask = n - 1;
}

Urecord* Domain::create(Shard& s, std::string_view aor, uint32_t high) {
    const uint32_t count = s.count.load(std::memory_order_relaxed);
    if (!s.buckets || count >= s.mask + 1) grow(s);
    if (!s.buckets) return nullptr;
    Urecord* r = make_record(aor, high);
    if (!r) return nullptr;
    Urecord*& head = s.buckets[high & s.mask];
    r->next = head;
    head = r;
    s.count.store(count + 1, std::memory_order_relaxed);
    return r;
}

void Domain::drop(Shard& s, Urecord* r) {
    for (Urecord** link = &s.buckets[r->hash & s.mask]; *link; link = &(*link)->next) {
        if (*link == r) {
            *link = r->next;
            free_record(r);
            s.count.store(s.count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
            return;
        }
    }
}

void Domain::drop_empty(Shard& s) {
    if (!s.buckets) return;
    for (uint32_t b = 0; b <= s.mask; ++b) {
        for (Urecord** link = &s.buckets[b]; *link;) {
            Urecord* r = *link;
            if (r->contacts) {
                link = &r->next;
                continue;
            }
            *link = r->next;
            free_record(r);
            s.count.store(s.count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
        }
    }
}

long Domain::records() const {
    long n = 0;
    for (const auto& s : shards_) n += s.count.load(std::memory_order_relaxed);
    return n;
}

}  // namespace ser::mod::usrloc
