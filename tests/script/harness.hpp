// Runs a config against messages in-process: the real parser, loader,
// compiler, engine and modules, with a Transport that records what would
// be sent instead of opening sockets.
#pragma once

#include <string>
#include <vector>

#include "parser/parse.hpp"
#include "runtime/core/config_loader.hpp"
#include "runtime/core/server.hpp"
#include "ser/sip/msg.hpp"
#include "ser/text.hpp"
#include "tests/fixtures/mmod.hpp"

#ifndef SER_FIXTURE_DIR
#define SER_FIXTURE_DIR "."
#endif
#ifndef SER_MODULE_BUILD_DIR
#define SER_MODULE_BUILD_DIR "."
#endif

namespace ser::test {

struct Sent {
    int proto;
    std::string to_ip;
    uint16_t to_port;
    std::string from;   // "ip:port" of the sending socket
    std::string data;
};

class RecordingTransport : public rt::Transport {
public:
    std::vector<Sent> sent;
    int send(const SocketInfo* from, const Destination& to, std::string_view data) override {
        sent.push_back({to.proto, to.ip.to_string(), to.port,
                        from ? from->address_text + ":" + from->port_text : std::string(), std::string(data)});
        return 1;
    }
};

class Harness {
public:
    rt::Server server{rt::TimerWheel::Clock::Manual};   // tests step the protocol timers
    parser::Diagnostics diag;
    RecordingTransport tx;
    std::string errors;   // formatted diagnostics after load()

    Harness() {
        server.modules().add_dir_front(SER_MODULE_BUILD_DIR);
        server.modules().add_dir_front(SER_FIXTURE_DIR);
    }

    // Parse, load, resolve sockets, init modules, fix up. False on any error.
    bool load(const std::string& text, rt::CliOverrides cli = {}) {
        auto cfg = parser::parse_text("test.cfg", text, diag);
        if (!cfg) return done(false);
        rt::ConfigLoader loader(server, diag, cli);
        if (!loader.load(*cfg)) return done(false);
        auto& s = server.mutable_settings();
        if (s.children <= 0) s.children = 1;
        std::string err;
        if (!server.resolve_sockets(err)) {
            errors += err;
            return done(false);
        }
        // Start-up order of ser (core-runtime §1): init, then fix-ups.
        server.set_transport(&tx);
        if (!server.modules().init_all(server, err)) {
            errors += err;
            return done(false);
        }
        server.collect_hooks();
        if (!loader.fixup()) return done(false);
        return done(true);
    }

    // Only parse + load (what `ser -c` reports before fix-ups).
    bool load_only(const std::string& text) {
        auto cfg = parser::parse_text("test.cfg", text, diag);
        if (!cfg) return done(false);
        rt::ConfigLoader loader(server, diag, {});
        return done(loader.load(*cfg));
    }

    MModule& m() {
        for (auto& lm : server.modules().modules())
            if (lm->name() == "M") return static_cast<MModule&>(*lm->instance);
        throw std::runtime_error("module M not loaded");
    }

    // Delivers `text` (LF line ends are turned into CRLF) as if received.
    void receive(std::string text, const char* src_ip = "127.0.0.1", uint16_t src_port = 5096,
                 int proto = PROTO_UDP) {
        lf_to_crlf(text);
        buffers_.push_back(std::move(text));
        std::string& buf = buffers_.back();
        sip::RecvInfo rcv;
        rcv.proto = proto;
        IpAddr::parse(src_ip, rcv.src_ip);
        rcv.src_port = src_port;
        for (const auto& s : server.sockets())
            if (s.proto == proto) {
                rcv.socket = &s;
                rcv.dst_ip = s.address;
                rcv.dst_port = s.port;
                break;
            }
        if (proto == PROTO_TCP) rcv.conn_id = 7;
        server.receive(buf.data(), buf.size(), rcv);
    }

private:
    bool done(bool ok) {
        for (const auto& d : diag.all()) errors += diag.format(d);
        return ok;
    }
    std::vector<std::string> buffers_;
};

// The checklist's default INVITE: sip:alice@example.com from 127.0.0.1:5096.
inline std::string invite(const std::string& ruri = "sip:alice@example.com",
                          const std::string& via = "SIP/2.0/UDP 127.0.0.1:5096;branch=z9hG4bK-1",
                          const std::string& extra = "") {
    std::string body = "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    return "INVITE " + ruri + " SIP/2.0\r\n"
           "Via: " + via + "\r\n"
           "Max-Forwards: 70\r\n"
           "From: Bob <sip:bob@example.org>;tag=1\r\n"
           "To: <sip:alice@example.com>\r\n"
           "Call-ID: c1@127.0.0.1\r\n"
           "CSeq: 1 INVITE\r\n"
           "Contact: <sip:bob@10.0.0.5:5096>\r\n" + extra +
           "Content-Type: application/sdp\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

inline std::string base_cfg(const std::string& route, const std::string& head = "") {
    return "listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\n" + head + "route{ " + route + " }\n";
}

}  // namespace ser::test
