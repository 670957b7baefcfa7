// In-process: parse + route a typical INVITE through a stateless config
// (maxfwd check, a textops search, an append_hf, forward). Target (issue
// #4): >= 1,000,000 messages/s on one core. Sending is replaced by a
// transport that only counts bytes: the figure is parse + script + build.
#include <benchmark/benchmark.h>

#include <cstring>

#include "parser/parse.hpp"
#include "runtime/core/config_loader.hpp"
#include "runtime/core/server.hpp"
#include "ser/sip/msg.hpp"

namespace {

const char* kCfg = R"(
listen=udp:127.0.0.1:5060
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    break;
  };
  if (search("^User-Agent:.*sipp")) {
    setflag(1);
  };
  append_hf("P-Hint: bench\r\n");
  forward(127.0.0.1, 5070);
}
)";

const char* kInvite =
    "INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-524287-1---a8a7d1c2e3f4a5b6;rport\r\n"
    "Max-Forwards: 70\r\n"
    "Contact: <sip:alice@127.0.0.1:5080>\r\n"
    "To: \"Bob\" <sip:bob@example.com>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=9fxced76sl\r\n"
    "Call-ID: 3848276298220188511@127.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO\r\n"
    "Content-Type: application/sdp\r\n"
    "User-Agent: sipp bench\r\n"
    "Content-Length: 129\r\n"
    "\r\n"
    "v=0\r\n"
    "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

class CountingTransport : public ser::rt::Transport {
public:
    size_t bytes = 0, messages = 0;
    int send(const ser::SocketInfo*, const ser::Destination&, std::string_view data) override {
        bytes += data.size();
        ++messages;
        return 1;
    }
};

void BM_RouteInvite(benchmark::State& st) {
    ser::rt::Server server;
    server.modules().add_dir_front(SER_MODULE_BUILD_DIR);
    ser::parser::Diagnostics d;
    auto cfg = ser::parser::parse_text("bench.cfg", kCfg, d);
    ser::rt::ConfigLoader loader(server, d, {});
    std::string err;
    if (!cfg || !loader.load(*cfg) || !server.resolve_sockets(err) || !loader.fixup() ||
        !server.modules().init_all(server, err)) {
        st.SkipWithError("config failed to load");
        return;
    }
    server.collect_hooks();
    CountingTransport tx;
    server.set_transport(&tx);
    ser::sip::RecvInfo rcv;
    rcv.proto = ser::PROTO_UDP;
    ser::IpAddr::parse("127.0.0.1", rcv.src_ip);
    rcv.src_port = 5080;
    rcv.socket = &server.sockets().front();
    const size_t len = std::strlen(kInvite);
    std::string buf(kInvite, len);
    for (auto _ : st) {
        // maxfwd rewrites the buffer in place: start from the received bytes each time.
        std::memcpy(buf.data(), kInvite, len);
        server.receive(buf.data(), len, rcv);
    }
    if (tx.messages != size_t(st.iterations())) st.SkipWithError("not every INVITE was forwarded");
    st.SetItemsProcessed(int64_t(st.iterations()));
    st.counters["msgs/s"] = benchmark::Counter(double(st.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RouteInvite);

}  // namespace

BENCHMARK_MAIN();
