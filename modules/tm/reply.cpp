// Replies from downstream (modules.md §3.5): matching by our Via branch,
// onreply_route, the relay decision, best-reply selection over all
// branches (RFC 3261 §16.7) and failure_route (§3.8).
#include <regex.h>

#include <fmt/format.h>

#include "modules/tm/tm.hpp"
#include "ser/log.hpp"
#include "ser/sip/build.hpp"

namespace ser::mod::tm {

const char* standard_reason(int code) {
    switch (code) {
    case 408: return "Request Timeout";
    case 487: return "Request Terminated";
    case 500: return "Server Internal Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

namespace {

// RFC 3261 §16.7 step 6: a 6xx wins, otherwise the lowest class; within a
// class the lowest code.
long rank(int code) { return code >= 600 ? code - 600 : 1000 + code; }

}  // namespace

int Tm::relay_reply(Transaction& t, sip::Msg& reply) {
    std::string data = sip::build_reply_forward(reply, t.uas_dst.proto != PROTO_UDP);
    if (data.empty()) return -1;
    return send_upstream(t, std::move(data), reply.status(), false);
}

bool Tm::on_reply(sip::Msg& reply) {
    const sip::ViaBody* v = reply.via1();
    if (!v || !v->branch) return false;
    int idx = 0;
    Transaction* t = find_by_branch(*v->branch, idx);
    if (!t) return false;   // not ours: the core forwards it statelessly
    struct Unref {
        Tm& tm;
        Transaction* t;
        ~Unref() { tm.unref(*t); }
    } guard{*this, t};
    const sip::CSeq* cs = reply.cseq();
    std::lock_guard tl(t->mu);
    if (!cs || idx >= int(t->branches.size())) return false;
    Branch& b = *t->branches[size_t(idx)];
    const int code = reply.status();
    if (cs->method_id == sip::Method::Cancel && t->is_invite) {
        // The answer to our CANCEL: only its retransmission stops (§3.5 step 2).
        if (b.cancel.empty()) return false;
        if (code >= 200) {
            b.cancel_replied = true;
            disarm(*t, b.cancel_timer);
        }
        return true;
    }
    if (cs->method_id != t->method || (t->method == sip::Method::Other && cs->method != t->req->method()))
        return false;
    if (t->deleted) return true;
    fire(*t, api::kTmResponseIn, &reply, code);

    // Downstream timers (§3.5 step 3, RFC 3261 §17.1.1.2 / §17.1.2.2).
    if (t->is_invite || code >= 200) disarm(*t, b.retr_timer);
    if (code >= 200) disarm(*t, b.fr_timer);
    if (t->is_invite && code >= 300) {
        // Hop-by-hop ACK, again for every retransmission of the final reply.
        if (b.ack.empty()) b.ack = build_ack(*t, b, reply);
        if (!b.ack.empty()) core().send(b.request.dst, b.ack);
    }
    if (code < 200 && b.cancel_wanted && b.cancel.empty() && b.final_status) {
        // Cancelled before it rang: now it can be cancelled (RFC 3261 §9.1).
        b.last_received = code;
        cancel_branch(*t, b);
        return true;
    }
    const bool late_2xx = b.final_status >= 300 && t->is_invite && code >= 200 && code < 300;
    if (b.final_status && !late_2xx) {
        if (!(b.local_final && code == 487)) SER_DBG("tm: reply {} to a finished branch absorbed", code);
        return true;
    }
    if (code < 200) {
        const int before = b.last_received;
        b.last_received = std::max(b.last_received, code);
        if (b.cancel_wanted) {
            cancel_branch(*t, b);
        } else if (b.final_status == 0 && (restart_fr_on_each_reply || before == 0 || (code > before && code >= 180))) {
            // INVITE: fr_inv_timer once the callee rings; non-INVITE: keep fr_timer.
            arm(*t, b.fr_timer, uint64_t(t->is_invite ? fr_inv_timer_s : fr_timer_s) * 1000);
        }
        if (!t->is_invite && b.final_status == 0 && b.request.dst.proto == PROTO_UDP) {
            b.retr_interval_ms = t2_ms();   // Proceeding: retransmit at T2
        }
    } else if (!late_2xx) {
        b.last_received = code;
    }

    // onreply_route: the reply with the transaction's flags (§3.5 step 5).
    if (t->on_reply > 0) {
        reply.flags = t->flags.load(std::memory_order_relaxed);
        if (!t->req->avps.empty()) reply.avps = t->req->avps;   // the transaction's AVPs (read-only here)
        bind(reply, t);
        core().run_route(RouteKind::OnReply, t->on_reply, reply);
        bind(reply, nullptr);
        t->flags.store(reply.flags, std::memory_order_relaxed);
    }

    if (t->local) {
        if (code >= 300) {
            b.reply = reply.clone();
            branch_final(*t, b, code, false);
        } else if (code >= 200) {
            b.final_status = code;
            finish_local(*t, &reply, code);
        }
        return true;
    }
    // Relay decision (§3.5 step 6).
    if (t->has_final_upstream()) {
        if (t->is_invite && code >= 200 && code < 300) relay_reply(*t, reply);   // more 2xx of a fork
        if (code >= 200) b.final_status = code;
        return true;
    }
    if (code == 100) return true;
    if (code < 200) {
        relay_reply(*t, reply);
        return true;
    }
    if (code < 300) {
        b.final_status = code;
        b.local_final = false;
        relay_reply(*t, reply);   // completes; the other branches get a CANCEL
        return true;
    }
    b.reply = reply.clone();
    branch_final(*t, b, code, false);
    return true;
}

void Tm::branch_final(Transaction& t, Branch& b, int code, bool local) {
    b.final_status = code;
    b.local_final = local;
    disarm(t, b.retr_timer);
    disarm(t, b.fr_timer);
    if (t.in_failure_route) return;
    for (auto& o : t.branches)
        if (o->final_status == 0) return;   // others still pending
    all_final(t);
}

void Tm::all_final(Transaction& t) {
    if (t.has_final_upstream()) return;
    Branch* best = nullptr;
    for (auto& b : t.branches)
        if (b->final_status >= 300 && (!best || rank(b->final_status) < rank(best->final_status))) best = b.get();
    if (!best) return;
    if (t.local) {
        finish_local(t, best->reply.get(), best->final_status);
        return;
    }
    t.relayed_best = best->final_status;
    fire(t, api::kTmOnFailure, best->reply.get(), best->final_status);
    if (t.on_failure > 0) {
        // failure_route on a private copy of the stored request (§3.8); it is
        // disarmed first, and may reply or add branches.
        const int n = t.on_failure;
        t.on_failure = 0;
        std::unique_ptr<sip::Msg> req = t.req->clone();
        req->flags = t.flags.load(std::memory_order_relaxed);
        req->branches.clear();
        bind(*req, &t);
        t.in_failure_route = true;
        core().run_route(RouteKind::Failure, n, *req);
        t.in_failure_route = false;
        bind(*req, nullptr);
        t.flags.store(req->flags, std::memory_order_relaxed);
        if (t.has_final_upstream()) return;
        for (auto& b : t.branches)
            if (b->final_status == 0) return;   // new branches: wait for them
        // Branches added there may all have failed already: pick again.
        for (auto& b : t.branches)
            if (b->final_status >= 300 && rank(b->final_status) < rank(best->final_status)) best = b.get();
        t.relayed_best = best->final_status;
    }
    int code = best->final_status;
    if (best->reply && code != 503) {
        // 401/407: every branch's challenge goes into the reply (RFC 3261 §16.7 step 7).
        if (code == 401 || code == 407) {
            const sip::HdrType ch = code == 401 ? sip::HdrType::WwwAuthenticate : sip::HdrType::ProxyAuthenticate;
            std::string extra;
            for (auto& b : t.branches) {
                if (b.get() == best || !b->reply || (b->final_status != 401 && b->final_status != 407)) continue;
                for (const sip::HeaderField* h = b->reply->header(ch); h; h = b->reply->next_header(h))
                    extra.append(b->reply->data() + h->offset, h->length);
            }
            if (!extra.empty()) best->reply->lumps.insert(best->reply->headers_end(), std::move(extra));
        }
        relay_reply(t, *best->reply);
        return;
    }
    // A local outcome, or a 503, which a proxy turns into 500 (§16.7 step 6).
    if (code == 503) code = 500;
    reply_locally(t, *t.req, code, standard_reason(code));
}

int Tm::t_check_status(sip::Msg& msg, const void* re) {
    int status = 0;
    if (msg.route_kind == RouteKind::OnReply) {
        status = msg.status();
    } else {
        Transaction* t = bound(msg);
        if (!t) return -1;
        std::lock_guard tl(t->mu);
        status = msg.route_kind == RouteKind::Failure ? t->relayed_best : t->uas_status;
    }
    char text[8];
    snprintf(text, sizeof text, "%d", status);
    return regexec(static_cast<const regex_t*>(re), text, 0, nullptr, 0) == 0 ? 1 : -1;
}

}  // namespace ser::mod::tm
