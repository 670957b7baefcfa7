// The sl module's API for other modules (registrar, auth send their replies
// through it, modules.md §0.4). sl exports it at init, users import it:
//   export_api<ser::api::SlApi>(core, this);
//   ser::api::SlApi* sl = import_api<ser::api::SlApi>(core);
#pragma once

#include <cstdint>
#include <string_view>

namespace ser::sip { class Msg; }

namespace ser::api {

class SlApi {
public:
    static constexpr std::string_view kName = "sl";
    static constexpr uint32_t kVersion = 1;

    virtual ~SlApi() = default;
    // sl_send_reply(code, reason): same rules as the script function (ACK
    // refused, To-tag, 3xx Contact, reply lumps, statistics). 1 or -1.
    virtual int send_reply(sip::Msg& req, int code, std::string_view reason) = 0;
    // sl_reply_error(): reply built from the previous action's error.
    virtual int reply_error(sip::Msg& req) = 0;
};

}  // namespace ser::api
