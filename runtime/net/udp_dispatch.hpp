// UDP workers that keep a call's messages in order and still use every
// core for one busy peer. Each worker reads its own SO_REUSEPORT socket
// (the kernel spreads peers over them) and processes what it reads itself
// while it keeps up. A reader that falls behind (a full receive batch: a
// trunk or an upstream SBC is a single peer landing on a single socket)
// spreads its datagrams by Call-ID (so does a reader whose messages wait on
// a database: InlineCost): each goes to the worker its Call-ID
// hashes to, inline when that is the reader itself, otherwise to that
// worker's queue; it goes on spreading until every datagram it handed off
// has been processed. Messages of one call from one peer are thus handled
// in arrival order (a 180 never overtakes its 200) in both modes: a reader
// only goes back to processing everything itself once nothing it handed
// off is still queued or running elsewhere.
// Processing inline while the load is light saves the hand-off's copy and
// the other worker's wake-up (an eventfd write and a context switch), which
// cost more than the SIP work of a message.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "ser/sip/msg.hpp"

namespace ser::rt {

// Hash of the Call-ID value found by a light scan of the header lines
// (long or compact form); 0 when there is none (then the reader keeps it).
uint32_t call_id_hash(std::string_view datagram);

// The worker (of `workers`) that handles a datagram with that hash; `self`
// (the reader) when there is no Call-ID.
inline size_t worker_for(uint32_t hash, size_t workers, size_t self) {
    return hash ? (hash ^ (hash >> 16)) % workers : self;
}

class UdpInbox;

struct UdpItem {
    std::unique_ptr<char[]> buf;
    size_t len = 0;
    sip::RecvInfo rcv;
    UdpInbox* origin = nullptr;   // the reader that handed it off
};

// Wall time per message that a reader spends on what it processes itself,
// averaged over its recent batches. A message that waits (a database query
// of auth_db or usrloc, a DNS lookup) keeps its reader from reading: while
// that is the case the reader spreads even when it is not behind, so the
// other workers take their share and the waits overlap.
class InlineCost {
public:
    static constexpr uint64_t kWaitingNs = 40'000;   // far above SIP work alone
    void add(uint64_t ns, size_t messages) {
        const auto per = int64_t(ns / messages);
        avg_ns_ += (per - avg_ns_) / 8;
    }
    bool waiting() const { return avg_ns_ > int64_t(kWaitingNs); }

private:
    int64_t avg_ns_ = 0;
};

// A reader's choice for one receive batch of `n` datagrams (of at most
// `batch_max`), with `in_flight` of its earlier hand-offs not yet processed
// and `waiting` from its InlineCost: spread by Call-ID, or process the whole
// batch itself.
inline bool spread_batch(size_t workers, size_t n, size_t batch_max, size_t in_flight, bool waiting) {
    return workers > 1 && (n >= batch_max || in_flight > 0 || waiting);
}

class UdpInbox {
public:
    UdpInbox();
    ~UdpInbox();
    UdpInbox(const UdpInbox&) = delete;
    UdpInbox& operator=(const UdpInbox&) = delete;

    // From another worker (`origin`, whose in_flight() grows by one until the
    // owner calls done(item)): queues a copy of the datagram, wakes the owner.
    void push(const char* data, size_t len, const sip::RecvInfo& rcv, UdpInbox& origin);
    // Owner, after processing an item taken from here.
    static void done(const UdpItem& item) { item.origin->in_flight_.fetch_sub(1, std::memory_order_release); }
    // This worker's hand-offs not yet processed by their targets.
    size_t in_flight() const { return in_flight_.load(std::memory_order_acquire); }
    // Owner: takes everything queued (swapped out, no copy).
    void take(std::vector<UdpItem>& out);
    // Owner's wake-up descriptor (an eventfd) and its sleep flag.
    int fd() const { return efd_; }
    void set_sleeping(bool s) { sleeping_.store(s, std::memory_order_seq_cst); }
    bool empty();
    size_t size();   // datagrams waiting (a scrape's queue depth)
    void wake();

private:
    std::mutex mu_;
    std::vector<UdpItem> items_;
    int efd_ = -1;
    std::atomic<bool> sleeping_{false};
    // Written by the other workers (done): on a line of its own.
    alignas(64) std::atomic<size_t> in_flight_{0};
};

}  // namespace ser::rt
