// tm's module glue: parameters, script functions with their fix-ups, FIFO
// commands, the API for other modules (modules.md §3.1, §3.2, §3.12).
#include "modules/tm/tm.hpp"
#include "modules/tm/fifo_cmds.hpp"

#include <regex.h>

#include <cstdlib>

#include <fmt/format.h>

#include "ser/api.hpp"
#include "ser/errors.hpp"
#include "ser/fifo.hpp"
#include "ser/log.hpp"
#include "ser/params.hpp"
#include "ser/tags.hpp"
#include "ser/text.hpp"

namespace ser::mod::tm {

ErrorReply error_reply(int e) {
    // A branch limit or a missing socket read as their core equivalents.
    if (e == E_CFG) e = E_TOO_MANY_BRANCHES;
    if (e == E_NO_SOCKET) e = E_SEND;
    const ErrorText t = error_text(e);
    return {t.code, fmt::format("{} ({}/TM)", t.text, t.code)};
}

Tm::Tm() : buckets_(std::make_unique<Bucket[]>(kBuckets)) {}

Tm::~Tm() = default;

bool Tm::init(Core& core) {
    core_ = &core;
    slot_ = core.allocate_msg_slot();
    pending_slot_ = core.allocate_msg_slot();
    if (slot_ < 0 || pending_slot_ < 0) {
        SER_ERR("tm: no free message slot");
        return false;
    }
    tag_prefix_ = tag_prefix("SER-TM/tags", core.sockets());
    // Labels start at a random value: a reply to a branch of a previous run
    // of ser does not match a new transaction.
    next_label_ = uint32_t(std::rand()) ^ uint32_t(core.now_ms());
    if (!export_api<api::TmApi>(core, this)) {
        SER_ERR("tm: cannot register the tm API");
        return false;
    }
    register_metrics(core);
    return true;
}

void Tm::destroy() {
    // Every transaction goes, with its timers (the timer thread is stopped).
    for (uint32_t i = 0; i < kBuckets; ++i) {
        for (;;) {
            Transaction* t;
            {
                std::lock_guard lk(buckets_[i].mu);
                t = buckets_[i].head;
                if (t) ref(*t);
            }
            if (!t) break;
            remove(*t);
            unref(*t);
        }
    }
}

void Tm::fire(Transaction& t, unsigned event, const sip::Msg* reply, int code) {
    api::TmEventInfo info;
    info.event = event;
    info.request = t.req.get();
    info.reply = reply;
    info.code = code;
    info.hash = t.hash;
    info.label = t.label;
    if (event & (api::kTmRequestIn | api::kTmDestroy)) {
        std::lock_guard lk(global_cb_mu_);
        for (auto& c : global_callbacks_)
            if (c.events & event) c.fn(info);
    }
    for (auto& c : t.callbacks)
        if (c.events & event) c.fn(info);
}

bool Tm::register_global_callback(unsigned events, api::TmCallback cb) {
    std::lock_guard lk(global_cb_mu_);
    global_callbacks_.push_back({events, std::move(cb)});
    return true;
}

bool Tm::register_callback(sip::Msg& msg, unsigned events, api::TmCallback cb) {
    Transaction* t = bound(msg);
    if (!t) return false;
    std::lock_guard tl(t->mu);
    t->callbacks.push_back({events, std::move(cb)});
    return true;
}

int Tm::t_on_reply(sip::Msg& msg, int n) {
    if (Transaction* t = bound(msg)) {
        std::lock_guard tl(t->mu);
        t->on_reply = n;
    } else {
        set_pending(msg, n, -1);
    }
    return 1;
}

int Tm::t_on_failure(sip::Msg& msg, int n) {
    if (Transaction* t = bound(msg)) {
        std::lock_guard tl(t->mu);
        t->on_failure = n;
    } else {
        set_pending(msg, -1, n);
    }
    return 1;
}

namespace {

Tm& tm(Module& m) { return self_as<Tm>(m); }

// ---- fix-ups -------------------------------------------------------------------

bool fix_number(CallArg& arg, std::string& error) {
    unsigned v = 0;
    if (!str2s(arg.text, v)) {
        error = fmt::format("bad number <{}>", arg.text);
        return false;
    }
    arg.number = long(v);
    return true;
}

// t_on_reply("n") / t_on_failure("n"): 0 disarms; the block must exist.
template <RouteKind Kind>
bool fix_route(Module& self, CallArg& arg, int, std::string& error) {
    if (!fix_number(arg, error)) return false;
    if (arg.number >= kMaxRouteBlocks) {
        error = fmt::format("route number {} out of range (0..{})", arg.number, kMaxRouteBlocks - 1);
        return false;
    }
    if (arg.number > 0 && !self.core().route_exists(Kind, int(arg.number))) {
        error = fmt::format("{}[{}] is not defined", Kind == RouteKind::Failure ? "failure_route" : "onreply_route",
                            arg.number);
        return false;
    }
    return true;
}

// (host, port): the host is resolved at start-up, the port a number.
bool fix_host_port(Module& self, CallArg& arg, int index, std::string& error) {
    if (index == 1) {
        if (!fix_number(arg, error)) return false;
        return true;
    }
    IpAddr& ip = arg.make<IpAddr>();
    if (!self.core().resolve(arg.text, ip)) {
        error = fmt::format("cannot resolve host '{}'", arg.text);
        return false;
    }
    return true;
}

bool fix_code(Module&, CallArg& arg, int index, std::string& error) {
    return index != 0 || fix_number(arg, error);
}

struct CompiledRe {
    regex_t re;
    ~CompiledRe() { regfree(&re); }
};

bool fix_regex(Module&, CallArg& arg, int, std::string& error) {
    auto& c = arg.make<CompiledRe>();
    int rc = regcomp(&c.re, arg.text.c_str(), REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (rc != 0) {
        char buf[128];
        regerror(rc, &c.re, buf, sizeof buf);
        arg.value.reset();
        error = fmt::format("bad regular expression: {}", buf);
        return false;
    }
    return true;
}

ForwardTarget fixed_target(const CallArg* args, int proto) {
    ForwardTarget t;
    t.ip = &args[0].as<IpAddr>();
    t.port = uint16_t(args[1].number);
    t.proto = proto;
    return t;
}

// ---- script functions ----------------------------------------------------------

int w_t_relay(Module& m, sip::Msg& msg, const CallArg*) { return tm(m).t_relay(msg, nullptr); }
int w_t_relay_udp(Module& m, sip::Msg& msg, const CallArg* a) {
    ForwardTarget t = fixed_target(a, PROTO_UDP);
    return tm(m).t_relay(msg, &t);
}
int w_t_relay_tcp(Module& m, sip::Msg& msg, const CallArg* a) {
    ForwardTarget t = fixed_target(a, PROTO_TCP);
    return tm(m).t_relay(msg, &t);
}
int w_t_replicate(Module& m, sip::Msg& msg, const CallArg* a) {
    return tm(m).t_replicate(msg, fixed_target(a, msg.rcv.proto));
}
int w_t_replicate_udp(Module& m, sip::Msg& msg, const CallArg* a) {
    return tm(m).t_replicate(msg, fixed_target(a, PROTO_UDP));
}
int w_t_replicate_tcp(Module& m, sip::Msg& msg, const CallArg* a) {
    return tm(m).t_replicate(msg, fixed_target(a, PROTO_TCP));
}
int w_t_forward_nonack(Module& m, sip::Msg& msg, const CallArg* a) {
    ForwardTarget t = fixed_target(a, msg.rcv.proto);
    return tm(m).t_forward_nonack(msg, &t);
}
int w_t_forward_nonack_udp(Module& m, sip::Msg& msg, const CallArg* a) {
    ForwardTarget t = fixed_target(a, PROTO_UDP);
    return tm(m).t_forward_nonack(msg, &t);
}
int w_t_forward_nonack_tcp(Module& m, sip::Msg& msg, const CallArg* a) {
    ForwardTarget t = fixed_target(a, PROTO_TCP);
    return tm(m).t_forward_nonack(msg, &t);
}
int w_t_forward_nonack_uri(Module& m, sip::Msg& msg, const CallArg*) { return tm(m).t_forward_nonack(msg, nullptr); }
int w_t_newtran(Module& m, sip::Msg& msg, const CallArg*) { return tm(m).t_newtran(msg); }
int w_t_reply(Module& m, sip::Msg& msg, const CallArg* a) {
    return tm(m).t_reply(msg, int(a[0].number), a[1].text);
}
int w_t_lookup_request(Module& m, sip::Msg& msg, const CallArg*) { return tm(m).t_lookup_request(msg); }
int w_t_retransmit_reply(Module& m, sip::Msg& msg, const CallArg*) { return tm(m).t_retransmit_reply(msg); }
int w_t_release(Module& m, sip::Msg& msg, const CallArg*) { return tm(m).t_release(msg); }
int w_t_on_reply(Module& m, sip::Msg& msg, const CallArg* a) { return tm(m).t_on_reply(msg, int(a[0].number)); }
int w_t_on_failure(Module& m, sip::Msg& msg, const CallArg* a) { return tm(m).t_on_failure(msg, int(a[0].number)); }
int w_t_check_status(Module& m, sip::Msg& msg, const CallArg* a) {
    return tm(m).t_check_status(msg, &a[0].as<CompiledRe>().re);
}

// t_write_*(dest, "action[/append]"): the append name must be a tw_append.
bool fix_twrite(Module& self, CallArg& arg, int index, std::string& error) {
    if (index != 1) return true;
    auto& info = arg.make<TwInfo>();
    std::string_view text = arg.text;
    size_t slash = text.find('/');
    info.action = std::string(text.substr(0, slash));
    if (info.action.empty()) {
        error = "t_write: empty action name";
        return false;
    }
    if (slash == std::string_view::npos) return true;
    std::string_view name = text.substr(slash + 1);
    for (const auto& a : tm(self).tw_append)
        if (iequals(a->name, name)) info.append = a.get();
    if (!info.append) {
        error = "t_write: no tw_append named '" + std::string(name) + "'";
        return false;
    }
    return true;
}

int w_t_write_req(Module& m, sip::Msg& msg, const CallArg* a) {
    return tm(m).t_write(msg, a[1].as<TwInfo>(), a[0].text, false);
}
int w_t_write_unix(Module& m, sip::Msg& msg, const CallArg* a) {
    return tm(m).t_write(msg, a[1].as<TwInfo>(), a[0].text, true);
}

constexpr unsigned RF = kRequestRoute | kFailureRoute;
constexpr unsigned RFO = kAnyRoute;

const CmdExport cmds[] = {
    {"t_relay", 0, w_t_relay, nullptr, RF},
    {"t_relay_to_udp", 2, w_t_relay_udp, fix_host_port, RF},
    {"t_relay_to_tcp", 2, w_t_relay_tcp, fix_host_port, RF},
    {"t_replicate", 2, w_t_replicate, fix_host_port, kRequestRoute},
    {"t_replicate_udp", 2, w_t_replicate_udp, fix_host_port, kRequestRoute},
    {"t_replicate_tcp", 2, w_t_replicate_tcp, fix_host_port, kRequestRoute},
    {"t_forward_nonack", 2, w_t_forward_nonack, fix_host_port, kRequestRoute},
    {"t_forward_nonack_udp", 2, w_t_forward_nonack_udp, fix_host_port, kRequestRoute},
    {"t_forward_nonack_tcp", 2, w_t_forward_nonack_tcp, fix_host_port, kRequestRoute},
    {"t_forward_nonack_uri", 0, w_t_forward_nonack_uri, nullptr, kRequestRoute},
    {"t_newtran", 0, w_t_newtran, nullptr, kRequestRoute},
    {"t_reply", 2, w_t_reply, fix_code, RF},
    {"t_lookup_request", 0, w_t_lookup_request, nullptr, kRequestRoute},
    {"t_retransmit_reply", 0, w_t_retransmit_reply, nullptr, kRequestRoute},
    {"t_release", 0, w_t_release, nullptr, kRequestRoute},
    {"t_on_reply", 1, w_t_on_reply, fix_route<RouteKind::OnReply>, RFO},
    {"t_on_failure", 1, w_t_on_failure, fix_route<RouteKind::Failure>, RFO},
    {"t_check_status", 1, w_t_check_status, fix_regex, RFO},
    {"t_write_req", 2, w_t_write_req, fix_twrite, RF},
    {"t_write_unix", 2, w_t_write_unix, fix_twrite, RF},
};

bool set_tw_append(Module& self, const ParamValue& v, std::string& error) {
    auto a = std::make_unique<TwAppend>();
    if (!parse_tw_append(v.text, *a, error)) return false;
    for (const auto& other : tm(self).tw_append)
        if (iequals(other->name, a->name)) {
            error = "duplicated tw_append name '" + a->name + "'";
            return false;
        }
    tm(self).tw_append.push_back(std::move(a));
    return true;
}

const ParamExport params[] = {
    {"fr_timer", ParamType::Int, set_int<&Tm::fr_timer_s, 1, 86400>},
    {"fr_inv_timer", ParamType::Int, set_int<&Tm::fr_inv_timer_s, 1, 86400>},
    {"wt_timer", ParamType::Int, set_int<&Tm::wt_timer_s, 1, 3600>},
    {"delete_timer", ParamType::Int, set_int<&Tm::delete_timer_s, 0, 3600>},
    {"retr_timer1p1", ParamType::Int, set_int<&Tm::retr_timer1p1_s, 1, 60>},
    {"retr_timer1p2", ParamType::Int, set_int<&Tm::retr_timer1p2_s, 1, 60>},
    {"retr_timer1p3", ParamType::Int, set_int<&Tm::retr_timer1p3_s, 1, 60>},
    {"retr_timer2", ParamType::Int, set_int<&Tm::retr_timer2_s, 1, 60>},
    {"noisy_ctimer", ParamType::Int, set_int<&Tm::noisy_ctimer, 0, 1>},
    {"ruri_matching", ParamType::Int, set_bool<&Tm::ruri_matching>},
    {"via1_matching", ParamType::Int, set_bool<&Tm::via1_matching>},
    {"uac_from", ParamType::Str, set_str<&Tm::uac_from>},
    {"unix_tx_timeout", ParamType::Int, set_int<&Tm::unix_tx_timeout_s, 0, 3600>},
    {"restart_fr_on_each_reply", ParamType::Int, set_bool<&Tm::restart_fr_on_each_reply>},
    {"fr_timer_avp", ParamType::Str, set_str<&Tm::fr_timer_avp>},
    {"fr_inv_timer_avp", ParamType::Str, set_str<&Tm::fr_inv_timer_avp>},
    {"tw_append", ParamType::Str, set_tw_append},
};

// ---- FIFO ------------------------------------------------------------------------

int fifo_stats(Module& self, FifoRequest& req) {
    const Stats& s = tm(self).stats();
    const std::string pad = "      ";
    req.reply("200 ok\n");
    req.reply(fmt::format("Current: {} ({} waiting) Total: {} ({} local) {}\n", s.current.load(), s.waiting.load(),
                          s.total.load(), s.local.load(), pad));
    req.reply(fmt::format("Replied localy: {}{}\n", s.replied_locally.load(), pad));
    req.reply(fmt::format("Completion status 6xx: {}, 5xx: {}, 4xx: {}, 3xx: {},2xx: {}{}\n", s.completed[6].load(),
                          s.completed[5].load(), s.completed[4].load(), s.completed[3].load(), s.completed[2].load(),
                          pad));
    return 1;
}

int fifo_hash(Module& self, FifoRequest& req) {
    req.reply("200 ok\n");
    req.reply(tm(self).hash_stats());
    return 1;
}

const FifoExport fifo[] = {
    {"t_uac_dlg", fifo_uac_dlg},
    {"t_uac_cancel", fifo_uac_cancel},
    {"t_stats", fifo_stats},
    {"t_hash", fifo_hash},
    {"t_reply", fifo_t_reply},
};

}  // namespace
}  // namespace ser::mod::tm

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "tm", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::tm::Tm; },
    ::ser::mod::tm::cmds, SER_COUNT(::ser::mod::tm::cmds),
    ::ser::mod::tm::params, SER_COUNT(::ser::mod::tm::params),
    ::ser::mod::tm::fifo, SER_COUNT(::ser::mod::tm::fifo), nullptr, 0,
    ::ser::kHookOnReply | ::ser::kHookPostScript}))
