// The server: owns settings, sockets, modules and the compiled script, and
// processes each received message (core-runtime §3). It is the Core that
// modules see and the ScriptHost that core actions use. Sending goes through
// a Transport, so the offline tracer runs this same code without sockets.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/core/listen_spec.hpp"
#include "runtime/core/timer_wheel.hpp"
#include "runtime/loader/module_loader.hpp"
#include "runtime/metrics/sip_meters.hpp"
#include "runtime/script/engine.hpp"
#include "runtime/script/program.hpp"
#include "ser/core.hpp"
#include "ser/ip.hpp"

namespace ser::sip { class Msg; struct RecvInfo; }

namespace ser::rt {

// Where bytes leave the process. The live one owns sockets and TCP
// connections; the tracer's prints.
class Transport {
public:
    virtual ~Transport() = default;
    virtual int send(const SocketInfo* from, const Destination& to, std::string_view data) = 0;
    virtual int add_tcp_alias(uint64_t conn_id, const IpAddr& ip, uint16_t port) { return 1; }
};

class Server : public Core, public script::ScriptHost {
public:
    // A manual clock (tests) steps the protocol timers by hand.
    explicit Server(TimerWheel::Clock clock = TimerWheel::Clock::Monotonic);
    ~Server() override;

    // ---- set-up (config loader, main) ----
    Settings& mutable_settings() { return settings_; }
    ModuleLoader& modules() { return *modules_; }
    script::Program& program() { return program_; }
    std::vector<ListenSpec>& listen_specs() { return listen_specs_; }
    std::vector<ListenSpec>& alias_specs() { return alias_specs_; }
    // Resolves listen specs into sockets (fd = -1) and aliases. Errors to `error`.
    bool resolve_sockets(std::string& error);
    void set_transport(Transport* t) { transport_ = t; }
    std::vector<SocketInfo>& mutable_sockets() { return sockets_; }
    const std::vector<Alias>& aliases() const { return aliases_; }
    void set_tracer(script::Tracer* t) { engine_->set_tracer(t); }
    const script::Engine& engine() const { return *engine_; }
    // Called once modules are initialised: caches the per-message hooks.
    void collect_hooks();
    void set_check_only(bool on) { check_only_ = on; }
    // Threads that run module code get an index (Core::worker_index()).
    void set_worker_count(int n) { worker_count_ = n; }
    static void set_worker_index(int i);
    TimerWheel& timer_wheel() { return wheel_; }

    // ---- per message ----
    // Entry point for every received SIP message. `buf` is mutable (maxfwd
    // edits in place) and must stay valid for the call.
    void receive(char* buf, size_t len, const sip::RecvInfo& rcv);
    void process(sip::Msg& msg);

    // ---- Core ----
    const Settings& settings() const override { return settings_; }
    const std::vector<SocketInfo>& sockets() const override { return sockets_; }
    bool is_myself(std::string_view host, uint16_t port, int proto = PROTO_NONE) const override;
    int send_local_reply(sip::Msg& req, const LocalReply& r) override;
    std::string build_local_reply(sip::Msg& req, const LocalReply& r) override;
    bool local_reply_destination(sip::Msg& req, Destination& out) override;
    int send(const Destination& dst, std::string_view data) override;
    const SocketInfo* choose_socket(const sip::Msg* msg, int proto, const IpAddr& to) const override;
    int build_request(sip::Msg& msg, const ForwardTarget& t, OutRequest& out) override;
    bool route_exists(RouteKind kind, int n) const override;
    int run_route(RouteKind kind, int n, sip::Msg& msg) override;
    int allocate_msg_slot() override;
    Timers& timers() override { return wheel_; }
    int worker_index() const override;
    int worker_count() const override { return worker_count_; }
    bool check_only() const override { return check_only_; }
    bool resolve(std::string_view host, IpAddr& out) override;
    int& last_error() override;
    int prev_error() const override;
    bool register_api(std::string_view name, uint32_t version, void* api) override;
    void* find_api(std::string_view name, uint32_t version) const override;
    uint64_t now_ms() const override { return wheel_.now_ms(); }
    metrics::Registry& metrics() override { return *metrics_; }

    // ---- ScriptHost ----
    int forward_request(sip::Msg& msg, const script::Dest& dest) override;
    int send_original(sip::Msg& msg, const script::Dest& dest) override;
    bool is_myself_ip(const IpAddr& ip) const override;
    bool resolve_all(std::string_view host, std::vector<IpAddr>& out) override;
    int add_tcp_alias(sip::Msg& msg, uint16_t port) override;

    // Stateless reply forwarding by the second Via (core-runtime §6.6).
    int forward_reply(sip::Msg& reply);

private:
    // The one place that sends: fills dst.send_socket by choose_socket()
    // when it is null, then hands the bytes to the transport.
    int send_from(const sip::Msg* msg, Destination& dst, std::string_view data);
    const SocketInfo* socket_by_route(const IpAddr& to) const;
    std::string via_branch(sip::Msg& msg);
    bool via_host_matches(std::string_view via_host, const IpAddr& src) const;

    Settings settings_;
    // Before the modules: their metric handles point into it.
    std::unique_ptr<metrics::Registry> metrics_;
    metrics::SipMeters sip_meters_;
    std::unique_ptr<ModuleLoader> modules_;
    script::Program program_;
    std::unique_ptr<script::Engine> engine_;
    std::vector<ListenSpec> listen_specs_, alias_specs_;
    std::vector<SocketInfo> sockets_;
    std::vector<Alias> aliases_;
    Transport* transport_ = nullptr;

    std::vector<Module*> pre_script_, on_reply_, post_script_;

    TimerWheel wheel_;
    std::atomic<int> next_slot_{0};
    int worker_count_ = 1;
    bool check_only_ = false;

    struct ApiEntry {
        uint32_t version;
        void* api;
    };
    mutable std::mutex api_mutex_;
    std::unordered_map<std::string, ApiEntry> apis_;
};

}  // namespace ser::rt
