// The nathelper module's descriptor: parameters (§12.1), functions and
// their fix-ups (§12.2), start-up, and the NAT ping timer.
#include "modules/nathelper/nathelper.hpp"
#include "modules/nathelper/fifo_cmds.hpp"

#include <charconv>

#include <fmt/format.h>

#include "ser/api.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/params.hpp"
#include "ser/text.hpp"

namespace ser::mod::nathelper {

bool Nathelper::init(Core& core) {
    core_ = &core;
    if (natping_interval > 0) {
        ul = import_api<api::UsrlocApi>(core);
        if (!ul) {
            SER_ERR("nathelper: natping_interval needs the usrloc module, loaded before nathelper");
            return false;
        }
        if (!natping_method.empty() && !iequals(natping_method, "NULL")) {
            for (char& c : natping_method) c = char(c >= 'a' && c <= 'z' ? c - 32 : c);
            tm = import_api<api::TmApi>(core);
            if (!tm) {
                SER_ERR("nathelper: natping_method needs the tm module, loaded before nathelper");
                return false;
            }
        } else {
            natping_method.clear();
        }
    }
    if (!force_socket.empty()) {
        for (const auto& s : core.sockets())
            if (s.proto == PROTO_UDP && (s.name == force_socket || s.address_text == force_socket)) {
                ping_socket = &s;
                break;
            }
        if (!ping_socket) SER_WARN("nathelper: force_socket '{}' is not a UDP listen socket: ignored", force_socket);
    }
    if (rtpproxy_disable) return true;
    std::string error;
    RtppSet::Options o{rtpproxy_disable_tout, rtpproxy_retr, rtpproxy_tout};
    if (!proxies.init(core, rtpproxy_sock, o, error)) {
        SER_ERR("nathelper: {}", error);
        return false;
    }
    register_metrics(core);
    // Checked once at start, so that a missing proxy is reported before
    // the first call (it is tested again on use after rtpproxy_disable_tout).
    if (!core.check_only())
        for (size_t i = 0; i < proxies.size(); ++i) proxies.select({}, int(i));
    return true;
}

bool Nathelper::child_init(int) { return true; }

void Nathelper::destroy() { proxies.close_all(); }

namespace {

Nathelper& nh(Module& m) { return self_as<Nathelper>(m); }

bool fixup_number(Module&, CallArg& arg, int, std::string& error) {
    std::string_view t = trim_ws(arg.text);
    long v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size() || v < 0) {
        error = fmt::format("'{}' is not a number", arg.text);
        return false;
    }
    arg.number = v;
    return true;
}

bool fixup_force(Module&, CallArg& arg, int index, std::string& error) {
    if (index == 0) parse_force_flags(arg.text, arg.make<ForceFlags>());   // bad letters fail at run time (§12.6)
    return true;
}

int w_nat_uac_test(Module& m, sip::Msg& msg, const CallArg* a) { return nh(m).nat_uac_test(msg, unsigned(a[0].number)); }
int w_fix_nated_contact(Module& m, sip::Msg& msg, const CallArg*) { return nh(m).fix_nated_contact(msg); }
int w_fix_nated_sdp(Module& m, sip::Msg& msg, const CallArg* a) { return nh(m).fix_nated_sdp(msg, unsigned(a[0].number)); }
int w_fix_nated_register(Module& m, sip::Msg& msg, const CallArg*) { return nh(m).fix_nated_register(msg); }
int w_add_rcv_param(Module& m, sip::Msg& msg, const CallArg*) { return nh(m).add_rcv_param(msg); }
int w_force0(Module& m, sip::Msg& msg, const CallArg*) { return nh(m).force_rtp_proxy(msg, ForceFlags{}, {}); }
int w_force1(Module& m, sip::Msg& msg, const CallArg* a) { return nh(m).force_rtp_proxy(msg, a[0].as<ForceFlags>(), {}); }
int w_force2(Module& m, sip::Msg& msg, const CallArg* a) {
    return nh(m).force_rtp_proxy(msg, a[0].as<ForceFlags>(), trim_ws(a[1].text));
}
int w_unforce0(Module& m, sip::Msg& msg, const CallArg*) { return nh(m).unforce_rtp_proxy(msg, -1); }
int w_unforce1(Module& m, sip::Msg& msg, const CallArg* a) { return nh(m).unforce_rtp_proxy(msg, int(a[0].number)); }

const CmdExport cmds[] = {
    {"nat_uac_test", 1, w_nat_uac_test, fixup_number, kAnyRoute},
    {"fix_nated_contact", 0, w_fix_nated_contact, nullptr, kRequestRoute | kOnReplyRoute},
    {"fix_nated_sdp", 1, w_fix_nated_sdp, fixup_number, kAnyRoute},
    {"force_rtp_proxy", 0, w_force0, nullptr, kRequestRoute | kOnReplyRoute},
    {"force_rtp_proxy", 1, w_force1, fixup_force, kRequestRoute | kOnReplyRoute},
    {"force_rtp_proxy", 2, w_force2, fixup_force, kRequestRoute | kOnReplyRoute},
    {"unforce_rtp_proxy", 0, w_unforce0, nullptr, kAnyRoute},
    {"unforce_rtp_proxy", 1, w_unforce1, fixup_number, kAnyRoute},
    {"fix_nated_register", 0, w_fix_nated_register, nullptr, kRequestRoute},
    {"add_rcv_param", 0, w_add_rcv_param, nullptr, kRequestRoute},
};

const ParamExport params[] = {
    {"natping_interval", ParamType::Int, set_int<&Nathelper::natping_interval, 0, 86400>},
    {"ping_nated_only", ParamType::Int, set_bool<&Nathelper::ping_nated_only>},
    {"rtpproxy_sock", ParamType::Str, set_str<&Nathelper::rtpproxy_sock>},
    {"rtpproxy_disable", ParamType::Int, set_bool<&Nathelper::rtpproxy_disable>},
    {"rtpproxy_disable_tout", ParamType::Int, set_int<&Nathelper::rtpproxy_disable_tout, -1, 86400>},
    {"rtpproxy_retr", ParamType::Int, set_int<&Nathelper::rtpproxy_retr, 1, 100>},
    {"rtpproxy_tout", ParamType::Int, set_int<&Nathelper::rtpproxy_tout, 1, 60>},
    {"received_avp", ParamType::Int, set_int<&Nathelper::received_avp, 0, 0x7fffffff>},
    {"force_socket", ParamType::Str, set_str<&Nathelper::force_socket>},
    {"natping_method", ParamType::Str, set_str<&Nathelper::natping_method>},
};

unsigned ping_interval_ms(const Module& m) {
    const auto& n = static_cast<const Nathelper&>(m);
    return n.ul && n.natping_interval > 0 ? unsigned(n.natping_interval) * 1000 : 0;
}

void ping_tick(Module& m, uint64_t) { nh(m).ping_round(); }

const TimerExport timers[] = {
    {"natping", ping_interval_ms, ping_tick},
};

const FifoExport fifo[] = {
    {"nh_show_rtpp", fifo_show_rtpp},
    {"nh_enable_rtpp", fifo_enable_rtpp},
};

}  // namespace

}  // namespace ser::mod::nathelper

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "nathelper", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::nathelper::Nathelper; },
    ::ser::mod::nathelper::cmds, SER_COUNT(::ser::mod::nathelper::cmds),
    ::ser::mod::nathelper::params, SER_COUNT(::ser::mod::nathelper::params),
    ::ser::mod::nathelper::fifo, SER_COUNT(::ser::mod::nathelper::fifo),
    ::ser::mod::nathelper::timers, SER_COUNT(::ser::mod::nathelper::timers), 0}))
