// tm: stateful SIP transactions (modules.md §3, RFC 3261 §16-17). The
// transaction table is shared by every worker and the timer thread; each
// transaction has its own lock and reference count, buckets have their
// own locks (no table-wide lock). Memory is allocated per transaction and
// returned when its wait timer ends.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "modules/tm/cell.hpp"
#include "modules/tm/twrite.hpp"
#include "ser/api/tm.hpp"
#include "ser/metrics.hpp"
#include "ser/module.hpp"

namespace ser::mod::tm {

// Counters of t_stats.
struct Stats {
    std::atomic<long> current{0}, waiting{0}, total{0}, local{0}, replied_locally{0};
    std::array<std::atomic<long>, 7> completed{};   // by class 0..6 (index 2..6 used)
};

// The Via branch of one of our branches ("z9hG4bK<hash>.<label>.<index>",
// at most 27 characters): built on the stack, no allocation per branch.
struct BranchId {
    char text[32];
    uint8_t len = 0;
    std::string_view view() const { return {text, len}; }
};

class Tm : public Module, public api::TmApi {
public:
    // ---- modparams (seconds, as SER; the retransmission ones in RFC 3261
    // terms when left unset: T1 = 500 ms doubling, T2 = 4 s)
    int fr_timer_s = 30;
    int fr_inv_timer_s = 120;
    int wt_timer_s = 5;
    int delete_timer_s = 2;
    int retr_timer1p1_s = 0, retr_timer1p2_s = 0, retr_timer1p3_s = 0, retr_timer2_s = 0;   // 0 = RFC default
    int noisy_ctimer = 0;
    bool ruri_matching = true;
    bool via1_matching = true;
    std::string uac_from = "sip:foo@foo.bar";
    int unix_tx_timeout_s = 2;
    bool restart_fr_on_each_reply = true;
    std::string fr_timer_avp = "callee_fr_timer";
    std::string fr_inv_timer_avp = "callee_fr_inv_timer";
    std::vector<std::unique_ptr<TwAppend>> tw_append;

    Tm();
    ~Tm() override;

    bool init(Core& core) override;
    void destroy() override;
    bool on_reply(sip::Msg& reply) override;
    void post_script(sip::Msg& msg) override;

    // ---- script functions (modules.md §3.2); return SER's codes
    int t_newtran(sip::Msg& msg);
    int t_relay(sip::Msg& msg, const ForwardTarget* fixed);
    int t_forward_nonack(sip::Msg& msg, const ForwardTarget* fixed);
    int t_replicate(sip::Msg& msg, const ForwardTarget& fixed);
    int t_reply(sip::Msg& msg, int code, std::string_view reason);
    int t_lookup_request(sip::Msg& msg);
    int t_retransmit_reply(sip::Msg& msg);
    int t_release(sip::Msg& msg);
    int t_on_reply(sip::Msg& msg, int n);
    int t_on_failure(sip::Msg& msg, int n);
    int t_check_status(sip::Msg& msg, const void* regex);
    // t_write_req / t_write_unix (twrite.cpp).
    int t_write(sip::Msg& msg, const TwInfo& info, const std::string& dest, bool unix_socket);

    // ---- TmApi
    int t_uac(const api::UacRequest& r, api::TmCallback done) override;
    bool register_global_callback(unsigned events, api::TmCallback cb) override;
    bool register_callback(sip::Msg& msg, unsigned events, api::TmCallback cb) override;
    int reply_status(sip::Msg& msg) override;

    // ---- internals shared by the tm files
    void ref(Transaction& t) { t.refs.fetch_add(1, std::memory_order_relaxed); }
    void unref(Transaction& t);
    Transaction* bound(const sip::Msg& msg) const;
    void bind(sip::Msg& msg, Transaction* t);
    void arm(Transaction& t, TimerEntry& e, uint64_t ms);
    void disarm(Transaction& t, TimerEntry& e);
    uint64_t retr_interval(bool invite, int step) const;
    uint64_t t2_ms() const;

    const Stats& stats() const { return stats_; }
    std::string hash_stats() const;
    size_t transactions() const { return size_t(stats_.current.load()); }

    // Table (table.cpp).
    static constexpr uint32_t kBuckets = 1u << 14;
    uint32_t hash_of(std::string_view call_id, std::string_view cseq_num) const;
    struct Bucket {
        std::mutex mu;
        Transaction* head = nullptr;
        uint32_t count = 0;
    };
    Bucket& bucket(uint32_t h) { return buckets_[h & (kBuckets - 1)]; }
    void link(Bucket& b, Transaction& t);      // bucket lock held
    void unlink(Bucket& b, Transaction& t);    // bucket lock held
    // The transaction a reply's top Via branch names (referenced), or null.
    Transaction* find_by_branch(std::string_view branch, int& branch_index);
    // By SER's identity "hash:label" (FIFO t_reply), referenced, or null.
    Transaction* find_by_ident(uint32_t hash, uint32_t label);
    // A pending INVITE of our own by Call-ID and CSeq number (FIFO
    // t_uac_cancel), referenced, or null.
    Transaction* find_local_invite(std::string_view call_id, std::string_view cseq_num);
    // A reply made by the management interface (FIFO t_reply): the given
    // To-tag, extra header lines and body. t.mu held.
    int reply_with(Transaction& t, int code, std::string_view reason, std::string_view to_tag,
                   std::string_view headers, std::string_view body);

