// sl: stateless replies (modules.md §2). Registered as "sl_module" [quirk].
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "modules/sl/stats.hpp"
#include "ser/api/sl.hpp"
#include "ser/module.hpp"

namespace ser::mod::sl {

// A stateless reply makes the ACK filter active for this long (SER's
// SL_RPL_WAIT_TIME, 2 ticks of one second).
inline constexpr uint64_t kAckWindowMs = 2000;

class Sl : public Module, public api::SlApi {
public:
    bool init(Core& core) override;
    // The ACK filter (§2.3): 0 drops an ACK to one of our stateless replies.
    int pre_script(sip::Msg& msg) override;

    int send_reply(sip::Msg& req, int code, std::string_view reason) override;
    int reply_error(sip::Msg& req) override;

    const Stats& stats() const { return stats_; }
    // The To-tag this instance gives replies to `req` ("" without a top Via).
    std::string tag_for(const sip::Msg& req) const;

private:
    std::string tag_prefix_;                 // 32 hex digits, fixed at init
    std::atomic<uint64_t> ack_deadline_ms_{0};   // filter ACKs before this time
    Stats stats_;
};


// "<text> (<n>/SL)" and the reply code for an internal error (§2.2 table).
struct ErrorReply {
    int code;
    std::string reason;
};
ErrorReply error_reply(int ser_error);

}  // namespace ser::mod::sl
