// Parsing a typical INVITE and reading what every request needs
// (via1, To, From, CSeq, Call-ID), with a reused Msg as a worker does.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "ser/sip/build.hpp"
#include "ser/sip/msg.hpp"

namespace {

const char kInvite[] =
    "INVITE sip:alice@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: Alice <sip:alice@example.com>\r\n"
    "From: Bob <sip:bob@example.org>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.org\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.10:5060>\r\n"
    "User-Agent: softphone/1.0\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
    "Supported: replaces, timer\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 142\r\n"
    "\r\n"
    "v=0\r\n"
    "o=bob 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49172 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

void BM_ParseInvite(benchmark::State& state) {
    std::string buf(kInvite, sizeof kInvite - 1);
    ser::sip::Msg m;
    for (auto _ : state) {
        m.reset();
        bool ok = m.parse(buf.data(), buf.size());
        const ser::sip::ViaBody* v = m.via1();
        const ser::sip::NameAddr* to = m.to();
        const ser::sip::NameAddr* from = m.from();
        const ser::sip::CSeq* cs = m.cseq();
        std::string_view cid = m.call_id();
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(v);
        benchmark::DoNotOptimize(to);
        benchmark::DoNotOptimize(from);
        benchmark::DoNotOptimize(cs);
        benchmark::DoNotOptimize(cid);
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(buf.size()));
}
BENCHMARK(BM_ParseInvite);

void BM_ParseAndForward(benchmark::State& state) {
    std::string buf(kInvite, sizeof kInvite - 1);
    ser::sip::Msg m;
    const ser::sip::ViaSpec via{"UDP", "192.0.2.1", "", "z9hG4bKabc.0", ""};
    const ser::sip::ReceivedInfo ri{"203.0.113.7", 40123, false};
    for (auto _ : state) {
        m.reset();
        m.parse(buf.data(), buf.size());
        std::string out = ser::sip::build_request(m, via, ri, false);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_ParseAndForward);

}  // namespace

BENCHMARK_MAIN();
