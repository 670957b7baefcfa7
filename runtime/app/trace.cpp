// The offline tracer: runs the config on a message read from a file with
// the live server's engine and modules, prints each statement executed and
// every message that would be sent, and opens no socket.
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "runtime/app/app.hpp"
#include "runtime/cli/options.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/text.hpp"

namespace ser::app {

namespace {

class PrintTransport : public rt::Transport {
public:
    explicit PrintTransport(std::ostream& out) : out_(out) {}
    int send(const SocketInfo* from, const Destination& to, std::string_view data) override {
        out_ << fmt::format("=== send {}:{}:{} from {}:{}:{} ({} bytes) ===\n", to.proto == PROTO_TCP ? "tcp" : "udp",
                            to.ip.to_string(), to.port, from && from->proto == PROTO_TCP ? "tcp" : "udp",
                            from ? from->address_text : "?", from ? from->port : 0, data.size())
             << data;
        if (!data.empty() && data.back() != '\n') out_ << "\n";
        out_ << "=== end ===\n";
        ++sent_;
        return 1;
    }
    int sent() const { return sent_; }

private:
    std::ostream& out_;
    int sent_ = 0;
};

class PrintTracer : public script::Tracer {
public:
    explicit PrintTracer(std::ostream& out) : out_(out) {}
    void on_action(const script::Program& p, const script::Action& a, int result, int depth) override {
        out_ << fmt::format("{}{}: {} -> {}\n", std::string(size_t(depth) * 2, ' '), p.where(a.loc), describe(a),
                            result);
    }
    void on_condition(const script::Program& p, const script::Action& a, int result, int depth) override {
        const char* v = result == script::kExprTrue    ? "true"
                        : result == script::kExprFalse ? "false"
                        : result == script::kExprStop  ? "stop"
                                                       : "error";
        out_ << fmt::format("{}{}: if -> {}\n", std::string(size_t(depth) * 2, ' '), p.where(a.loc), v);
    }

private:
    static std::string describe(const script::Action& a) {
        if (a.op == script::Op::ModuleCall) {
            std::string s = a.name + "(";
            for (size_t i = 0; i < a.args.size(); ++i) s += (i ? ", \"" : "\"") + a.args[i].text + "\"";
            return s + ")";
        }
        if (a.op == script::Op::Route) return fmt::format("route({})", a.num);
        return a.name;
    }
    std::ostream& out_;
};

bool parse_src(const std::string& text, sip::RecvInfo& rcv, std::string& err) {
    rt::ListenSpec l;
    if (!cli::parse_listen_arg(text, l, err)) return false;
    if (!IpAddr::parse(l.addr, rcv.src_ip)) {
        err = fmt::format("--trace-src needs an IP address, not '{}'", l.addr);
        return false;
    }
    rcv.proto = l.proto == PROTO_NONE ? PROTO_UDP : l.proto;
    rcv.src_port = l.port ? l.port : 5060;
    return true;
}

}  // namespace

int run_trace(rt::Server& server, const cli::Options& o) {
    std::ifstream f(o.trace_file, std::ios::binary);
    if (!f) {
        std::cerr << fmt::format("ERROR: cannot open message file '{}'\n", o.trace_file);
        return 255;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    std::string text = ss.str();
    lf_to_crlf(text);  // a message written with a text editor has bare LFs

    sip::RecvInfo rcv;
    std::string err;
    if (!parse_src(o.trace_src.empty() ? "udp:127.0.0.1:5070" : o.trace_src, rcv, err)) {
        std::cerr << "ERROR: " << err << "\n";
        return 255;
    }
    const SocketInfo* in = nullptr;
    for (const auto& s : server.sockets())
        if (s.proto == rcv.proto && s.address.af == rcv.src_ip.af) { in = &s; break; }
    if (!in && !server.sockets().empty()) in = &server.sockets().front();
    if (in) {
        rcv.socket = in;
        rcv.dst_ip = in->address;
        rcv.dst_port = in->port;
    }
    if (rcv.proto == PROTO_TCP) rcv.conn_id = 1;

    PrintTransport transport(std::cout);
    PrintTracer tracer(std::cout);
    server.set_transport(&transport);
    server.set_tracer(&tracer);
    if (!server.modules().child_init_all(1, err)) {
        std::cerr << "ERROR: " << err << "\n";
        return 255;
    }
    std::cout << fmt::format("=== received {}:{}:{} -> {}:{} ({} bytes) ===\n", rcv.proto == PROTO_TCP ? "tcp" : "udp",
                             rcv.src_ip.to_string(), rcv.src_port, in ? in->address_text : "?", in ? in->port : 0,
                             text.size());
    server.receive(text.data(), text.size(), rcv);
    std::cout << fmt::format("=== done: {} message(s) sent ===\n", transport.sent());
    server.modules().destroy_all();
    return 0;
}

}  // namespace ser::app
