// rr's module glue: parameters and script functions (modules.md §4.1-4.2).
#include "modules/rr/rr.hpp"

#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/params.hpp"
#include "ser/sip/msg.hpp"

namespace ser::mod::rr {

bool Rr::init(Core& core) {
    core_ = &core;
    slot_ = core.allocate_msg_slot();
    if (slot_ < 0) {
        SER_ERR("rr: no free message slot");
        return false;
    }
    return true;
}

namespace {

int w_record_route(Module& m, sip::Msg& msg, const CallArg*) { return self_as<Rr>(m).record_route(msg); }
int w_record_route_preset(Module& m, sip::Msg& msg, const CallArg* a) {
    return self_as<Rr>(m).record_route_preset(msg, a[0].text);
}
int w_loose_route(Module& m, sip::Msg& msg, const CallArg*) { return self_as<Rr>(m).loose_route(msg); }
int w_strict(Module&, sip::Msg&, const CallArg*) { return -1; }

const CmdExport cmds[] = {
    {"record_route", 0, w_record_route, nullptr, kRequestRoute},
    {"record_route_preset", 1, w_record_route_preset, nullptr, kRequestRoute},
    {"loose_route", 0, w_loose_route, nullptr, kRequestRoute},
    // Exported but allowed in no block [quirk]: any use is a load-time error.
    {"record_route_strict", 0, w_strict, nullptr, 0},
};

const ParamExport params[] = {
    {"enable_full_lr", ParamType::Int, set_bool<&Rr::enable_full_lr>},
    {"append_fromtag", ParamType::Int, set_bool<&Rr::append_fromtag>},
    {"enable_double_rr", ParamType::Int, set_bool<&Rr::enable_double_rr>},
    {"add_username", ParamType::Int, set_bool<&Rr::add_username>},
};

}  // namespace
}  // namespace ser::mod::rr

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "rr", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::rr::Rr; },
    ::ser::mod::rr::cmds, SER_COUNT(::ser::mod::rr::cmds),
    ::ser::mod::rr::params, SER_COUNT(::ser::mod::rr::params),
    nullptr, 0, nullptr, 0, 0}))
