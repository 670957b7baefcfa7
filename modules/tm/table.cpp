// The transaction table: buckets by hash of Call-ID and CSeq number, each
// with its own lock; reference counting; the per-message binding.
#include <charconv>

#include <fmt/format.h>

#include "modules/tm/tm.hpp"
#include "ser/log.hpp"

namespace ser::mod::tm {

uint32_t Tm::hash_of(std::string_view call_id, std::string_view cseq_num) const {
    // FNV-1a: retransmissions, the ACK and the CANCEL of a request share
    // Call-ID and CSeq number, so they land in the same bucket.
    uint32_t h = 2166136261u;
    for (char c : call_id) h = (h ^ uint8_t(c)) * 16777619u;
    for (char c : cseq_num) h = (h ^ uint8_t(c)) * 16777619u;
    return h & (kBuckets - 1);
}

void Tm::link(Bucket& b, Transaction& t) {
    t.prev = nullptr;
    t.next = b.head;
    if (b.head) b.head->prev = &t;
    b.head = &t;
    ++b.count;
}

void Tm::unlink(Bucket& b, Transaction& t) {
    if (t.prev) t.prev->next = t.next;
    else b.head = t.next;
    if (t.next) t.next->prev = t.prev;
    t.prev = t.next = nullptr;
    --b.count;
}

void Tm::unref(Transaction& t) {
    if (t.refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    fire(t, api::kTmDestroy, nullptr, 0);
    delete &t;
}

Transaction* Tm::bound(const sip::Msg& msg) const {
    return slot_ >= 0 ? static_cast<Transaction*>(msg.slots[size_t(slot_)]) : nullptr;
}

void Tm::bind(sip::Msg& msg, Transaction* t) {
    if (slot_ < 0) return;
    auto* old = static_cast<Transaction*>(msg.slots[size_t(slot_)]);
    if (t) ref(*t);
    msg.slots[size_t(slot_)] = t;
    if (old) unref(*old);
}

void Tm::post_script(sip::Msg& msg) {
    // The transaction stays bound to the request for its script run only.
    bind(msg, nullptr);
}

void Tm::arm(Transaction& t, TimerEntry& e, uint64_t ms) {
    if (core().timers().arm(e, ms)) ref(t);
}

void Tm::disarm(Transaction& t, TimerEntry& e) {
    if (core().timers().disarm(e)) unref(t);
}

BranchId Tm::branch_id(const Transaction& t, int index) const {
    BranchId id;
    id.len = uint8_t(fmt::format_to_n(id.text, sizeof id.text, "z9hG4bK{:x}.{:x}.{}", t.hash, t.label, index).size);
    return id;
}

Transaction* Tm::find_by_branch(std::string_view br, int& index) {
    constexpr std::string_view kCookie = "z9hG4bK";
    if (br.size() <= kCookie.size() || br.substr(0, kCookie.size()) != kCookie) return nullptr;
    br.remove_prefix(kCookie.size());
    uint32_t h = 0, label = 0;
    unsigned idx = 0;
    const char* p = br.data();
    const char* e = p + br.size();
    auto r = std::from_chars(p, e, h, 16);
    if (r.ec != std::errc() || r.ptr == e || *r.ptr != '.') return nullptr;
    r = std::from_chars(r.ptr + 1, e, label, 16);
    if (r.ec != std::errc() || r.ptr == e || *r.ptr != '.') return nullptr;
    r = std::from_chars(r.ptr + 1, e, idx, 10);
    if (r.ec != std::errc() || r.ptr != e || h >= kBuckets || idx >= unsigned(kMaxBranches)) return nullptr;
    Bucket& b = bucket(h);
    std::lock_guard lk(b.mu);
    for (Transaction* t = b.head; t; t = t->next) {
        if (t->label == label && t->hash == h) {
            ref(*t);
            index = int(idx);
            return t;
        }
    }
    return nullptr;
}

Transaction* Tm::find_by_ident(uint32_t h, uint32_t label) {
    if (h >= kBuckets) return nullptr;
    Bucket& b = bucket(h);
    std::lock_guard lk(b.mu);
    for (Transaction* t = b.head; t; t = t->next) {
        if (t->label == label && t->hash == h && !t->deleted) {
            ref(*t);
            return t;
        }
    }
    return nullptr;
}

Transaction* Tm::find_local_invite(std::string_view call_id, std::string_view cseq_num) {
    const uint32_t h = hash_of(call_id, cseq_num);
    Bucket& b = bucket(h);
    std::lock_guard lk(b.mu);
    for (Transaction* t = b.head; t; t = t->next) {
        if (t->local && t->is_invite && !t->deleted && t->call_id == call_id && t->cseq_num == cseq_num) {
            ref(*t);
            return t;
        }
    }
    return nullptr;
}

uint64_t Tm::t2_ms() const { return retr_timer2_s > 0 ? uint64_t(retr_timer2_s) * 1000 : 4000; }

uint64_t Tm::retr_interval(bool invite, int step) const {
    // SER's retr_timer1p1..p3 when set; otherwise RFC 3261 T1 = 500 ms doubling.
    const uint64_t p1 = retr_timer1p1_s > 0 ? uint64_t(retr_timer1p1_s) * 1000 : 500;
    const uint64_t p2 = retr_timer1p2_s > 0 ? uint64_t(retr_timer1p2_s) * 1000 : 2 * p1;
    const uint64_t p3 = retr_timer1p3_s > 0 ? uint64_t(retr_timer1p3_s) * 1000 : 2 * p2;
    if (step == 0) return p1;
    if (step == 1) return p2;
    if (step == 2) return p3;
    // Timer A doubles without a cap for INVITE (RFC 3261 §17.1.1.2, bounded
    // by Timer B); Timer E is capped at T2 (§17.1.2.2).
    uint64_t v = p3;
    for (int i = 2; i < step && v < 64 * 1000; ++i) v *= 2;
    return invite ? v : std::min(v, t2_ms());
}

std::string Tm::hash_stats() const {
    size_t used = 0, total = 0, longest = 0;
    for (uint32_t i = 0; i < kBuckets; ++i) {
        uint32_t n = buckets_[i].count;   // a snapshot: read without the bucket locks
        if (n) ++used;
        total += n;
        longest = std::max<size_t>(longest, n);
    }
    return fmt::format("buckets: {}, used: {}, transactions: {}, longest chain: {}\n", kBuckets, used, total,
                       longest);
}

}  // namespace ser::mod::tm