    // Matching (match.cpp): bucket lock held.
    enum class Match { None, Retransmission, E2eAck };
    Transaction* match_request(Bucket& b, const sip::Msg& msg, Match& kind) const;
    Transaction* match_cancelled_invite(Bucket& b, const sip::Msg& cancel) const;

    // Upstream side (uas.cpp).
    int send_upstream(Transaction& t, std::string data, int code, bool local);   // t.mu held
    int reply_locally(Transaction& t, sip::Msg& req, int code, std::string_view reason);   // t.mu held
    std::string local_to_tag(const sip::Msg& req) const;
    void complete(Transaction& t, int code);    // t.mu held: a final went upstream
    void put_on_wait(Transaction& t);            // t.mu held
    void release_for_ack(Transaction& t);        // t.mu held: ACK for a negative final

    // Downstream side (relay.cpp).
    int add_branch(Transaction& t, sip::Msg& msg, const ForwardTarget& target);   // t.mu held; index or < 0
    int send_branches(Transaction& t, int from);  // t.mu held; number sent
    void cancel_branch(Transaction& t, Branch& b);    // t.mu held
    void cancel_pending(Transaction& t, int except);  // t.mu held
    // CANCEL or ACK for a branch: request line, Via, From, To (the reply's
    // for an ACK), Call-ID, CSeq number and Route set of the request sent.
    std::string build_hop_request(const Branch& b, std::string_view method, const sip::Msg* reply) const;
    std::string build_cancel(const Transaction& t, const Branch& b) const;
    std::string build_ack(const Transaction& t, const Branch& b, const sip::Msg& reply) const;
    BranchId branch_id(const Transaction& t, int index) const;

    // Replies (reply.cpp).
    void branch_final(Transaction& t, Branch& b, int code, bool local);   // t.mu held
    void all_final(Transaction& t);    // t.mu held: pick the best reply, failure route, relay
    void finish_local(Transaction& t, const sip::Msg* reply, int code);   // t_uac done (t.mu held)

    // Timers (timers.cpp).
    static void on_retr(TimerEntry& e, uint64_t now);
    static void on_fr(TimerEntry& e, uint64_t now);
    static void on_cancel_retr(TimerEntry& e, uint64_t now);
    static void on_uas_retr(TimerEntry& e, uint64_t now);
    static void on_uas_fr(TimerEntry& e, uint64_t now);
    static void on_wait(TimerEntry& e, uint64_t now);
    void start_branch_timers(Transaction& t, Branch& b);
    void remove(Transaction& t);   // wait timer ended: out of the table, timers stopped

    void fire(Transaction& t, unsigned event, const sip::Msg* reply, int code);
    // Route numbers armed before t_newtran (kept in a message slot).
    void set_pending(sip::Msg& msg, int on_reply, int on_failure);
    void take_pending(sip::Msg& msg, Transaction& t);
    int relay_reply(Transaction& t, sip::Msg& reply);   // t.mu held: forward upstream
    void handle_cancel(Transaction& cancel_t, sip::Msg& cancel);
    std::string user_agent() const;

    Stats stats_;
    // Metrics (metrics.cpp): the Stats above at scrape time, and these.
    void register_metrics(Core& core);
    metrics::Counter retr_request_, retr_reply_, retr_cancel_, absorbed_;

private:
    Transaction* create(sip::Msg& msg, Bucket& b, uint32_t h);   // bucket lock held

    int slot_ = -1;           // Msg::slots: the transaction bound to the message
    int pending_slot_ = -1;   // Msg::slots: t_on_reply/t_on_failure armed before the transaction exists
    std::string tag_prefix_;
    std::atomic<uint32_t> next_label_{0};
    std::unique_ptr<Bucket[]> buckets_;
    std::mutex global_cb_mu_;
    std::vector<Callback> global_callbacks_;
};

// "<text> (<n>/TM)" error replies of t_relay (modules.md §3.4 step 6).
struct ErrorReply {
    int code;
    std::string reason;
};
ErrorReply error_reply(int ser_error);
// The reason phrase of a reply tm makes itself (408, 487, 500, 503).
const char* standard_reason(int code);

}  // namespace ser::mod::tm
