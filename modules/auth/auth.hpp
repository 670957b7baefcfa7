// auth: the generic part of digest authentication (modules.md §8):
// challenges, nonces, the credentials a backend (auth_db) authorized, and
// the Remote-Party-ID helpers. Backends reach it through api::AuthApi.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "modules/auth/md5.hpp"
#include "ser/metrics.hpp"
#include "ser/api/auth.hpp"
#include "ser/api/sl.hpp"
#include "ser/module.hpp"
#include "ser/sip/header.hpp"

namespace ser::mod::auth {

class Auth : public Module, public api::AuthApi {
public:
    // ---- parameters (§8.1)
    std::string secret;
    bool secret_set = false;          // "secret" given; else a random one per start
    int nonce_expire = 300;
    std::string realm_prefix;
    std::string rpid_prefix;
    std::string rpid_suffix = ";party=calling;id-type=subscriber;screen=yes";
    std::string rpid_avp_name = "rpid";

    bool init(Core& core) override;

    // ---- AuthApi
    std::optional<std::string_view> authorized_user(const sip::Msg& msg) const override;
    std::optional<api::AuthorizedCred> authorized(const sip::Msg& msg) const override;
    api::AuthResult pre_auth(sip::Msg& msg, std::string_view realm, sip::HdrType hf_type,
                             api::AuthCheck& out) override;
    api::AuthResult post_auth(sip::Msg& msg, const api::AuthCheck& check, std::string_view rpid) override;
    std::string_view rpid_avp() const override { return rpid_avp_name; }

    // ---- script functions (§8.2)
    // www_challenge (401) / proxy_challenge (407): 0 after the reply, -1 on error.
    int challenge(sip::Msg& msg, std::string_view realm, bool qop, int code);
    int consume_credentials(sip::Msg& msg);
    int append_rpid_hf(sip::Msg& msg, std::string_view prefix, std::string_view suffix);
    int is_rpid_user_e164(sip::Msg& msg);

    // A new nonce expiring nonce_expire seconds from now.
    std::string new_nonce() const;

    // ---- per-message state: which credentials were authorized (kept in a
    // message slot, so every worker thread has its own)
    // The authorized header of that kind (Authorization / ProxyAuthorization), or null.
    const sip::HeaderField* authorized_header(const sip::Msg& msg, sip::HdrType t) const;
    // Authorization first, then Proxy-Authorization (SER's order).
    const sip::HeaderField* any_authorized_header(const sip::Msg& msg) const;
    bool authorized_stale(const sip::Msg& msg, sip::HdrType t) const;

private:
    void mark_authorized(sip::Msg& msg, const sip::HeaderField* h, bool stale) const;
    // §8.3: the host of To (REGISTER with WWW credentials) or From, without
    // realm_prefix. False when the URI cannot be parsed.
    bool derive_realm(const sip::Msg& msg, sip::HdrType t, std::string_view& realm) const;
    void send(sip::Msg& msg, int code, std::string_view reason);

    api::SlApi* sl_ = nullptr;
    int slot_ = -1;
    // ser_auth_failures_total by reason, ser_auth_authorized_total, ser_auth_challenges_total{code}
    metrics::Counter bad_nonce_, malformed_, stale_, authorized_, challenges_401_, challenges_407_;
    Md5Method md5_;
};

}  // namespace ser::mod::auth
