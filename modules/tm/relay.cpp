// The client side: branches built by the core's forwarding service and
// sent with their timers, CANCEL (received or our own) and the hop-by-hop
// ACK (modules.md §3.4, §3.7; RFC 3261 §16.6, §16.10, §17.1.1.3).
#include <fmt/format.h>

#include "modules/tm/tm.hpp"
#include "ser/log.hpp"
#include "ser/text.hpp"

namespace ser::mod::tm {

namespace {

constexpr std::string_view kTrying = "trying -- your call is important to us";

// A branch request parsed again, to take the lines a CANCEL or an ACK for
// it must repeat (RFC 3261 §9.1, §17.1.1.3: same Request-URI, top Via,
// From, To, Call-ID, CSeq number and Route set as the request sent).
struct SentRequest {
    std::string buf;
    sip::Msg msg;
    bool ok = false;
    explicit SentRequest(const std::string& data) : buf(data) { ok = msg.parse(buf.data(), buf.size()); }
    std::string_view line(const sip::HeaderField& h) const { return {buf.data() + h.offset, h.length}; }
};

std::string first_header_line(const SentRequest& s, sip::HdrType type) {
    const sip::HeaderField* h = s.msg.header(type);
    return h ? std::string(s.line(*h)) : std::string();
}

}  // namespace

std::string Tm::build_hop_request(const Branch& b, std::string_view method, const sip::Msg* reply) const {
    SentRequest s(b.request.data);
    if (!s.ok) return {};
    const sip::CSeq* cs = s.msg.cseq();
    std::string out = fmt::format("{} {} SIP/2.0\r\n", method, b.uri);
    out += first_header_line(s, sip::HdrType::Via);   // our Via only (RFC 3261 §16.10)
    out += first_header_line(s, sip::HdrType::From);
    // An ACK takes the To of the reply: it carries the callee's tag.
    const sip::HeaderField* to = reply ? reply->header(sip::HdrType::To) : nullptr;
    if (to) out += std::string_view(reply->data() + to->offset, to->length);
    else if (!reply) out += first_header_line(s, sip::HdrType::To);
    out += first_header_line(s, sip::HdrType::CallId);
    out += fmt::format("CSeq: {} {}\r\n", cs ? cs->number : std::string_view("1"), method);
    for (const sip::HeaderField* h = s.msg.header(sip::HdrType::Route); h; h = s.msg.next_header(h))
        out += s.line(*h);
    out += "Max-Forwards: 70\r\n";
    if (core().settings().server_signature) out += user_agent();
    out += "Content-Length: 0\r\n\r\n";
    return out;
}

std::string Tm::build_cancel(const Transaction&, const Branch& b) const { return build_hop_request(b, "CANCEL", nullptr); }

std::string Tm::build_ack(const Transaction&, const Branch& b, const sip::Msg& reply) const {
    return build_hop_request(b, "ACK", &reply);
}

int Tm::add_branch(Transaction& t, sip::Msg& msg, const ForwardTarget& target) {
    if (int(t.branches.size()) >= kMaxBranches) {
        SER_ERR("tm: maximum number of branches ({}) exceeded", kMaxBranches);
        return E_CFG;
    }
    auto b = std::make_unique<Branch>();
    b->t = &t;
    b->index = int(t.branches.size());
    b->retr_timer.fire = &Tm::on_retr;
    b->fr_timer.fire = &Tm::on_fr;
    b->cancel_timer.fire = &Tm::on_cancel_retr;
    b->retr_timer.owner = b->fr_timer.owner = b->cancel_timer.owner = b.get();
    const BranchId id = branch_id(t, b->index);
    ForwardTarget tg = target;
    tg.branch = id.view();
    int r = core().build_request(msg, tg, b->request);
    if (r < 0) return r;
    b->uri = std::string(target.uri.empty() ? msg.current_uri() : target.uri);
    t.branches.push_back(std::move(b));
    return int(t.branches.size()) - 1;
}

void Tm::start_branch_timers(Transaction& t, Branch& b) {
    arm(t, b.fr_timer, uint64_t(fr_timer_s) * 1000);
    if (b.request.dst.proto == PROTO_UDP) {
        b.retr_interval_ms = retr_interval(t.is_invite, 0);
        arm(t, b.retr_timer, b.retr_interval_ms);
    }
}

int Tm::send_branches(Transaction& t, int from) {
    int sent = 0;
    for (size_t i = size_t(from); i < t.branches.size(); ++i) {
        Branch& b = *t.branches[i];
        // Timers are armed before the send: a reply can only be processed
        // once this lock is released, so it always finds them running.
        start_branch_timers(t, b);
        if (core().send(b.request.dst, b.request.data) >= 0) {
            b.sent = true;
            ++sent;
        } else {
            disarm(t, b.retr_timer);
            disarm(t, b.fr_timer);
            b.final_status = 503;   // nothing went out: not a pending branch
            b.local_final = true;
        }
    }
    return sent;
}

void Tm::cancel_branch(Transaction& t, Branch& b) {
    if (!b.cancel.empty() || !b.sent) return;
    // A branch answered 487 by us before it rang still gets its CANCEL.
    if (b.final_status && !(b.local_final && b.cancel_wanted)) return;
    if (b.last_received == 0) {   // nothing received yet: CANCEL once a provisional arrives
        b.cancel_wanted = true;
        return;
    }
    b.cancel = build_cancel(t, b);
    if (b.cancel.empty()) return;
    core().send(b.request.dst, b.cancel);
    if (b.request.dst.proto == PROTO_UDP) {
        b.cancel_interval_ms = retr_interval(false, 0);
        b.cancel_deadline_ms = core().now_ms() + uint64_t(fr_timer_s) * 1000;
        arm(t, b.cancel_timer, b.cancel_interval_ms);
    }
}

void Tm::cancel_pending(Transaction& t, int except) {
    for (auto& b : t.branches)
        if (b->index != except && b->final_status == 0) cancel_branch(t, *b);
}

// ---- script entry points ----------------------------------------------------

int Tm::t_relay(sip::Msg& msg, const ForwardTarget* fixed) {
    if (msg.route_kind == RouteKind::Failure) {
        // New branches from the destination set only: branch 0 exists (§3.8).
        Transaction* t = bound(msg);
        if (!t) return -1;
        std::lock_guard tl(t->mu);
        const int first = int(t->branches.size());
        for (const auto& d : msg.branches) {
            ForwardTarget tg = fixed ? *fixed : ForwardTarget{};
            tg.uri = d.uri;
            if (!fixed) tg.dst_uri = d.dst_uri;
            add_branch(*t, msg, tg);
        }
        msg.branches.clear();
        return send_branches(*t, first) > 0 ? 1 : -1;
    }
    if (bound(msg)) {
        SER_ERR("tm: t_relay: transaction already in process (t_newtran was called); use t_forward_nonack");
        return -10;
    }
    int r = t_newtran(msg);
    if (r < 0) return r == -8 && core().settings().reply_to_via ? 0 : r;
    if (r == 0) return 1;   // retransmission absorbed
    Transaction* t = bound(msg);
    if (!t) {
        // An ACK without a transaction (for a 2xx, or unknown): stateless,
        // 0 on success [quirk] (§3.4 step 2).
        OutRequest out;
        ForwardTarget tg = fixed ? *fixed : ForwardTarget{};
        int br = core().build_request(msg, tg, out);
        if (br < 0) return br;
        return core().send(out.dst, out.data) >= 0 ? 0 : -1;
    }
    std::lock_guard tl(t->mu);
    if (t->is_invite) {
        LocalReply tr;
        tr.code = 100;
        tr.reason = kTrying;
        send_upstream(*t, core().build_local_reply(msg, tr), 100, true);
    }
    if (t->is_cancel) {
        handle_cancel(*t, msg);
        if (t->has_final_upstream()) return 1;   // the CANCEL matched its INVITE
    }
    return t_forward_nonack(msg, fixed);
}

int Tm::t_forward_nonack(sip::Msg& msg, const ForwardTarget* fixed) {
    Transaction* t = bound(msg);
    if (!t) {
        SER_ERR("tm: t_forward_nonack: no transaction (t_newtran first)");
        return -1;
    }
    if (msg.method_id() == sip::Method::Ack) return -1;
    std::lock_guard tl(t->mu);
    int err = E_BAD_ADDRESS_RESOLVE;
    const int first = int(t->branches.size());
    ForwardTarget tg = fixed ? *fixed : ForwardTarget{};
    int r = add_branch(*t, msg, tg);   // branch 0: current URI, destination URI
    if (r < 0) err = r;
    for (const auto& d : msg.branches) {
        ForwardTarget bt = fixed ? *fixed : ForwardTarget{};
        bt.uri = d.uri;
        if (!fixed) bt.dst_uri = d.dst_uri;
        if ((r = add_branch(*t, msg, bt)) < 0) err = r;
    }
    msg.branches.clear();
    int sent = int(t->branches.size()) > first ? send_branches(*t, first) : 0;
    if (sent > 0) return 1;
    if (int(t->branches.size()) > first) err = E_SEND;
    if (t->replicate || t->has_final_upstream()) return err;
    // Nothing could be sent: answer statefully with the error (§3.4 step 6).
    ErrorReply e = error_reply(err);
    return reply_locally(*t, msg, e.code, e.reason) >= 0 ? 0 : err;
}

int Tm::t_replicate(sip::Msg& msg, const ForwardTarget& fixed) {
    int r = t_newtran(msg);
    if (r <= 0) return r < 0 ? r : 1;
    Transaction* t = bound(msg);
    if (!t) return -1;
    {
        std::lock_guard tl(t->mu);
        t->replicate = true;
    }
    ForwardTarget tg = fixed;
    return t_forward_nonack(msg, &tg);
}

void Tm::handle_cancel(Transaction& ct, sip::Msg& cancel) {
    const sip::CSeq* cs = cancel.cseq();
    Bucket& bk = bucket(hash_of(cancel.call_id(), cs->number));
    Transaction* inv = nullptr;
    {
        std::lock_guard lk(bk.mu);
        inv = match_cancelled_invite(bk, cancel);
        if (inv) ref(*inv);
    }
    if (!inv) return;   // forwarded like any other request
    int cancelled = 0;
    {
        std::lock_guard il(inv->mu);
        for (auto& bp : inv->branches) {
            Branch& b = *bp;
            if (b.final_status) continue;
            if (b.last_received > 0) {
                cancel_branch(*inv, b);
                ++cancelled;
            } else {
                // No reply yet: stop it and answer 487 for it now; a late
                // provisional still gets its CANCEL.
                b.cancel_wanted = true;
                disarm(*inv, b.retr_timer);
                branch_final(*inv, b, 487, true);
            }
        }
    }
    unref(*inv);
    reply_locally(ct, cancel, 200, cancelled ? "canceling" : "ok -- no more pending branches");
}

}  // namespace ser::mod::tm
