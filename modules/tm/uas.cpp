// The server side of a transaction: creation (t_newtran), retransmission
// absorption, replies sent upstream and their retransmission, completion
// and the wait state (modules.md §3.3, §3.9, §3.10).
#include <fmt/format.h>

#include "modules/tm/tm.hpp"
#include "ser/log.hpp"
#include "ser/sip/dset.hpp"
#include "ser/tags.hpp"

namespace ser::mod::tm {

namespace {
constexpr int kErrAlreadyInProcess = -10;   // E_SCRIPT: t_newtran/t_relay twice in one run
constexpr int kErrBadVia = -8;
}  // namespace

std::string Tm::local_to_tag(const sip::Msg& req) const { return make_tag(tag_prefix_, '-', req); }

std::string Tm::user_agent() const {
    const std::string& s = core().settings().server_header;   // "Server: ..."
    return s.size() > 8 ? "User-Agent: " + s.substr(8) + "\r\n" : std::string();
}

void Tm::set_pending(sip::Msg& msg, int on_reply, int on_failure) {
    if (pending_slot_ < 0) return;
    auto v = reinterpret_cast<uintptr_t>(msg.slots[size_t(pending_slot_)]);
    int r = int(v & 0xff), f = int((v >> 8) & 0xff);
    if (on_reply >= 0) r = on_reply;
    if (on_failure >= 0) f = on_failure;
    msg.slots[size_t(pending_slot_)] = reinterpret_cast<void*>(uintptr_t(r) | (uintptr_t(f) << 8));
}

void Tm::take_pending(sip::Msg& msg, Transaction& t) {
    if (pending_slot_ < 0) return;
    auto v = reinterpret_cast<uintptr_t>(msg.slots[size_t(pending_slot_)]);
    t.on_reply = int(v & 0xff);
    t.on_failure = int((v >> 8) & 0xff);
    msg.slots[size_t(pending_slot_)] = nullptr;
}

Transaction* Tm::create(sip::Msg& msg, Bucket& b, uint32_t h) {
    auto* t = new Transaction(*this);
    t->uas_retr_timer.fire = &Tm::on_uas_retr;
    t->uas_fr_timer.fire = &Tm::on_uas_fr;
    t->wait_timer.fire = &Tm::on_wait;
    t->uas_retr_timer.owner = t->uas_fr_timer.owner = t->wait_timer.owner = t;
    t->hash = h;
    t->label = next_label_.fetch_add(1, std::memory_order_relaxed);
    t->req = msg.clone();
    t->req->branches.clear();   // the destination set belongs to this script run
    t->req->freeze();           // read by several threads from now on
    const sip::Msg& r = *t->req;
    t->method = r.method_id();
    t->is_invite = t->method == sip::Method::Invite;
    t->is_cancel = t->method == sip::Method::Cancel;
    const sip::ViaBody* v = r.via1();
    if (v->branch) t->via_branch = *v->branch;
    t->via_host = v->host;
    t->via_port = v->port_text;
    t->via_transport = v->transport;
    t->call_id = r.call_id();
    t->cseq_num = r.cseq()->number;
    if (const sip::NameAddr* f = r.from(); f && f->tag) t->from_tag = *f->tag;
    t->flags = msg.flags;
    take_pending(msg, *t);
    if (!core().local_reply_destination(*t->req, t->uas_dst)) {
        delete t;
        return nullptr;
    }
    // Replies go back from the socket the request came in on.
    if (!t->uas_dst.send_socket) t->uas_dst.send_socket = static_cast<const SocketInfo*>(msg.rcv.socket);
    link(b, *t);
    stats_.current.fetch_add(1, std::memory_order_relaxed);
    stats_.total.fetch_add(1, std::memory_order_relaxed);
    return t;
}

int Tm::t_newtran(sip::Msg& msg) {
    if (bound(msg)) {
        SER_ERR("tm: transaction already in process for this request");
        return kErrAlreadyInProcess;
    }
    if (!msg.is_request()) return -1;
    const sip::CSeq* cs = msg.cseq();
    if (!msg.via1() || !cs || msg.call_id().empty() || !msg.from() || !msg.to()) {
        SER_ERR("tm: transaction tuple incomplete");
        return E_BAD_TUPEL;
    }
    if (!msg.freeze()) return E_BAD_REQ;
    const uint32_t h = hash_of(msg.call_id(), cs->number);
    Bucket& b = bucket(h);
    Transaction* t = nullptr;
    Match kind;
    {
        std::unique_lock lk(b.mu);
        t = match_request(b, msg, kind);
        if (t) {
            ref(*t);
        } else if (msg.method_id() != sip::Method::Ack) {
            t = create(msg, b, h);
            if (!t) return kErrBadVia;
            ref(*t);   // ours until bound
            lk.unlock();
            bind(msg, t);
            unref(*t);
            fire(*t, api::kTmRequestIn, nullptr, 0);
            return 1;
        }
    }
    if (!t) return 1;   // an ACK that matches nothing: no state, forwarded statelessly
    if (kind == Match::E2eAck) {
        unref(*t);
        return 1;       // ACK for a proxied 2xx: end to end
    }
    if (msg.method_id() != sip::Method::Ack) absorbed_.inc();
    {
        std::lock_guard tl(t->mu);
        if (msg.method_id() == sip::Method::Ack) {
            release_for_ack(*t);
        } else if (!t->uas_reply.empty() && !t->deleted) {
            SER_DBG("tm: request retransmission, re-sending the last reply ({})", t->uas_status);
            core().send(t->uas_dst, t->uas_reply);
        }
    }
    unref(*t);
    return 0;
}

int Tm::send_upstream(Transaction& t, std::string data, int code, bool local) {
    t.uas_reply = std::move(data);
    t.uas_status = code;
    t.uas_local = local;
    int r = 1;
    if (!t.local && !t.replicate) r = core().send(t.uas_dst, t.uas_reply);
    if (code >= 200) complete(t, code);
    return r;
}

int Tm::reply_locally(Transaction& t, sip::Msg& req, int code, std::string_view reason) {
    if (t.has_final_upstream()) {
        SER_ERR("tm: can't generate a {} reply when a final {} was sent out", code, t.uas_status);
        return -1;
    }
    std::string tag;
    const sip::NameAddr* to = req.to();
    if (code >= 180 && to && !to->tag) {
        if (t.to_tag.empty()) t.to_tag = local_to_tag(req);
        tag = t.to_tag;
    }
    // A redirect lists the destination set, as sl does (core-runtime §5).
    std::string contact;
    if (code >= 300 && code < 400) contact = sip::print_dset(req);
    LocalReply r;
    r.code = code;
    r.reason = reason;
    r.to_tag = tag;
    r.extra_headers = contact;
    std::string data = core().build_local_reply(req, r);
    if (code >= 200) stats_.replied_locally.fetch_add(1, std::memory_order_relaxed);
    return send_upstream(t, std::move(data), code, true);
}

int Tm::reply_with(Transaction& t, int code, std::string_view reason, std::string_view to_tag,
                   std::string_view headers, std::string_view body) {
    if (t.local || !t.req) return -1;
    if (t.has_final_upstream()) {
        SER_ERR("tm: can't generate a {} reply when a final {} was sent out", code, t.uas_status);
        return -1;
    }
    const sip::NameAddr* to = t.req->to();
    LocalReply r;
    r.code = code;
    r.reason = reason;
    r.to_tag = to && !to->tag ? to_tag : std::string_view();
    r.extra_headers = headers;
    r.body = body;
    std::string data = core().build_local_reply(*t.req, r);
    if (code >= 200) stats_.replied_locally.fetch_add(1, std::memory_order_relaxed);
    return send_upstream(t, std::move(data), code, true);
}

void Tm::complete(Transaction& t, int code) {
    if (t.completed) return;
    t.completed = true;
    stats_.completed[size_t(std::min(code / 100, 6))].fetch_add(1, std::memory_order_relaxed);
    fire(t, api::kTmResponseOut, nullptr, code);
    // A final reply ends the other branches: CANCEL those that rang (§3.10).
    if (t.is_invite) cancel_pending(t, -1);
    for (auto& b : t.branches) {
        disarm(t, b->retr_timer);
        if (b->final_status == 0 && !b->cancel_wanted) disarm(t, b->fr_timer);
    }
    const bool udp = t.uas_dst.proto == PROTO_UDP;
    if (t.is_invite && (code >= 300 || t.uas_local) && !t.local) {
        // Wait for the ACK: retransmit the reply over UDP (Timer G), give up
        // after fr_timer (Timer H).
        if (udp) {
            t.uas_retr_interval_ms = retr_interval(false, 0);
            arm(t, t.uas_retr_timer, t.uas_retr_interval_ms);
        }
        arm(t, t.uas_fr_timer, uint64_t(fr_timer_s) * 1000);
        return;
    }
    put_on_wait(t);
}

void Tm::release_for_ack(Transaction& t) {
    disarm(t, t.uas_retr_timer);
    disarm(t, t.uas_fr_timer);
    if (t.completed) put_on_wait(t);
}

void Tm::put_on_wait(Transaction& t) {
    if (t.waiting || t.deleted) return;
    t.waiting = true;
    stats_.waiting.fetch_add(1, std::memory_order_relaxed);
    disarm(t, t.uas_retr_timer);
    disarm(t, t.uas_fr_timer);
    arm(t, t.wait_timer, uint64_t(wt_timer_s) * 1000);
}

void Tm::remove(Transaction& t) {
    {
        Bucket& b = bucket(t.hash);
        std::lock_guard lk(b.mu);
        if (t.deleted) return;
        unlink(b, t);
        t.deleted = true;
    }
    {
        std::lock_guard tl(t.mu);
        for (auto& b : t.branches) {
            disarm(t, b->retr_timer);
            disarm(t, b->fr_timer);
            disarm(t, b->cancel_timer);
        }
        disarm(t, t.uas_retr_timer);
        disarm(t, t.uas_fr_timer);
        disarm(t, t.wait_timer);
    }
    stats_.current.fetch_sub(1, std::memory_order_relaxed);
    if (t.waiting) stats_.waiting.fetch_sub(1, std::memory_order_relaxed);
    unref(t);   // the table's reference
}

int Tm::t_reply(sip::Msg& msg, int code, std::string_view reason) {
    Transaction* t = bound(msg);
    if (!t) {
        SER_ERR("tm: t_reply: no transaction (t_newtran or t_relay first)");
        return -1;
    }
    if (msg.method_id() == sip::Method::Ack) {
        SER_ERR("tm: t_reply: no reply to an ACK");
        return -1;
    }
    std::lock_guard tl(t->mu);
    return reply_locally(*t, msg, code, reason) >= 0 ? 1 : -1;
}

int Tm::t_retransmit_reply(sip::Msg& msg) {
    Transaction* t = bound(msg);
    if (!t) return -1;
    std::lock_guard tl(t->mu);
    if (t->uas_reply.empty()) return -1;
    return core().send(t->uas_dst, t->uas_reply) >= 0 ? 1 : -1;
}

int Tm::t_lookup_request(sip::Msg& msg) {
    const sip::CSeq* cs = msg.cseq();
    if (!msg.is_request() || !cs || !msg.via1()) return -1;
    Bucket& b = bucket(hash_of(msg.call_id(), cs->number));
    std::lock_guard lk(b.mu);
    Match kind;
    return match_request(b, msg, kind) && kind == Match::Retransmission ? 1 : -1;
}

int Tm::t_release(sip::Msg& msg) {
    if (Transaction* t = bound(msg)) {
        std::lock_guard tl(t->mu);
        put_on_wait(*t);
    }
    return 1;
}

int Tm::reply_status(sip::Msg& msg) {
    Transaction* t = bound(msg);
    if (!t) return -1;
    std::lock_guard tl(t->mu);
    return t->uas_status;
}

}  // namespace ser::mod::tm
