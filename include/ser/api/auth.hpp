// The auth module's API for other modules (modules.md §8.5): the steps of
// digest authorization that every backend shares, and the credentials a
// backend accepted for a message. uri's is_user() and uri_db's check_to()
// read the authorized credentials; auth_db runs pre_auth, checks the
// password itself and finishes with post_auth.
// auth exports it at init:
//   export_api<ser::api::AuthApi>(core, this);
// and users look it up when needed (uri may be loaded before auth):
//   ser::api::AuthApi* a = import_api<ser::api::AuthApi>(core);
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "ser/sip/digest.hpp"
#include "ser/sip/header.hpp"

namespace ser::sip { class Msg; }

namespace ser::api {

// SER's auth_result_t.
enum class AuthResult {
    Error,            // a reply was sent (400/500); the function returns 0
    NotAuthorized,    // no usable credentials or a wrong one; returns -1
    DoAuthorization,  // pre_auth: credentials found, the backend checks them
    Authorized,       // returns 1
};

// The credentials pre_auth selected (views into the message and into the
// realm argument, valid while both are).
struct AuthCheck {
    sip::HdrType hf_type = sip::HdrType::Authorization;   // or ProxyAuthorization
    const sip::HeaderField* header = nullptr;
    sip::Credentials cred;
    std::string_view realm;        // the realm used: the argument, or derived (§8.3)
    std::string_view user;         // digest username before any '@'
    std::string_view domain;       // after the '@' ("" without one)
};

// The authorized credentials of a message (SER's get_authorized_cred).
struct AuthorizedCred {
    std::string_view username;     // whole digest username
    std::string_view user;         // before any '@'
    std::string_view realm;        // realm parameter of the credentials
};

class AuthApi {
public:
    static constexpr std::string_view kName = "auth";
    static constexpr uint32_t kVersion = 2;

    virtual ~AuthApi() = default;
    // The user part (before any '@') of the digest username of the
    // credentials that www_authorize/proxy_authorize accepted for `msg`
    // (SER's get_authorized_cred: Authorization first, then
    // Proxy-Authorization). nullopt when nothing was authorized. The view
    // points into the message buffer.
    virtual std::optional<std::string_view> authorized_user(const sip::Msg& msg) const = 0;

    // The members below are what the auth module provides to backends.
    // Their defaults serve providers that only answer authorized_user()
    // (uri's test double): nothing is ever authorized through them.

    // Same look-up with the realm and whole username (uri_db's check_to).
    virtual std::optional<AuthorizedCred> authorized(const sip::Msg& msg) const { return std::nullopt; }

    // Steps 1-5 of §8.5 for Authorization (hf_type Authorization) or
    // Proxy-Authorization: ACK/CANCEL -> Authorized; realm = `realm` or
    // derived; the first Digest credentials of that realm; their
    // completeness (400 sent -> Error); the nonce. DoAuthorization fills `out`.
    virtual AuthResult pre_auth(sip::Msg& msg, std::string_view realm, sip::HdrType hf_type, AuthCheck& out) {
        return AuthResult::NotAuthorized;
    }
    // Steps 7-8 after the backend found the response correct: stale nonce ->
    // NotAuthorized; marks the credentials as the message's authorized ones;
    // stores `rpid` (empty: none) for append_rpid_hf / is_rpid_user_e164.
    virtual AuthResult post_auth(sip::Msg& msg, const AuthCheck& check, std::string_view rpid) {
        return AuthResult::NotAuthorized;
    }
    // Name of the string AVP in which post_auth stores the RPID.
    virtual std::string_view rpid_avp() const { return {}; }
};

}  // namespace ser::api
