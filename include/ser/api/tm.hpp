// The tm module's API for other modules: send requests of our own (t_uac,
// used by nathelper's SIP pings and the management interface's t_uac_dlg)
// and observe transaction events. tm exports it at init:
//   export_api<ser::api::TmApi>(core, this);
// users import it at their init (tm must be loaded earlier):
//   ser::api::TmApi* tm = import_api<ser::api::TmApi>(core);
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ser::sip { class Msg; }

namespace ser::api {

// Transaction events (SER's TMCB_* of 0.9).
enum TmEvent : unsigned {
    kTmRequestIn = 1u << 0,      // a new transaction was created (global callbacks only)
    kTmResponseIn = 1u << 1,     // a reply arrived for the transaction
    kTmOnFailure = 1u << 2,      // all branches failed; before failure_route
    kTmResponseOut = 1u << 3,    // a final reply was sent upstream (relayed or local)
    kTmLocalCompleted = 1u << 4, // a transaction of our own (t_uac) got its final reply
    kTmDestroy = 1u << 5,        // the transaction is being freed
};

// What a callback sees. Pointers are valid only during the call.
struct TmEventInfo {
    unsigned event = 0;
    const sip::Msg* request = nullptr;   // the transaction's stored request
    const sip::Msg* reply = nullptr;     // the reply concerned (null for local ones)
    int code = 0;                        // reply status
    uint32_t hash = 0, label = 0;        // the transaction's identity (FIFO t_reply's hash:label)
};

using TmCallback = std::function<void(const TmEventInfo&)>;

// A request sent by tm on its own (not proxied): a client transaction with
// retransmissions over UDP and fr_timer.
struct UacRequest {
    std::string_view method;           // "OPTIONS", "INVITE", ...
    std::string_view ruri;             // Request-URI
    std::string_view next_hop;         // URI to send to; empty = ruri
    std::string_view from;             // From header value (a tag is added when it has none)
    std::string_view to;               // To header value
    std::string_view call_id;          // empty = generated
    uint32_t cseq = 1;
    std::string_view extra_headers;    // verbatim lines, each ending in CRLF
    std::string_view body;             // Content-Type must be in extra_headers when not empty
};

class TmApi {
public:
    static constexpr std::string_view kName = "tm";
    static constexpr uint32_t kVersion = 1;

    virtual ~TmApi() = default;

    // Sends `r`; `done` (may be empty) is called once with the final reply
    // (code 408 on timeout, 477/478 when nothing could be sent). 1 sent,
    // < 0 a SerError when the request could not be built or sent.
    virtual int t_uac(const UacRequest& r, TmCallback done) = 0;

    // Callbacks for every transaction (only kTmRequestIn and kTmDestroy
    // make sense globally); registered at init, before traffic.
    virtual bool register_global_callback(unsigned events, TmCallback cb) = 0;
    // Callbacks on the transaction of `msg` (a request after t_newtran /
    // t_relay in the same script run, or a reply in onreply_route).
    // False when the message has no transaction.
    virtual bool register_callback(sip::Msg& msg, unsigned events, TmCallback cb) = 0;

    // The status of the last reply sent upstream for the transaction of
    // `msg` (0 none yet, -1 no transaction).
    virtual int reply_status(sip::Msg& msg) = 0;
};

}  // namespace ser::api
