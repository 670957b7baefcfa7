// UDP workers that keep a call's messages in order and still use every
// core for one busy peer. Each worker reads its own SO_REUSEPORT socket
// (the kernel spreads peers over them), and a datagram is processed by the
// worker its Call-ID hashes to: inline when that is the reader itself,
// otherwise handed to that worker's queue. All messages of one call from
// one peer thus go through one worker in arrival order (a 180 never
// overtakes its 200), while a trunk or an upstream SBC, which is a single
// peer landing on a single socket, is spread over all workers.
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

struct UdpItem {
    std::unique_ptr<char[]> buf;
    size_t len = 0;
    sip::RecvInfo rcv;
};

class UdpInbox {
public:
    UdpInbox();
    ~UdpInbox();
    UdpInbox(const UdpInbox&) = delete;
    UdpInbox& operator=(const UdpInbox&) = delete;

    // From another worker: queues a copy of the datagram, wakes the owner.
    void push(const char* data, size_t len, const sip::RecvInfo& rcv);
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
};

}  // namespace ser::rt
