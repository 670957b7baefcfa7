// Requests of our own (TmApi::t_uac): a client transaction without an
// upstream side; its final reply goes to the caller's callback.
#include <random>

#include <fmt/format.h>

#include "modules/tm/tm.hpp"
#include "ser/log.hpp"
#include "ser/sip/uri.hpp"
#include "ser/text.hpp"

namespace ser::mod::tm {

namespace {

uint64_t random64() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng();
}

int proto_of(const sip::Uri& u) {
    auto tp = u.param("transport");
    if (tp && iequals(*tp, "tcp")) return PROTO_TCP;
    return PROTO_UDP;
}

}  // namespace

void Tm::finish_local(Transaction& t, const sip::Msg* reply, int code) {
    if (t.completed) return;
    t.completed = true;
    stats_.completed[size_t(std::min(code / 100, 6))].fetch_add(1, std::memory_order_relaxed);
    if (t.is_invite && reply && code >= 200 && code < 300 && !t.branches.empty()) {
        // We are the UAC: the ACK for a 2xx is ours to send (RFC 3261 §13.2.2.4).
        Branch& b = *t.branches.front();
        std::string ack = build_ack(t, b, *reply);
        if (!ack.empty()) core().send(b.request.dst, ack);
    }
    fire(t, api::kTmLocalCompleted, reply, code);
    if (t.uac_done) {
        api::TmEventInfo info;
        info.event = api::kTmLocalCompleted;
        info.request = t.req.get();
        info.reply = reply;
        info.code = code;
        info.hash = t.hash;
        info.label = t.label;
        t.uac_done(info);
    }
    for (auto& b : t.branches) {
        disarm(t, b->retr_timer);
        disarm(t, b->fr_timer);
    }
    put_on_wait(t);
}

int Tm::t_uac(const api::UacRequest& r, api::TmCallback done) {
    if (r.method.empty() || r.ruri.empty()) return E_INVALID_PARAMS;
    sip::Uri u;
    const std::string_view hop = r.next_hop.empty() ? r.ruri : r.next_hop;
    if (!sip::parse_uri(hop, u)) return E_BAD_URI;
    const int proto = proto_of(u);
    IpAddr ip;
    if (!core().resolve(u.host, ip)) return E_BAD_ADDRESS_RESOLVE;
    const uint16_t port = u.port ? u.port : 5060;
    const SocketInfo* sock = core().choose_socket(nullptr, proto, ip);
    if (!sock) return E_NO_SOCKET;

    const std::string call_id =
        r.call_id.empty() ? fmt::format("{:016x}@{}", random64(), sock->address_text) : std::string(r.call_id);
    std::string from(r.from.empty() ? std::string_view(uac_from) : r.from);
    if (from.find(";tag=") == std::string::npos) from += fmt::format(";tag={:08x}", uint32_t(random64()));
    const std::string cseq = std::to_string(r.cseq);

    auto* t = new Transaction(*this);
    t->uas_retr_timer.fire = &Tm::on_uas_retr;
    t->uas_fr_timer.fire = &Tm::on_uas_fr;
    t->wait_timer.fire = &Tm::on_wait;
    t->uas_retr_timer.owner = t->uas_fr_timer.owner = t->wait_timer.owner = t;
    t->hash = hash_of(call_id, cseq);
    t->label = next_label_.fetch_add(1, std::memory_order_relaxed);
    t->local = true;
    t->uac_done = std::move(done);

    const std::string host = sock->address.af == 10 ? "[" + sock->address_text + "]" : sock->address_text;
    std::string text = fmt::format("{} {} SIP/2.0\r\nVia: SIP/2.0/{} {}{}{};branch={}\r\nMax-Forwards: 70\r\n"
                                   "From: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {} {}\r\n",
                                   r.method, r.ruri, proto_name(proto), host, sock->port == 5060 ? "" : ":",
                                   sock->port == 5060 ? "" : sock->port_text, branch_id(*t, 0).view(), from, r.to, call_id,
                                   cseq, r.method);
    text += r.extra_headers;
    if (core().settings().server_signature) text += user_agent();
    text += fmt::format("Content-Length: {}\r\n\r\n", r.body.size());
    text += r.body;
    {
        sip::Msg tmp;
        if (!tmp.parse(text.data(), text.size())) {
            SER_ERR("tm: t_uac: the request does not parse: {}", tmp.error());
            delete t;
            return E_BAD_REQ;
        }
        t->req = tmp.clone();
    }
    t->req->freeze();
    t->method = t->req->method_id();
    t->is_invite = t->method == sip::Method::Invite;
    t->call_id = t->req->call_id();
    t->cseq_num = t->req->cseq()->number;

    auto b = std::make_unique<Branch>();
    b->t = t;
    b->retr_timer.fire = &Tm::on_retr;
    b->fr_timer.fire = &Tm::on_fr;
    b->cancel_timer.fire = &Tm::on_cancel_retr;
    b->retr_timer.owner = b->fr_timer.owner = b->cancel_timer.owner = b.get();
    b->uri = std::string(r.ruri);
    b->request.data = std::move(text);
    b->request.dst.proto = proto;
    b->request.dst.ip = ip;
    b->request.dst.port = port;
    b->request.dst.send_socket = sock;
    t->branches.push_back(std::move(b));

    {
        Bucket& bk = bucket(t->hash);
        std::lock_guard lk(bk.mu);
        link(bk, *t);
    }
    stats_.current.fetch_add(1, std::memory_order_relaxed);
    stats_.total.fetch_add(1, std::memory_order_relaxed);
    stats_.local.fetch_add(1, std::memory_order_relaxed);
    std::unique_lock tl(t->mu);
    if (send_branches(*t, 0) == 0) {
        tl.unlock();
        remove(*t);
        return E_SEND;
    }
    return 1;
}

}  // namespace ser::mod::tm
