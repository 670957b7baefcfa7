#include "modules/tm/fifo_cmds.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "modules/tm/tm.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/name_addr.hpp"
#include "ser/sip/uri.hpp"
#include "ser/text.hpp"

namespace ser::mod::tm {

namespace {

constexpr uint32_t kDefaultCseq = 10;   // SER's DEFAULT_CSEQ

Tm& tm(Module& m) { return static_cast<Tm&>(m); }

// A line, or nullopt when the request ended.
std::optional<std::string> line(FifoRequest& r) { return r.read_line(); }

// Lines up to an empty line or "." (SER's read_line_set), CRLF after each.
std::optional<std::string> line_set(FifoRequest& r) {
    std::string out;
    for (;;) {
        auto l = r.read_line();
        if (!l) return std::nullopt;
        if (l->empty() || *l == ".") return out;
        out += *l + "\r\n";
    }
}

// Lines up to "." (SER's read_body), CRLF after each.
std::optional<std::string> body_lines(FifoRequest& r) {
    std::string out;
    for (;;) {
        auto l = r.read_line();
        if (!l) return std::nullopt;
        if (*l == ".") return out;
        out += *l + "\r\n";
    }
}

int uac_error(FifoRequest& r, int code, std::string_view text) {
    SER_ERR("tm: t_uac_dlg: {}", text);
    r.reply(fmt::format("{} fifo_uac_error: {}", code, text));
    return 1;
}

// "!!" in the optional header lines is this server's address:port as the
// request leaves it.
std::string expand_address(std::string_view headers, const SocketInfo* sock) {
    std::string out;
    size_t p = 0;
    for (size_t at; (at = headers.find("!!", p)) != std::string_view::npos; p = at + 2) {
        out.append(headers.substr(p, at - p));
        if (sock) out += sock->address_text + ":" + sock->port_text;
    }
    out.append(headers.substr(p));
    return out;
}

// What the FIFO client learns of the dialog a 2xx created: the remote
// target, the next hop and the route set (or "." lines).
std::string dialog_lines(const sip::Msg& reply) {
    if (reply.status() < 200 || reply.status() >= 300) return ".\n.\n.\n";
    std::vector<sip::NameAddr> contacts;
    std::string target = reply.contacts(contacts) && !contacts.empty() ? std::string(contacts[0].uri) : ".";
    // The route set is the Record-Route of the reply in reverse order.
    std::vector<std::string> routes;
    for (const auto* h = reply.header(sip::HdrType::RecordRoute); h; h = reply.next_header(h)) {
        std::vector<sip::NameAddr> rr;
        if (!sip::parse_name_addr_list(h->value, rr)) continue;
        for (const auto& r : rr) routes.insert(routes.begin(), std::string(r.uri));
    }
    std::string out = target + "\n";
    out += (routes.empty() ? target : routes.front()) + "\n";
    if (routes.empty()) return out + ".\n";
    out += "Route: ";
    for (size_t i = 0; i < routes.size(); ++i) out += (i ? ", <" : "<") + routes[i] + ">";
    return out + "\r\n";
}

std::string completion_text(const api::TmEventInfo& info) {
    if (!info.reply) return fmt::format("{} {}\n", info.code, standard_reason(info.code));
    const sip::Msg& r = *info.reply;
    std::string_view all = r.buffer();
    size_t hdrs = all.find('\n');
    std::string_view block = hdrs == std::string_view::npos ? std::string_view() : all.substr(hdrs + 1);
    return fmt::format("{} {}\n{}{}\n", r.status(), r.reason(), dialog_lines(r), block);
}

}  // namespace

int fifo_uac_dlg(Module& self, FifoRequest& req) {
    Tm& t = tm(self);
    auto method = line(req);
    if (!method || method->empty()) return uac_error(req, 400, "method expected");
    auto ruri = line(req);
    if (!ruri || ruri->empty()) return uac_error(req, 400, "ruri expected");
    sip::Uri pu;
    if (!sip::parse_uri(*ruri, pu)) return uac_error(req, 400, "ruri invalid\n");
    auto hop = line(req);
    if (!hop || hop->empty()) return uac_error(req, 400, "next hop address expected\n");
    if (*hop == ".") hop->clear();
    else if (!sip::parse_uri(*hop, pu)) return uac_error(req, 400, "next hop uri invalid\n");
    auto headers = line_set(req);
    if (!headers || headers->empty()) return uac_error(req, 400, "HFs expected");
    // Content-Length is tm's to write: its line is noted and left out (the
    // header lines have no body for a length to be checked against).
    bool has_length = false;
    {
        std::string kept;
        for (size_t p = 0; p < headers->size();) {
            size_t e = std::min(headers->find("\r\n", p), headers->size());
            std::string_view l = std::string_view(*headers).substr(p, e - p);
            std::string_view name = l.substr(0, l.find(':'));
            while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
            if (iequals(name, "Content-Length") || iequals(name, "l")) has_length = true;
            else kept.append(l).append("\r\n");
            p = e + 2;
        }
        *headers = std::move(kept);
    }
    // The header lines are read with the SIP parser, as SER did: as those of
    // a reply (whose required headers the checks below name one by one),
    // behind a placeholder Via that is not copied into the request.
    std::string fake = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 0.0.0.0\r\n" + *headers + "\r\n";
    sip::Msg m;
    if (!m.parse(fake.data(), fake.size())) {
        std::string_view e = m.error();
        if (e == "bad CSeq") return uac_error(req, 400, "non-numerical CSeq");
        if (e == "bad From header") return uac_error(req, 400, "Error in From");
        return uac_error(req, 400, "HFs unparseable");
    }
    auto body = body_lines(req);
    if (!body) return uac_error(req, 400, "body expected");
    if (!body->empty() && !m.header(sip::HdrType::ContentType)) return uac_error(req, 400, "Content-Type missing");
    if (!body->empty() && has_length) return uac_error(req, 400, "Content-Length disallowed");
    const sip::HeaderField* to = m.header(sip::HdrType::To);
    const sip::HeaderField* from = m.header(sip::HdrType::From);
    if (!to) return uac_error(req, 400, "To missing");
    if (!from) return uac_error(req, 400, "From missing");
    if (!m.from()) return uac_error(req, 400, "Error in From");
    uint32_t cseq = kDefaultCseq;
    if (m.header(sip::HdrType::CSeq)) {
        const sip::CSeq* c = m.cseq();
        if (!c) return uac_error(req, 400, "non-numerical CSeq");
        if (c->method != *method) return uac_error(req, 400, "CSeq method mismatch");
        cseq = c->num;
    }
    // From, To, Call-ID and CSeq are tm's to write.
    std::string other;
    for (size_t i = 1; i < m.headers().size(); ++i) {
        const sip::HeaderField& h = m.headers()[i];
        using sip::HdrType;
        if (h.type == HdrType::From || h.type == HdrType::To || h.type == HdrType::CallId ||
            h.type == HdrType::CSeq)
            continue;
        other.append(m.buffer().substr(h.offset, h.length));
    }
    if (other.find("!!") != std::string::npos) {
        sip::Uri dest;
        IpAddr ip;
        const SocketInfo* sock = nullptr;
        if (sip::parse_uri(hop->empty() ? *ruri : *hop, dest) && t.core().resolve(dest.host, ip))
            sock = t.core().choose_socket(nullptr, PROTO_UDP, ip);
        if (!sock) return uac_error(req, 500, "no socket for the next hop");
        other = expand_address(other, sock);
    }

    api::UacRequest u;
    u.method = *method;
    u.ruri = *ruri;
    u.next_hop = *hop;
    u.from = from->value;
    u.to = to->value;
    u.call_id = m.call_id();
    u.cseq = cseq;
    u.extra_headers = other;
    u.body = *body;
    std::shared_ptr<FifoLateReply> later = req.reply_later();
    auto done = [later](const api::TmEventInfo& info) {
        if (later) later->send(completion_text(info));
        else SER_INFO("tm: fifo UAC completed with status {}", info.code);
    };
    int r = t.t_uac(u, done);
    if (r <= 0) {
        ErrorReply e = error_reply(r);
        std::string text = fmt::format("{} fifo_uac_error: {}", e.code, e.reason);
        SER_ERR("tm: t_uac_dlg: {}", text);
        if (later) later->send(text);
    }
    return 1;
}

int fifo_uac_cancel(Module& self, FifoRequest& req) {
    const bool unix_sock = req.interface() == FifoRequest::Interface::UnixSocket;
    auto call_id = req.read_line();
    if (!call_id || call_id->empty()) {
        req.reply(unix_sock ? "400 Call-ID Expected\n" : "400 fifo_uac_cancel: callid expected");
        return -1;
    }
    auto cseq = req.read_line();
    if (!cseq || cseq->empty()) {
        req.reply(unix_sock ? "400 CSeq Expected\n" : "400 fifo_uac_cancel: cseq expected");
        return -1;
    }
    Tm& t = tm(self);
    Transaction* tr = t.find_local_invite(*call_id, *cseq);
    if (!tr) {
        req.reply("481 fifo_uac_cancel: no such transaction");
        return -1;
    }
    {
        std::lock_guard lk(tr->mu);
        if (!tr->completed) t.cancel_pending(*tr, -1);
    }
    t.unref(*tr);
    req.reply("200 fifo_uac_cancel succeeded\n");
    return 1;
}

int fifo_t_reply(Module& self, FifoRequest& req) {
    auto fail = [&req](std::string_view text) {
        SER_ERR("tm: fifo_t_reply: {}", text);
        req.reply(fmt::format("400 fifo_t_reply: {}", text));
        return -1;
    };
    auto code_line = req.read_line();
    if (!code_line || code_line->empty()) return fail("code expected");
    int code = 0;
    auto [p, ec] = std::from_chars(code_line->data(), code_line->data() + code_line->size(), code);
    if (ec != std::errc() || p != code_line->data() + code_line->size() || code < 100 || code > 699)
        return fail("code(int) has wrong format");
    auto reason = req.read_line();
    if (!reason || reason->empty()) return fail("reason expected");
    auto ident = req.read_line();
    if (!ident || ident->empty()) return fail("trans_id expected");
    unsigned hash = 0, label = 0;
    if (std::sscanf(ident->c_str(), "%u:%u", &hash, &label) != 2) return fail("invalid trans_id");
    auto to_tag = req.read_line();
    if (!to_tag || to_tag->empty()) return fail("to-tag expected");
    auto headers = line_set(req);
    if (!headers) return fail("while reading new headers");
    auto body = body_lines(req).value_or("");   // may be empty, as in SER
    Tm& t = tm(self);
    Transaction* tr = t.find_by_ident(hash, label);
    if (!tr) {
        SER_ERR("tm: fifo_t_reply: lookup failed");
        req.reply("481 fifo_t_reply: no such transaction");
        return -1;
    }
    int r;
    {
        std::lock_guard lk(tr->mu);
        r = t.reply_with(*tr, code, *reason, *to_tag, *headers, body);
    }
    t.unref(*tr);
    if (r < 0) {
        req.reply("500 fifo_t_reply: reply failed");
        return -1;
    }
    req.reply("200 fifo_t_reply succeeded\n");
    return 1;
}

}  // namespace ser::mod::tm
