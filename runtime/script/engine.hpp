// Runs compiled route blocks on a message with SER's return-value semantics
// (cfg-language §7-9): > 0 true/continue, < 0 false/continue, 0 stops the
// current block (the whole script at top level, only the sub-route in route[n]).
#pragma once

#include <string_view>
#include <vector>

#include "runtime/script/program.hpp"
#include "ser/route.hpp"
#include "ser/settings.hpp"

namespace ser::sip { class Msg; }

namespace ser::script {

// What core actions need from the server; the live server and the offline
// tracer both implement it, so both run the very same engine.
class ScriptHost {
public:
    virtual ~ScriptHost() = default;
    virtual const Settings& settings() const = 0;
    // Stateless forwarding of a request (core-runtime §6). `proto` forces a
    // transport (PROTO_NONE = as the Dest says / as received).
    virtual int forward_request(sip::Msg& msg, const Dest& dest) = 0;
    // send()/send_tcp(): the received bytes unchanged.
    virtual int send_original(sip::Msg& msg, const Dest& dest) = 0;
    virtual bool is_myself(std::string_view host, uint16_t port, int proto) const = 0;
    virtual bool is_myself_ip(const IpAddr& ip) const = 0;
    virtual bool resolve_all(std::string_view host, std::vector<IpAddr>& out) = 0;
    virtual int add_tcp_alias(sip::Msg& msg, uint16_t port) = 0;
};

// Observes execution (the offline tracer). Not used on the live path.
class Tracer {
public:
    virtual ~Tracer() = default;
    virtual void on_action(const Program& prog, const Action& a, int result, int depth) = 0;
    virtual void on_condition(const Program& prog, const Action& if_action, int result, int depth) = 0;
};

using RouteType = ser::RouteKind;

class Engine {
public:
    Engine(const Program& prog, ScriptHost& host) : prog_(prog), host_(host) {}
    void set_tracer(Tracer* t) { tracer_ = t; }
    const Program& program() const { return prog_; }

    bool defined(RouteType type, int n) const;
    // Runs block `n` of `type` with msg.route_kind = type (restored after,
    // so a module may run a block from inside another); returns the block's value.
    int run(RouteType type, int n, sip::Msg& msg) const;

private:
    struct Ctx {
        sip::Msg& msg;
        int depth;
    };
    int exec_block(const Block& b, Ctx& c) const;
    int exec(const Action& a, Ctx& c) const;
    int exec_core(const Action& a, Ctx& c) const;
    int eval(const Expr& e, Ctx& c) const;
    int eval_compare(const Compare& k, const Expr& e, Ctx& c) const;

    const Program& prog_;
    ScriptHost& host_;
    Tracer* tracer_ = nullptr;
};

// Expression results (cfg-language §8.2).
inline constexpr int kExprFalse = 0;
inline constexpr int kExprTrue = 1;
inline constexpr int kExprError = -1;
inline constexpr int kExprStop = -127;

}  // namespace ser::script
