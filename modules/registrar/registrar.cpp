// The registrar module's descriptor: parameters, functions and their
// fix-ups (the table names become usrloc domains at start-up).
#include "modules/registrar/registrar.hpp"

#include <fmt/format.h>

#include "ser/api.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/params.hpp"

namespace ser::mod::registrar {

bool Registrar::init(Core& core) {
    core_ = &core;
    sl = import_api<api::SlApi>(core);
    if (!sl) {
        SER_ERR("registrar: the sl module must be loaded before registrar");
        return false;
    }
    ul = import_api<api::UsrlocApi>(core);
    if (!ul) {
        SER_ERR("registrar: the usrloc module must be loaded before registrar");
        return false;
    }
    if (ul->use_domain() != use_domain) {
        SER_ERR("registrar: use_domain ({}) differs from usrloc's use_domain ({}): set both alike", int(use_domain),
                int(ul->use_domain()));
        return false;
    }
    return true;
}

namespace {

Registrar& reg(Module& m) { return self_as<Registrar>(m); }
api::UsrlocDomain* domain(const CallArg* a) { return a[0].as<api::UsrlocDomain*>(); }

bool fixup_table(Module& self, CallArg& arg, int index, std::string& error) {
    Registrar& r = reg(self);
    if (!r.ul) {
        error = "usrloc is not loaded";
        return false;
    }
    std::string e;
    api::UsrlocDomain* d = r.ul->register_domain(arg.text, e);
    if (!d) {
        error = fmt::format("cannot register usrloc table '{}': {}", arg.text, e);
        return false;
    }
    arg.make<api::UsrlocDomain*>(d);
    return true;
}

int w_save(Module& m, sip::Msg& msg, const CallArg* a) { return reg(m).save(msg, domain(a), true, false); }
int w_save_noreply(Module& m, sip::Msg& msg, const CallArg* a) { return reg(m).save(msg, domain(a), false, false); }
int w_save_memory(Module& m, sip::Msg& msg, const CallArg* a) { return reg(m).save(msg, domain(a), true, true); }
int w_lookup(Module& m, sip::Msg& msg, const CallArg* a) { return reg(m).lookup(msg, domain(a)); }
int w_registered(Module& m, sip::Msg& msg, const CallArg* a) { return reg(m).registered(msg, domain(a)); }

const CmdExport cmds[] = {
    {"save", 1, w_save, fixup_table, kRequestRoute},
    {"save_noreply", 1, w_save_noreply, fixup_table, kRequestRoute},
    {"save_memory", 1, w_save_memory, fixup_table, kRequestRoute},
    {"lookup", 1, w_lookup, fixup_table, kRequestRoute | kFailureRoute},
    {"registered", 1, w_registered, fixup_table, kRequestRoute | kFailureRoute},
};

bool set_default_q(Module& m, const ParamValue& v, std::string&) {
    // Thousandths, clamped to 0..1000 (SER's code, not its README).
    reg(m).default_q = v.number < 0 ? 0 : v.number > 1000 ? 1000 : int(v.number);
    return true;
}

const ParamExport params[] = {
    {"default_expires", ParamType::Int, set_int<&Registrar::default_expires, 0, 0x7fffffff>},
    {"min_expires", ParamType::Int, set_int<&Registrar::min_expires, 0, 0x7fffffff>},
    {"max_expires", ParamType::Int, set_int<&Registrar::max_expires, 0, 0x7fffffff>},
    {"default_q", ParamType::Int, set_default_q},
    {"append_branches", ParamType::Int, set_bool<&Registrar::append_branches>},
    {"case_sensitive", ParamType::Int, set_bool<&Registrar::case_sensitive>},
    {"desc_time_order", ParamType::Int, set_bool<&Registrar::desc_time_order>},
    {"nat_flag", ParamType::Int, set_int<&Registrar::nat_flag, 0, 31>},
    {"realm_prefix", ParamType::Str, set_str<&Registrar::realm_prefix>},
    {"use_domain", ParamType::Int, set_bool<&Registrar::use_domain>},
    {"received_avp", ParamType::Int, set_int<&Registrar::received_avp, 0, 0x7fffffff>},
    {"received_param", ParamType::Str, set_str<&Registrar::received_param>},
    {"max_contacts", ParamType::Int, set_int<&Registrar::max_contacts, 0, 0x7fffffff>},
    {"retry_after", ParamType::Int, set_int<&Registrar::retry_after, 0, 0x7fffffff>},
};

}  // namespace

}  // namespace ser::mod::registrar

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "registrar", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::registrar::Registrar; },
    ::ser::mod::registrar::cmds, SER_COUNT(::ser::mod::registrar::cmds),
    ::ser::mod::registrar::params, SER_COUNT(::ser::mod::registrar::params),
    nullptr, 0, nullptr, 0, 0}))
