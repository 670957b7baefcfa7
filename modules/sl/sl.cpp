#include "modules/sl/sl.hpp"

#include <cstdlib>

#include "ser/tags.hpp"
#include "ser/api.hpp"
#include "ser/errors.hpp"
#include "ser/core.hpp"
#include "ser/fifo.hpp"
#include "ser/log.hpp"
#include "ser/sip/dset.hpp"
#include "ser/sip/msg.hpp"
#include "ser/text.hpp"

namespace ser::mod::sl {

// ---- helpers -----------------------------------------------------------------

ErrorReply error_reply(int e) {
    const ErrorText t = error_text(e);
    return {t.code, fmt::format("{} ({}/SL)", t.text, std::abs(e))};
}

// ---- the instance ------------------------------------------------------------

bool Sl::init(Core& core) {
    core_ = &core;
    tag_prefix_ = tag_prefix("SER-stateless", core.sockets());
    // Before any reply was sent the filter is off.
    ack_deadline_ms_.store(0, std::memory_order_relaxed);
    if (!export_api<api::SlApi>(core, this)) {
        SER_ERR("sl: cannot register the sl API");
        return false;
    }
    return true;
}

std::string Sl::tag_for(const sip::Msg& req) const { return make_tag(tag_prefix_, '.', req); }

int Sl::send_reply(sip::Msg& req, int code, std::string_view reason) {
    if (req.method_id() == sip::Method::Ack) {
        SER_WARN("sl_send_reply: I won't send a reply for ACK!!");
        stats_.count_failure();
        return -1;
    }
    // A redirect lists the destination set; like SER this is a reply lump of
    // the request, so a later local reply to it carries the Contact too.
    if (code >= 300 && code < 400) {
        std::string dset = sip::print_dset(req);
        if (!dset.empty()) req.reply_lumps.push_back(std::move(dset));
    }
    std::string tag;
    if (code >= 180) {
        const sip::NameAddr* to = req.to();
        if (to && (!to->tag || to->tag->empty())) tag = tag_for(req);
    }
    LocalReply r;
    r.code = code;
    r.reason = reason;
    r.to_tag = tag;
    if (core().send_local_reply(req, r) < 0) {
        stats_.count_failure();
        return -1;
    }
    ack_deadline_ms_.store(core().now_ms() + kAckWindowMs, std::memory_order_relaxed);
    stats_.count_reply(code);
    return 1;
}

int Sl::reply_error(sip::Msg& req) {
    // [quirk] the error of the previous action, which may belong to the
    // previous message when this is the first action (§2.2).
    ErrorReply e = error_reply(core().prev_error());
    send_reply(req, e.code, e.reason);
    SER_ERR("ERROR: sl_reply_error used: {}", e.reason);
    return 1;
}

int Sl::pre_script(sip::Msg& msg) {
    if (msg.method_id() != sip::Method::Ack) return 1;
    if (core().now_ms() >= ack_deadline_ms_.load(std::memory_order_relaxed)) return 1;
    const sip::NameAddr* to = msg.to();
    if (!to || !to->tag || to->tag->size() != kTagLen) return 1;
    if (*to->tag == tag_for(msg)) {
        SER_DBG("sl: local ACK found -> dropping it");
        return 0;
    }
    return 1;
}

// ---- exports -------------------------------------------------------------------

namespace {

// SER's str2s: digits only, at most 5, modulo 65536; the code is not
// range-checked (§2.2).
bool fixup_code(Module&, CallArg& arg, int index, std::string& error) {
    if (index != 0) return true;
    unsigned v = 0;
    if (!str2s(arg.text, v)) {
        error = fmt::format("bad number <{}>", arg.text);
        return false;
    }
    arg.number = long(v);
    return true;
}

int w_send_reply(Module& self, sip::Msg& msg, const CallArg* args) {
    return self_as<Sl>(self).send_reply(msg, int(args[0].number), args[1].text);
}

int w_reply_error(Module& self, sip::Msg& msg, const CallArg*) {
    return self_as<Sl>(self).reply_error(msg);
}

int fifo_stats(Module& self, FifoRequest& req) {
    req.reply("200 ok\n");
    req.reply(self_as<Sl>(self).stats().format());
    return 1;
}

const CmdExport cmds[] = {
    {"sl_send_reply", 2, w_send_reply, fixup_code, kRequestRoute},
    {"sl_reply_error", 0, w_reply_error, nullptr, kRequestRoute},
};

const FifoExport fifo[] = {
    {"sl_stats", fifo_stats},
};

}  // namespace
}  // namespace ser::mod::sl

// [quirk] registered as "sl_module": modparam("sl", ...) matches nothing (§0.3).
SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "sl_module", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::sl::Sl; },
    ::ser::mod::sl::cmds, SER_COUNT(::ser::mod::sl::cmds), nullptr, 0,
    ::ser::mod::sl::fifo, SER_COUNT(::ser::mod::sl::fifo), nullptr, 0, ::ser::kHookPreScript}))
