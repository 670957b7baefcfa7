// Timer callbacks (modules.md §3.9, RFC 3261 §17). Each armed timer holds
// a reference on its transaction; a callback ends by dropping it. State is
// checked under the transaction lock: a reply may have made a timer moot
// between its expiry and the callback.
#include "modules/tm/tm.hpp"
#include "ser/log.hpp"

namespace ser::mod::tm {

namespace {

Branch& branch_of(TimerEntry& e) { return *static_cast<Branch*>(static_cast<OwnedTimer&>(e).owner); }
Transaction& trans_of(TimerEntry& e) { return *static_cast<Transaction*>(static_cast<OwnedTimer&>(e).owner); }

// Drops the reference of the timer that fired, after the lock is released.
struct Fired {
    Transaction& t;
    ~Fired() { t.tm.unref(t); }
};

}  // namespace

void Tm::on_retr(TimerEntry& e, uint64_t) {
    Branch& b = branch_of(e);
    Transaction& t = *b.t;
    Fired fired{t};
    std::lock_guard tl(t.mu);
    if (t.deleted || b.final_status || (t.is_invite && b.last_received > 0)) return;
    Tm& tm = t.tm;
    if (tm.core().send(b.request.dst, b.request.data) < 0) {
        SER_ERR("tm: retransmission to {}:{} failed", b.request.dst.ip.to_string(), b.request.dst.port);
        tm.branch_final(t, b, 503, true);   // §3.9: a failed retransmission counts as 503
        return;
    }
    tm.retr_request_.inc();
    if (b.last_received > 0) {
        b.retr_interval_ms = tm.t2_ms();   // non-INVITE, Proceeding: every T2
    } else {
        b.retr_interval_ms = tm.retr_interval(t.is_invite, ++b.retr_step);
    }
    tm.arm(t, b.retr_timer, b.retr_interval_ms);
}

void Tm::on_fr(TimerEntry& e, uint64_t) {
    Branch& b = branch_of(e);
    Transaction& t = *b.t;
    Fired fired{t};
    std::lock_guard tl(t.mu);
    if (t.deleted || b.final_status) return;
    Tm& tm = t.tm;
    tm.disarm(t, b.retr_timer);
    // A branch that rang gets a CANCEL (RFC 3261 §16.8); all get a local 408.
    if (t.is_invite && b.last_received > 0) tm.cancel_branch(t, b);
    SER_DBG("tm: final response timer of branch {} expired", b.index);
    tm.branch_final(t, b, 408, true);
}

void Tm::on_cancel_retr(TimerEntry& e, uint64_t now) {
    Branch& b = branch_of(e);
    Transaction& t = *b.t;
    Fired fired{t};
    std::lock_guard tl(t.mu);
    if (t.deleted || b.cancel_replied || b.cancel.empty() || now >= b.cancel_deadline_ms) return;
    Tm& tm = t.tm;
    tm.core().send(b.request.dst, b.cancel);
    tm.retr_cancel_.inc();
    b.cancel_interval_ms = std::min(b.cancel_interval_ms * 2, tm.t2_ms());
    tm.arm(t, b.cancel_timer, b.cancel_interval_ms);
}

void Tm::on_uas_retr(TimerEntry& e, uint64_t) {
    Transaction& t = trans_of(e);
    Fired fired{t};
    std::lock_guard tl(t.mu);
    if (t.deleted || t.waiting || t.uas_reply.empty()) return;
    Tm& tm = t.tm;
    tm.core().send(t.uas_dst, t.uas_reply);   // Timer G: T1 doubling up to T2
    tm.retr_reply_.inc();
    t.uas_retr_interval_ms = std::min(t.uas_retr_interval_ms * 2, tm.t2_ms());
    tm.arm(t, t.uas_retr_timer, t.uas_retr_interval_ms);
}

void Tm::on_uas_fr(TimerEntry& e, uint64_t) {
    Transaction& t = trans_of(e);
    Fired fired{t};
    std::lock_guard tl(t.mu);
    if (t.deleted) return;
    SER_DBG("tm: no ACK for the final reply {}: giving up", t.uas_status);   // Timer H
    t.tm.put_on_wait(t);
}

void Tm::on_wait(TimerEntry& e, uint64_t) {
    Transaction& t = trans_of(e);
    Fired fired{t};
    t.tm.remove(t);
}

}  // namespace ser::mod::tm
