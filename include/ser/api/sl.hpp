// The sl module's API for other modules (registrar, auth send their replies
// through it, modules.md §0.4). sl registers it at init:
//   core.register_api(ser::api::kSlApiName, static_cast<ser::api::SlApi*>(sl));
// and a user casts back the same way:
//   auto* sl = static_cast<ser::api::SlApi*>(core.find_api(ser::api::kSlApiName));
#pragma once

#include <string_view>

namespace ser::sip { class Msg; }

namespace ser::api {

inline constexpr std::string_view kSlApiName = "sl";

class SlApi {
public:
    virtual ~SlApi() = default;
    // sl_send_reply(code, reason): same rules as the script function (ACK
    // refused, To-tag, 3xx Contact, reply lumps, statistics). 1 or -1.
    virtual int send_reply(sip::Msg& req, int code, std::string_view reason) = 0;
    // sl_reply_error(): reply built from the previous action's error.
    virtual int reply_error(sip::Msg& req) = 0;
};

}  // namespace ser::api
