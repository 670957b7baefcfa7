// What the core offers to modules. Modules receive a Core& at init() and
// never include runtime/ headers; tests can supply their own Core.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ser/route.hpp"
#include "ser/settings.hpp"
#include "ser/socket.hpp"
#include "ser/timer.hpp"

namespace ser {

namespace sip { class Msg; }
namespace metrics { class Registry; }

// Internal error codes left by the last action (SER's ser_error), read by
// sl_reply_error() / tm to build "<code> <text> (<n>/SL)" replies.
enum SerError : int {
    E_UNSPEC = -1,
    E_OUT_OF_MEM = -2,
    E_BAD_RE = -3,
    E_BAD_ADDRESS = -4,
    E_BUG = -5,
    E_CFG = -6,
    E_NO_SOCKET = -7,
    E_BAD_TUPEL = -9,
    E_EXEC = -11,
    E_TOO_MANY_BRANCHES = -12,
    E_BAD_TO = -13,
    E_INVALID_PARAMS = -14,
    E_Q_INV_CHAR = -15,
    E_Q_EMPTY = -16,
    E_Q_TOO_BIG = -17,
    E_Q_DEC_MISSING = -18,
    E_SEND = -477,
    E_BAD_ADDRESS_RESOLVE = -478,
    E_BAD_REQ = -400,
    E_BAD_URI = -479,
    E_BAD_SERVER = -500,
};

// Where and how to send bytes.
struct Destination {
    int proto = PROTO_UDP;
    IpAddr ip;
    uint16_t port = 0;
    uint64_t conn_id = 0;                 // TCP: reuse this connection if still open
    const SocketInfo* send_socket = nullptr;  // null = choose (core-runtime §6.2)
};

// One destination of a forwarded request (core-runtime §6): the core's own
// forward() and every branch of tm are built from this.
struct ForwardTarget {
    std::string_view uri;          // Request-URI to write; empty = msg.current_uri()
    std::string_view dst_uri;      // next hop; empty = msg.dst_uri if uri is empty, else uri
    std::string_view branch;       // our Via's branch value; empty = the core's stateless branch
    int proto = PROTO_NONE;        // forced transport; NONE = the next hop URI's transport= (UDP)
    const IpAddr* ip = nullptr;    // fixed next hop (forward(ip, port), t_relay_to_*): URI host not used
    uint16_t port = 0;             // with `ip`, or to override the URI's port; 0 = from the URI / 5060
};

// A built request: the bytes and where they go (send_socket chosen).
struct OutRequest {
    std::string data;
    Destination dst;
};

// Options of the core's local reply builder (core-runtime §6.7).
struct LocalReply {
    int code = 0;
    std::string_view reason;
    std::string_view to_tag;         // added when >= 180 and To has no tag (caller decides)
    std::string_view extra_headers;  // verbatim, each ending in CRLF
    std::string_view body;
};

class Core {
public:
    virtual ~Core() = default;

    virtual const Settings& settings() const = 0;
    virtual const std::vector<SocketInfo>& sockets() const = 0;

    // host/port identify this server (listen sockets and aliases, §8.4).
    // port 0 means "no port in the URI" -> 5060.
    virtual bool is_myself(std::string_view host, uint16_t port, int proto = PROTO_NONE) const = 0;

    // Builds a local reply to `req` and sends it where core-runtime §6.7 says,
    // from the socket the request came in on. Returns 1 ok, < 0 error.
    virtual int send_local_reply(sip::Msg& req, const LocalReply& r) = 0;
    // The bytes of such a reply without sending (tm keeps them for retransmission).
    virtual std::string build_local_reply(sip::Msg& req, const LocalReply& r) = 0;
    // Where a local reply to `req` goes.
    virtual bool local_reply_destination(sip::Msg& req, Destination& out) = 0;

    // Sends bytes; chooses the socket when dst.send_socket is null
    // (core-runtime §6.2: mhomed, then the first socket of the family).
    virtual int send(const Destination& dst, std::string_view data) = 0;
    // The socket a message would leave from (§6.2): force_send_socket and
    // the receiving socket of `msg` (may be null), mhomed, the first socket.
    virtual const SocketInfo* choose_socket(const sip::Msg* msg, int proto, const IpAddr& to) const = 0;

    // Builds `msg` as forwarded to `t` (§6.3/6.4: request line, lumps
    // resolved for the chosen socket, our Via, received/rport, Content-Length
    // for the transport), resolving the next hop and choosing the socket
    // (force_send_socket, mhomed, advertised address, ;i= for TCP). Sends
    // nothing. 1 ok, < 0 a SerError (E_BAD_URI, E_BAD_ADDRESS_RESOLVE, E_NO_SOCKET ...).
    virtual int build_request(sip::Msg& msg, const ForwardTarget& t, OutRequest& out) = 0;

    // Route blocks, run by the core's engine for a module (tm runs
    // failure_route[n] on its stored request and onreply_route[n] on a
    // reply). `msg.route_kind` is set for the run. Returns the block's value.
    virtual bool route_exists(RouteKind kind, int n) const = 0;
    virtual int run_route(RouteKind kind, int n, sip::Msg& msg) = 0;

    // A per-message slot for module state (sip::Msg::slots), allocated at
    // init; -1 when none is left.
    virtual int allocate_msg_slot() = 0;

    // Protocol timers (ser/timer.hpp).
    virtual Timers& timers() = 0;

    // Threads that run module code: 0 = start-up/main, then the timer
    // threads and the receivers. worker_index() is this thread's; every
    // index is < worker_count(), which is fixed before child_init runs, so
    // a module can keep one resource (a DB connection) per worker.
    virtual int worker_index() const = 0;
    virtual int worker_count() const = 0;

    // True while `ser -c` checks the config: init() should validate and bind
    // APIs but open no connection and start nothing.
    virtual bool check_only() const = 0;

    // Resolves a host name or address text (A/AAAA; no SRV). False on failure.
    virtual bool resolve(std::string_view host, IpAddr& out) = 0;

    // The current action's error code in this worker (SER's ser_error);
    // a failing function sets it.
    virtual int& last_error() = 0;
    // The error left by the action executed before the current one (SER's
    // prev_ser_error): what sl_reply_error() reports.
    virtual int prev_error() const = 0;

    // Inter-module APIs by name and version (use export_api/import_api of
    // ser/api.hpp). find_api returns null for another version.
    virtual bool register_api(std::string_view name, uint32_t version, void* api) = 0;
    virtual void* find_api(std::string_view name, uint32_t version) const = 0;

    // Current time in milliseconds (monotonic; the timers' clock).
    virtual uint64_t now_ms() const = 0;

    // Counters, gauges and histograms for monitoring (ser/metrics.hpp),
    // registered at init(). The default is a registry nobody reads, so a
    // Core of a test needs nothing.
    virtual metrics::Registry& metrics();
};

}  // namespace ser
