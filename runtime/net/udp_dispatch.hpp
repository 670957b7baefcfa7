// UDP workers that keep a call's messages in order and still use every
// core for one busy peer. Each worker reads its own SO_REUSEPORT socket
// (the kernel spreads peers over them; a trunk or an upstream SBC is a
// single peer landing on a single socket). A reader is in one of three
// modes, chosen per receive batch:
//  - inline, while it keeps up: it processes what it reads itself;
//  - spread, when it falls behind (a full receive batch) and until all it
//    handed off has been processed: each datagram goes to the worker its
//    Call-ID hashes to, inline when that is the reader itself, otherwise to
//    that worker's queue;
//  - shared, while its messages wait outside the process (a database query
//    of auth_db or usrloc, a DNS lookup, an exec() command; see
//    WaitAverage): the reader no longer processes inline but queues every
//    datagram by Call-ID, its own share included, and the other workers may
//    read its socket too (it is added to their epoll sets), so a reader
//    blocked in a query does not leave its socket unread. Reads and the
//    queueing of what was read happen under the socket's read lock, so
//    every queue receives a socket's datagrams in the socket's order.
// Messages of one call from one peer are thus handled in arrival order in
// every mode: a reader only processes inline again once nothing read from
// its socket is still queued or running elsewhere.
// Processing inline while the load is light saves the hand-off's copy and
// the other worker's wake-up (an eventfd write and a context switch), which
// cost more than the SIP work of a message.
#pragma once

#include <atomic>
#include <chrono>
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
    UdpInbox* origin = nullptr;   // of the worker whose socket it was read from
};

// Time per message that a worker's messages spent waiting outside the process
// (a database query of auth_db or usrloc, a DNS lookup, an exec() command:
// counted by ser/wait.hpp), averaged over its recent batches. Such waits keep
// a reader from reading: while its messages wait, the reader shares its
// socket (ReadMode::Shared), so the other workers read and take their share
// meanwhile.
class WaitAverage {
public:
    static constexpr uint64_t kWaitingNs = 20'000;   // a query on every few messages
    void add(uint64_t ns, size_t messages) {
        const auto per = int64_t(ns / messages);
        avg_ns_ += (per - avg_ns_) / 8;
    }
    bool waiting() const { return avg_ns_ > int64_t(kWaitingNs); }

private:
    int64_t avg_ns_ = 0;
};

enum class ReadMode { Inline, Spread, Shared };

// A reader's mode for its next receive batch of `n` datagrams (of at most
// `batch_max`), with `in_flight` datagrams read from its socket and not yet
// processed, `waiting` from its WaitAverage and `was_shared` its last mode.
inline ReadMode read_mode(size_t workers, size_t n, size_t batch_max, size_t in_flight, bool waiting,
                          bool was_shared) {
    if (workers < 2) return ReadMode::Inline;
    // Shared mode queues the reader's own share: it lasts until that queue
    // and every other is drained of this socket's datagrams.
    if (waiting || (was_shared && in_flight > 0)) return ReadMode::Shared;
    if (n >= batch_max || in_flight > 0) return ReadMode::Spread;
    return ReadMode::Inline;
}

class UdpInbox {
public:
    explicit UdpInbox(size_t worker = 0);
    ~UdpInbox();
    UdpInbox(const UdpInbox&) = delete;
    UdpInbox& operator=(const UdpInbox&) = delete;

    // Datagrams a queue holds at most: beyond, a worker is overloaded and
    // the datagram is dropped, as a full socket buffer would drop it (the
    // sender retransmits), instead of memory and delay growing without bound.
    static constexpr size_t kMaxQueued = 4096;

    // From any worker, for the datagram read from the socket of `origin`
    // (whose in_flight() grows by one until the owner calls done(item)):
    // queues a copy, wakes the owner. False when the queue is full: the
    // datagram is dropped, counted, and logged at most once a second.
    bool push(const char* data, size_t len, const sip::RecvInfo& rcv, UdpInbox& origin);
    // Owner, after processing an item taken from here.
    static void done(const UdpItem& item) { item.origin->in_flight_.fetch_sub(1, std::memory_order_release); }
    // Datagrams read from this worker's socket and queued, not yet processed.
    size_t in_flight() const { return in_flight_.load(std::memory_order_acquire); }
    // Owner: takes everything queued (swapped out, no copy).
    void take(std::vector<UdpItem>& out);
    // Owner's wake-up descriptor (an eventfd) and its sleep flag.
    int fd() const { return efd_; }
    void set_sleeping(bool s) { sleeping_.store(s, std::memory_order_seq_cst); }
    bool empty();
    size_t size();   // datagrams waiting (a scrape's queue depth)
    uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }   // full-queue drops
    void wake();

private:
    std::mutex mu_;
    std::vector<UdpItem> items_;
    int efd_ = -1;
    std::atomic<bool> sleeping_{false};
    std::atomic<uint64_t> dropped_{0};
    size_t worker_;                                        // whose queue (for the log)
    std::chrono::steady_clock::time_point last_drop_log_;   // under mu_
    // Written by the other workers (done): on a line of its own.
    alignas(64) std::atomic<size_t> in_flight_{0};
};

// A worker's socket as every worker sees it (shared mode).
struct UdpReader {
    sip::RecvInfo rcv;                  // the receiving side of what it reads (proto, dst_*, socket)
    int fd = -1;
    int ep = -1;                        // its epoll set (the others' shared sockets are added to it)
    std::mutex read_mu;                 // held while reading and queueing what was read
    std::atomic<bool> shared{false};    // set and cleared by the owner only, under read_mu
};

}  // namespace ser::rt
