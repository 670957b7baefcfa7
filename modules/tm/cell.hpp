// A transaction (SER's "cell"): the stored request, the server side
// (upstream: last reply, its retransmission) and up to kMaxBranches client
// branches (downstream: the request sent, its retransmission and final
// response timers, the replies received). Shared by the workers and the
// timer thread; everything mutable is guarded by `mu`, except the fields
// fixed before the transaction is published in the table.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "ser/api/tm.hpp"
#include "ser/core.hpp"
#include "ser/sip/msg.hpp"
#include "ser/timer.hpp"

namespace ser::mod::tm {

class Tm;
struct Transaction;

inline constexpr int kMaxBranches = 12;   // SER's MAX_BRANCHES

// A timer that knows its owner (a Branch or a Transaction).
struct OwnedTimer : TimerEntry {
    void* owner = nullptr;
};

// A final-response or deletion timer (Timer B/F/H/D/K and the wait timer):
// it may fire up to 100 ms late (SER's timers ticked once a second), so one
// wake-up of the timer thread serves every such timer due within that time.
// Retransmission timers stay OwnedTimer, exact to the millisecond.
struct LazyTimer : OwnedTimer {
    LazyTimer() { slack_ms = 100; }
};

struct Branch {
    Transaction* t = nullptr;
    int index = 0;
    std::string uri;            // Request-URI of this branch
    OutRequest request;         // bytes sent and where
    bool sent = false;
    bool blind = false;         // t_write_*: no request on the wire, only the FR timer

    int last_received = 0;      // highest reply status received (0 = none)
    int final_status = 0;       // final status of the branch (received or local), 0 = pending
    bool local_final = false;   // 408 / 487 / 503 recorded by tm
    std::unique_ptr<sip::Msg> reply;   // the final reply received (best-reply selection)
    std::string reply_to_header;       // To of that reply (for the hop-by-hop ACK)
    std::string ack;            // hop-by-hop ACK sent for a negative final (re-sent on its retransmission)

    std::string cancel;         // CANCEL sent on this branch ("" = none)
    bool cancel_replied = false;
    bool cancel_wanted = false; // cancelled before any provisional: CANCEL when one arrives (RFC 3261 §9.1)
    uint64_t cancel_deadline_ms = 0;

    uint64_t retr_interval_ms = 0;
    int retr_step = 0;          // retransmissions sent so far
    OwnedTimer retr_timer;      // request retransmission (RFC 3261 Timer A / E)
    LazyTimer fr_timer;         // final response timer (Timer B / F; fr_inv_timer after a provisional)
    OwnedTimer cancel_timer;    // retransmission of our CANCEL
    uint64_t cancel_interval_ms = 0;
};

struct Callback {
    unsigned events;
    api::TmCallback fn;
};

struct Transaction {
    explicit Transaction(Tm& owner) : tm(owner) {}
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    Tm& tm;
    std::atomic<int> refs{1};          // the table's reference
    std::recursive_mutex mu;           // the "reply lock"; routes run under it

    // ---- fixed before publication (read without the lock)
    uint32_t hash = 0, label = 0;
    Transaction* prev = nullptr;       // bucket list, guarded by the bucket lock
    Transaction* next = nullptr;
    std::unique_ptr<sip::Msg> req;     // frozen copy of the request as received + routing state
    sip::Method method = sip::Method::Other;
    bool is_invite = false;
    bool is_cancel = false;
    bool local = false;                // t_uac: no upstream
    std::string_view via_branch;       // matching keys, views into req's buffer
    std::string_view via_host, via_port, via_transport;
    std::string_view call_id, cseq_num, from_tag;
    api::TmCallback uac_done;          // t_uac completion

    // ---- guarded by mu
    std::atomic<uint32_t> flags{0};    // request flags (onreply/failure routes read and write them)
    int on_reply = 0, on_failure = 0;  // armed route numbers (0 = none)
    bool replicate = false;            // t_replicate: replies absorbed, no error reply

    Destination uas_dst;               // where replies go upstream
    std::string uas_reply;             // last reply sent upstream (re-sent on request retransmission)
    int uas_status = 0;                // its status (0 = none)
    bool uas_local = false;            // that reply was made by tm (t_reply / local 408 ...)
    std::string to_tag;                // tm's To-tag when it replied itself with >= 180
    uint64_t uas_retr_interval_ms = 0;
    OwnedTimer uas_retr_timer;         // negative / local 2xx reply retransmission (Timer G)
    LazyTimer uas_fr_timer;            // waiting for the ACK (Timer H)
    LazyTimer wait_timer;              // completed: absorb retransmissions (Timer D/I/K), then delete

    boost::container::small_vector<std::unique_ptr<Branch>, 2> branches;   // inline: no allocation for the usual one or two
    int relayed_best = 0;              // status picked for the last failure handling
    bool completed = false;            // a final reply went upstream (or local t_uac finished)
    bool in_failure_route = false;
    bool waiting = false;              // on the wait timer
    bool deleted = false;              // removed from the table
    std::vector<Callback> callbacks;

    bool has_final_upstream() const { return uas_status >= 200; }
};

}  // namespace ser::mod::tm
