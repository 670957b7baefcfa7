// The auth module's API for other modules. uri's is_user() reads the
// authorized credentials through it; auth_db will need more (pre_auth /
// post_auth) and may extend this interface — auth owns it.
// auth exports it at init:
//   export_api<ser::api::AuthApi>(core, this);
// and users look it up when needed (uri may be loaded before auth):
//   ser::api::AuthApi* a = import_api<ser::api::AuthApi>(core);
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ser::sip { class Msg; }

namespace ser::api {

class AuthApi {
public:
    static constexpr std::string_view kName = "auth";
    static constexpr uint32_t kVersion = 1;

    virtual ~AuthApi() = default;
    // The user part (before any '@') of the digest username of the
    // credentials that www_authorize/proxy_authorize accepted for `msg`
    // (SER's get_authorized_cred: Authorization first, then
    // Proxy-Authorization). nullopt when nothing was authorized. The view
    // points into the message buffer.
    virtual std::optional<std::string_view> authorized_user(const sip::Msg& msg) const = 0;
};

}  // namespace ser::api
