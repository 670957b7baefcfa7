// In-process: a full INVITE transaction through a stateful config
// (record_route + t_relay): request in, 100 Trying out, INVITE forwarded,
// 180 in and relayed, 200 in and relayed, the ACK for the 200 in and
// forwarded end to end. Each iteration is a new call (new Call-ID and
// branch); the manual clock is stepped past the wait timer regularly, so
// transactions are freed and memory stays flat. Sending is replaced by a
// transport that only counts. Target (issue #7): >= 300,000 transactions/s
// per core.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "parser/parse.hpp"
#include "runtime/core/config_loader.hpp"
#include "runtime/core/server.hpp"
#include "ser/sip/msg.hpp"

namespace {

const char* kCfg = R"(
listen=udp:127.0.0.1:5060
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    break;
  };
  if (method!="REGISTER") record_route();
  if (loose_route()) {
    t_relay();
    break;
  };
  t_relay();
}
)";

class CountingTransport : public ser::rt::Transport {
public:
    size_t messages = 0;
    std::string last;   // the last message sent (the forwarded INVITE is needed for the replies)
    bool keep = false;
    int send(const ser::SocketInfo*, const ser::Destination&, std::string_view data) override {
        ++messages;
        if (keep) last.assign(data);
        return 1;
    }
};

std::string invite(const std::string& n) {
    return "INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-" + n + ";rport\r\n"
           "Max-Forwards: 70\r\n"
           "Contact: <sip:alice@127.0.0.1:5080>\r\n"
           "To: \"Bob\" <sip:bob@example.com>\r\n"
           "From: \"Alice\" <sip:alice@example.com>;tag=9fxced76sl\r\n"
           "Call-ID: " + n + "@127.0.0.1\r\n"
           "CSeq: 1 INVITE\r\n"
           "Content-Type: application/sdp\r\n"
           "Content-Length: 129\r\n"
           "\r\n"
           "v=0\r\n"
           "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
           "s=-\r\n"
           "c=IN IP4 127.0.0.1\r\n"
           "t=0 0\r\n"
           "m=audio 6000 RTP/AVP 0\r\n"
           "a=rtpmap:0 PCMU/8000\r\n";
}

// The callee's reply to the forwarded INVITE (its Vias and Record-Route).
std::string reply(const std::string& fwd, int code, const char* reason) {
    std::string out = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
    size_t pos = fwd.find("\r\n") + 2;
    while (pos < fwd.size()) {
        size_t e = fwd.find("\r\n", pos);
        if (e == pos) break;
        std::string_view line(fwd.data() + pos, e - pos);
        if (line.rfind("Via:", 0) == 0 || line.rfind("Record-Route:", 0) == 0 || line.rfind("From:", 0) == 0 ||
            line.rfind("Call-ID:", 0) == 0 || line.rfind("CSeq:", 0) == 0)
            out.append(line).append("\r\n");
        else if (line.rfind("To:", 0) == 0)
            out.append(line).append(";tag=callee1\r\n");
        pos = e + 2;
    }
    return out + "Contact: <sip:bob@127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n";
}

std::string ack(const std::string& n) {
    return "ACK sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-" + n + "-ack;rport\r\n"
           "Max-Forwards: 70\r\n"
           "Route: <sip:127.0.0.1;ftag=9fxced76sl;lr>\r\n"
           "To: \"Bob\" <sip:bob@example.com>;tag=callee1\r\n"
           "From: \"Alice\" <sip:alice@example.com>;tag=9fxced76sl\r\n"
           "Call-ID: " + n + "@127.0.0.1\r\n"
           "CSeq: 1 ACK\r\n"
           "Content-Length: 0\r\n\r\n";
}

void BM_InviteTransaction(benchmark::State& st) {
    ser::rt::Server server(ser::rt::TimerWheel::Clock::Manual);
    server.modules().add_dir_front(SER_MODULE_BUILD_DIR);
    ser::parser::Diagnostics d;
    auto cfg = ser::parser::parse_text("bench.cfg", kCfg, d);
    ser::rt::ConfigLoader loader(server, d, {});
    std::string err;
    CountingTransport tx;
    server.set_transport(&tx);
    if (!cfg || !loader.load(*cfg) || !server.resolve_sockets(err) || !server.modules().init_all(server, err)) {
        st.SkipWithError("config failed to load");
        return;
    }
    server.collect_hooks();
    if (!loader.fixup()) {
        st.SkipWithError("config failed to fix up");
        return;
    }
    ser::sip::RecvInfo caller, callee;
    caller.proto = callee.proto = ser::PROTO_UDP;
    ser::IpAddr::parse("127.0.0.1", caller.src_ip);
    callee.src_ip = caller.src_ip;
    caller.src_port = 5080;
    callee.src_port = 5070;
    caller.socket = callee.socket = &server.sockets().front();

    // Replies are made once from a first call's forwarded INVITE and then
    // patched per call (the Via branch and Call-ID lengths stay the same).
    uint64_t n = 100000000;
    std::string buf;
    auto deliver = [&](const std::string& text, const ser::sip::RecvInfo& from) {
        buf = text;
        server.receive(buf.data(), buf.size(), from);
    };
    tx.keep = true;
    size_t before = tx.messages;
    for (auto _ : st) {
        const std::string id = std::to_string(n++);
        deliver(invite(id), caller);   // -> 100 upstream, INVITE downstream (the last one sent)
        const std::string fwd = tx.last;
        deliver(reply(fwd, 180, "Ringing"), callee);
        deliver(reply(fwd, 200, "OK"), callee);
        deliver(ack(id), caller);
        if ((n & 1023) == 0) server.timer_wheel().advance(6000);   // wait timers: transactions freed
    }
    server.timer_wheel().advance(6000);
    // 100, INVITE, 180, 200, ACK per transaction.
    if (tx.messages - before != 5 * size_t(st.iterations())) st.SkipWithError("a message was not sent");
    st.SetItemsProcessed(int64_t(st.iterations()));
    st.counters["transactions/s"] = benchmark::Counter(double(st.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InviteTransaction);

}  // namespace

BENCHMARK_MAIN();
