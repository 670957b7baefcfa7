// A Core for module unit tests: no sockets, no engine. Records every local
// reply a module asks for (with a snapshot of the request's reply lumps and
// its rendering by the core's reply builder), and lets the test set the clock, the
// previous action's error, the listen sockets and registered APIs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/core/timer_wheel.hpp"
#include "ser/core.hpp"
#include "ser/sip/build.hpp"
#include "ser/sip/msg.hpp"
#include "ser/text.hpp"

namespace ser::test {

struct RecordedReply {
    int code = 0;
    std::string reason;
    std::string to_tag;
    std::string extra_headers;
    std::string body;
    std::vector<std::string> reply_lumps;   // req.reply_lumps when the reply was made
    std::string text;                       // FakeCore::render() of it
};

class FakeCore : public Core {
public:
    Settings settings_;
    std::vector<SocketInfo> sockets_;
    std::vector<RecordedReply> replies;
    std::vector<std::string> sent;          // data given to send()
    int send_result = 1;                    // what send_local_reply()/send() return
    int error = -1;                         // last_error()
    int prev = -1;                          // prev_error()
    uint64_t now = 1'000'000;               // now_ms()
    std::map<std::string, std::pair<uint32_t, void*>, std::less<>> apis;
    rt::TimerWheel wheel{rt::TimerWheel::Clock::Manual};
    std::vector<std::pair<RouteKind, int>> routes_defined;   // route_exists() answers true for these
    std::vector<std::pair<RouteKind, int>> routes_run;       // run_route() calls
    int next_slot = 0;
    bool checking = false;

    FakeCore() { add_socket("127.0.0.1", 5060); }

    SocketInfo& add_socket(std::string addr, uint16_t port, int proto = PROTO_UDP) {
        SocketInfo s;
        s.proto = proto;
        IpAddr::parse(addr, s.address);
        s.address_text = addr;
        s.name = addr;
        s.port = port;
        s.port_text = std::to_string(port);
        sockets_.push_back(s);
        return sockets_.back();
    }

    const Settings& settings() const override { return settings_; }
    const std::vector<SocketInfo>& sockets() const override { return sockets_; }
    bool is_myself(std::string_view host, uint16_t port, int) const override {
        for (const auto& s : sockets_)
            if (host == s.address_text && (port ? port : 5060) == s.port) return true;
        return false;
    }

    int send_local_reply(sip::Msg& req, const LocalReply& r) override {
        RecordedReply rec;
        rec.code = r.code;
        rec.reason = std::string(r.reason);
        rec.to_tag = std::string(r.to_tag);
        rec.extra_headers = std::string(r.extra_headers);
        rec.body = std::string(r.body);
        rec.reply_lumps = req.reply_lumps;
        rec.text = render(req, r);
        replies.push_back(std::move(rec));
        return send_result;
    }
    std::string build_local_reply(sip::Msg& req, const LocalReply& r) override { return render(req, r); }
    bool local_reply_destination(sip::Msg& req, Destination& out) override {
        out.proto = req.rcv.proto;
        out.ip = req.rcv.src_ip;
        out.port = req.rcv.src_port;
        return true;
    }
    int send(const Destination&, std::string_view data) override {
        sent.emplace_back(data);
        return send_result;
    }
    const SocketInfo* choose_socket(const sip::Msg*, int proto, const IpAddr&) const override {
        for (const auto& s : sockets_)
            if (s.proto == proto) return &s;
        return nullptr;
    }
    int build_request(sip::Msg& msg, const ForwardTarget& t, OutRequest& out) override {
        const SocketInfo* s = choose_socket(&msg, PROTO_UDP, IpAddr{});
        sip::ViaSpec via{"UDP", s ? std::string_view(s->address_text) : "127.0.0.1", "", t.branch, ""};
        out.data = sip::build_request(msg, via, sip::received_info(msg), false, t.uri);
        out.dst.send_socket = s;
        return 1;
    }
    bool route_exists(RouteKind kind, int n) const override {
        for (auto& r : routes_defined)
            if (r.first == kind && r.second == n) return true;
        return false;
    }
    int run_route(RouteKind kind, int n, sip::Msg&) override {
        routes_run.emplace_back(kind, n);
        return 1;
    }
    int allocate_msg_slot() override { return next_slot < int(sip::Msg::kSlots) ? next_slot++ : -1; }
    Timers& timers() override { return wheel; }
    int worker_index() const override { return 0; }
    int worker_count() const override { return 1; }
    bool check_only() const override { return checking; }
    bool resolve(std::string_view host, IpAddr& out) override { return IpAddr::parse(host, out); }
    int& last_error() override { return error; }
    int prev_error() const override { return prev; }
    bool register_api(std::string_view name, uint32_t version, void* api) override {
        if (apis.count(name)) return false;
        apis.emplace(std::string(name), std::make_pair(version, api));
        return true;
    }
    void* find_api(std::string_view name, uint32_t version) const override {
        auto it = apis.find(name);
        return it == apis.end() || it->second.first != version ? nullptr : it->second.second;
    }
    uint64_t now_ms() const override { return now; }

    // The reply as the core's builder makes it (core-runtime §6.7), without
    // Server/Warning so tests see only what the module contributed.
    static std::string render(sip::Msg& req, const LocalReply& r) {
        sip::LocalReplyOpts o;
        o.to_tag = r.to_tag;
        o.extra_headers = r.extra_headers;
        o.body = r.body;
        return sip::build_local_reply(req, r.code, r.reason, o);
    }
};

// Owns a message buffer and its parsed view. `text` uses LF or CRLF line ends
// (LF-only text is converted to CRLF).
class TestMsg {
public:
    explicit TestMsg(std::string text) {
        lf_to_crlf(text);
        buf_ = std::move(text);
        parsed_ = msg.parse(buf_.data(), buf_.size());
    }
    TestMsg(const TestMsg&) = delete;
    TestMsg& operator=(const TestMsg&) = delete;

    bool parsed() const { return parsed_; }
    // The message as it would be forwarded: lumps applied to the (possibly
    // edited in place) buffer.
    std::string edited() const { return msg.lumps.apply(msg.buffer()); }
    const std::string& raw() const { return buf_; }

    sip::Msg msg;

private:
    std::string buf_;
    bool parsed_ = false;
};

}  // namespace ser::test
