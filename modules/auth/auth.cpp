// auth's module glue: parameters, start-up and script functions (modules.md §8.1-8.2).
#include "modules/auth/auth.hpp"

#include <climits>
#include <ctime>

#include <openssl/rand.h>

#include "modules/auth/auth_metrics.hpp"
#include "modules/auth/nonce.hpp"
#include "ser/api.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/params.hpp"
#include "ser/text.hpp"

namespace ser::mod::auth {

namespace {

constexpr size_t kRandomSecretLen = 32;

// 32 printable characters (' ' .. '~') from the system's CSPRNG; rejection
// sampling keeps every character equally likely.
bool random_secret(std::string& out) {
    out.clear();
    unsigned char buf[64];
    while (out.size() < kRandomSecretLen) {
        if (RAND_bytes(buf, sizeof buf) != 1) return false;
        for (unsigned char b : buf) {
            if (b >= 190) continue;   // 190 = 2 * 95
            out.push_back(char(32 + b % 95));
            if (out.size() == kRandomSecretLen) break;
        }
    }
    return true;
}

}  // namespace

bool Auth::init(Core& core) {
    core_ = &core;
    sl_ = import_api<api::SlApi>(core);
    if (!sl_) {
        SER_ERR("auth:mod_init(): This module requires sl module");
        return false;
    }
    if (!secret_set && !random_secret(secret)) {
        SER_ERR("auth: cannot generate a random secret");
        return false;
    }
    slot_ = core.allocate_msg_slot();
    if (slot_ < 0) {
        SER_ERR("auth: no free message slot");
        return false;
    }
    if (!export_api<api::AuthApi>(core, this)) {
        SER_ERR("auth: cannot register the auth API");
        return false;
    }
    metrics::Registry& r = core.metrics();
    bad_nonce_ = failure_counter(r, "invalid_nonce");
    malformed_ = failure_counter(r, "malformed");
    stale_ = failure_counter(r, "stale_nonce");
    authorized_ = r.counter("ser_auth_authorized_total", "Credentials accepted (digest checked, nonce fresh)");
    challenges_401_ = r.counter("ser_auth_challenges_total", "Challenges sent (www_challenge 401, proxy_challenge 407)",
                                {"code"}, {"401"});
    challenges_407_ = r.counter("ser_auth_challenges_total", "Challenges sent (www_challenge 401, proxy_challenge 407)",
                                {"code"}, {"407"});
    return true;
}

std::string Auth::new_nonce() const {
    return make_nonce(uint32_t(std::time(nullptr) + nonce_expire), secret, md5_.get());
}

void Auth::send(sip::Msg& msg, int code, std::string_view reason) {
    if (sl_->send_reply(msg, code, reason) < 0) SER_ERR("auth: Error while sending {} reply", code);
}

namespace {

bool set_secret(Module& self, const ParamValue& v, std::string&) {
    auto& a = self_as<Auth>(self);
    a.secret = std::string(v.text);
    a.secret_set = true;
    return true;
}

// (realm, qop): the realm as written; qop a number (SER's str2s), non-zero adds qop="auth".
bool fixup_challenge(Module&, CallArg& arg, int index, std::string& error) {
    if (index != 1) return true;
    unsigned v = 0;
    if (!str2s(arg.text, v)) {
        error = fmt::format("challenge_fixup(): Bad number <{}>", arg.text);
        return false;
    }
    arg.number = long(v);
    return true;
}

int w_www_challenge(Module& m, sip::Msg& msg, const CallArg* a) {
    return self_as<Auth>(m).challenge(msg, a[0].text, a[1].number != 0, 401);
}
int w_proxy_challenge(Module& m, sip::Msg& msg, const CallArg* a) {
    return self_as<Auth>(m).challenge(msg, a[0].text, a[1].number != 0, 407);
}
int w_consume(Module& m, sip::Msg& msg, const CallArg*) { return self_as<Auth>(m).consume_credentials(msg); }
int w_is_e164(Module& m, sip::Msg& msg, const CallArg*) { return self_as<Auth>(m).is_rpid_user_e164(msg); }
int w_append_rpid(Module& m, sip::Msg& msg, const CallArg*) {
    auto& a = self_as<Auth>(m);
    return a.append_rpid_hf(msg, a.rpid_prefix, a.rpid_suffix);
}
int w_append_rpid_p(Module& m, sip::Msg& msg, const CallArg* a) {
    return self_as<Auth>(m).append_rpid_hf(msg, a[0].text, a[1].text);
}

const CmdExport cmds[] = {
    {"www_challenge", 2, w_www_challenge, fixup_challenge, kRequestRoute},
    {"proxy_challenge", 2, w_proxy_challenge, fixup_challenge, kRequestRoute},
    {"consume_credentials", 0, w_consume, nullptr, kRequestRoute},
    {"is_rpid_user_e164", 0, w_is_e164, nullptr, kRequestRoute},
    {"append_rpid_hf", 0, w_append_rpid, nullptr, kRequestRoute},
    {"append_rpid_hf", 2, w_append_rpid_p, nullptr, kRequestRoute},
};

const ParamExport params[] = {
    {"secret", ParamType::Str, set_secret},
    {"nonce_expire", ParamType::Int, set_int<&Auth::nonce_expire, 0, INT_MAX / 2>},
    {"realm_prefix", ParamType::Str, set_str<&Auth::realm_prefix>},
    {"rpid_prefix", ParamType::Str, set_str<&Auth::rpid_prefix>},
    {"rpid_suffix", ParamType::Str, set_str<&Auth::rpid_suffix>},
    {"rpid_avp", ParamType::Str, set_str<&Auth::rpid_avp_name>},
};

}  // namespace
}  // namespace ser::mod::auth

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "auth", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::auth::Auth; },
    ::ser::mod::auth::cmds, SER_COUNT(::ser::mod::auth::cmds),
    ::ser::mod::auth::params, SER_COUNT(::ser::mod::auth::params),
    nullptr, 0, nullptr, 0, 0}))
