// In-process: a full INVITE transaction through a stateful config: request
// in, 100 Trying out, INVITE forwarded, 180 in and relayed, 200 in and
// relayed, the ACK for the 200 in and forwarded end to end (stateless, no
// transaction). Each iteration is a new call (new Call-ID and branch). The
// server runs on its manual clock: every `batch` calls it is stepped 6 s,
// past the wait timer (wt_timer = 5 s), so transactions are freed and memory
// stays flat; that timer work is part of the measured time. Sending is
// replaced by a transport that only counts (and keeps the forwarded INVITE,
// the callee's replies are made from it). Target (issue #7): >= 300,000
// transactions/s per core.
//
// Variants:
//   BM_InviteTransaction/tm/batch     loadmodule sl, tm; route { t_relay(); }
//   BM_InviteTransaction/tm_rr/batch  + maxfwd, record_route(), loose_route()
//                                     (the config of bench/e2e_stateful.sh)
//   BM_HarnessOnly                    only this file's message making: subtract it
// Counters: transactions/s, and the average time of each step in ns
// (invite, r180, r200, ack, timers = the wheel steps that free transactions),
// live = transactions in the table at the end before the last step, rss_kB
// growth over the run.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "parser/parse.hpp"
#include "runtime/core/config_loader.hpp"
#include "runtime/core/server.hpp"
#include "ser/fifo.hpp"
#include "ser/sip/msg.hpp"

namespace {

const char* kCfgTm = R"(
listen=udp:127.0.0.1:5060
loadmodule "sl.so"
loadmodule "tm.so"
route {
  t_relay();
}
)";

const char* kCfgTmRr = R"(
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

constexpr uint16_t kCaller = 5080, kCallee = 5070;
constexpr size_t kIdLen = 10;   // the call number, fixed width, patched in place
const std::string kId0(kIdLen, '0');

class CountingTransport : public ser::rt::Transport {
public:
    size_t messages = 0;
    std::string fwd;   // the last request sent to the callee (the replies are made from it)
    bool record = false;
    std::vector<std::pair<uint16_t, std::string>> log;   // (port, first line) when recording
    int send(const ser::SocketInfo*, const ser::Destination& to, std::string_view data) override {
        ++messages;
        if (to.port == kCallee && data.size() > 3 && data.compare(0, 3, "ACK") != 0) fwd.assign(data);
        if (record) log.emplace_back(to.port, std::string(data.substr(0, data.find("\r\n"))));
        if (record && to.port == kCallee) log.back().second += "\n" + std::string(data);
        return 1;
    }
};

// A message with the call number at fixed places (every occurrence of kId0).
struct Template {
    std::string text;
    std::vector<size_t> at;
    explicit Template(std::string t) : text(std::move(t)) {
        for (size_t p = text.find(kId0); p != std::string::npos; p = text.find(kId0, p + kIdLen)) at.push_back(p);
    }
    void put(std::string& buf, const char* id) const {
        buf.assign(text);
        for (size_t p : at) std::memcpy(buf.data() + p, id, kIdLen);
    }
};

std::string invite_text() {
    const std::string body =
        "v=0\r\n"
        "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
        "s=-\r\n"
        "c=IN IP4 127.0.0.1\r\n"
        "t=0 0\r\n"
        "m=audio 6000 RTP/AVP 0\r\n"
        "a=rtpmap:0 PCMU/8000\r\n";
    return "INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-" + kId0 + ";rport\r\n"
           "Max-Forwards: 70\r\n"
           "Contact: <sip:alice@127.0.0.1:5080>\r\n"
           "To: \"Bob\" <sip:bob@example.com>\r\n"
           "From: \"Alice\" <sip:alice@example.com>;tag=9fxced76sl\r\n"
           "Call-ID: " + kId0 + "@127.0.0.1\r\n"
           "CSeq: 1 INVITE\r\n"
           "Content-Type: application/sdp\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n"
           "\r\n" + body;
}

// The callee's reply after the proxy's Via line, made from the first
// forwarded INVITE: the other Vias, the Record-Route the proxy added (when
// any) and the dialog headers copied, a To tag added; the call number is
// turned back into the placeholder.
std::string reply_rest(std::string_view fwd, const char* id) {
    std::string out;
    size_t p = fwd.find("\r\n") + 2;
    bool top_via = true;
    while (p < fwd.size()) {
        size_t e = fwd.find("\r\n", p);
        if (e == p || e == std::string_view::npos) break;
        std::string_view line = fwd.substr(p, e - p);
        p = e + 2;
        if (line.rfind("Via:", 0) == 0 && top_via) {
            top_via = false;   // the proxy's own: comes from each call's forwarded INVITE
            continue;
        }
        if (line.rfind("Via:", 0) == 0 || line.rfind("Record-Route:", 0) == 0 || line.rfind("From:", 0) == 0 ||
            line.rfind("Call-ID:", 0) == 0 || line.rfind("CSeq:", 0) == 0)
            out.append(line).append("\r\n");
        else if (line.rfind("To:", 0) == 0)
            out.append(line).append(";tag=callee1\r\n");
    }
    out += "Contact: <sip:bob@127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n";
    for (size_t q = out.find(id, 0, kIdLen); q != std::string::npos; q = out.find(id, q + kIdLen, kIdLen))
        out.replace(q, kIdLen, kId0);
    return out;
}

std::string ack_text(const std::string& route_line) {
    return "ACK sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-" + kId0 + "-ack;rport\r\n"
           "Max-Forwards: 70\r\n" + route_line +
           "To: \"Bob\" <sip:bob@example.com>;tag=callee1\r\n"
           "From: \"Alice\" <sip:alice@example.com>;tag=9fxced76sl\r\n"
           "Call-ID: " + kId0 + "@127.0.0.1\r\n"
           "CSeq: 1 ACK\r\n"
           "Content-Length: 0\r\n\r\n";
}

// The whole line "Name: ...\r\n" of the first header starting with `name`, or "".
std::string_view header_line(std::string_view msg, std::string_view name) {
    size_t p = msg.find("\r\n");
    while (p != std::string_view::npos && p + 2 < msg.size()) {
        p += 2;
        if (msg.compare(p, 2, "\r\n") == 0) break;
        size_t e = msg.find("\r\n", p);
        if (e == std::string_view::npos) break;
        if (msg.compare(p, name.size(), name) == 0) return msg.substr(p, e + 2 - p);
        p = e;
    }
    return {};
}

// The status line + the proxy's Via (the top one of the forwarded INVITE) + rest.
void make_reply(std::string& out, const char* status_line, std::string_view fwd, const Template& rest,
                const char* id) {
    out.assign(status_line);
    out.append(header_line(fwd, "Via: "));
    const size_t base = out.size();
    out.append(rest.text);
    for (size_t p : rest.at) std::memcpy(out.data() + base + p, id, kIdLen);
}

class FifoCapture : public ser::FifoRequest {
public:
    std::string text;
    std::optional<std::string> read_line() override { return std::nullopt; }
    void reply(std::string_view t) override { text.append(t); }
};

// "Current: N" of tm's t_stats.
long tm_current(ser::rt::Server& server) {
    for (auto& lm : server.modules().modules()) {
        if (lm->name() != "tm") continue;
        for (size_t i = 0; i < lm->exports->fifo_count; ++i) {
            if (std::string_view(lm->exports->fifo[i].name) != "t_stats") continue;
            FifoCapture c;
            lm->exports->fifo[i].func(*lm->instance, c);
            auto p = c.text.find("Current: ");
            return p == std::string::npos ? -1 : std::atol(c.text.c_str() + p + 9);
        }
    }
    return -1;
}

long rss_kb() {
    long pages = 0, rss = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
        std::fclose(f);
    }
    return rss * 4;
}

struct Proxy {
    ser::rt::Server server{ser::rt::TimerWheel::Clock::Manual};
    CountingTransport tx;
    ser::sip::RecvInfo caller, callee;
    std::string error;

    explicit Proxy(const char* cfg_text) {
        server.modules().add_dir_front(SER_MODULE_BUILD_DIR);
        ser::parser::Diagnostics d;
        auto cfg = ser::parser::parse_text("bench.cfg", cfg_text, d);
        ser::rt::ConfigLoader loader(server, d, {});
        server.set_transport(&tx);
        if (!cfg || !loader.load(*cfg)) {
            error = "config failed to load";
            return;
        }
        if (server.mutable_settings().children <= 0) server.mutable_settings().children = 1;
        if (!server.resolve_sockets(error) || !server.modules().init_all(server, error)) return;
        server.collect_hooks();
        if (!loader.fixup()) {
            error = "config failed to fix up";
            return;
        }
        const auto& s = server.sockets().front();
        for (auto* r : {&caller, &callee}) {
            r->proto = ser::PROTO_UDP;
            ser::IpAddr::parse("127.0.0.1", r->src_ip);
            r->socket = &s;
            r->dst_ip = s.address;
            r->dst_port = s.port;
        }
        caller.src_port = kCaller;
        callee.src_port = kCallee;
    }
};

void BM_InviteTransaction(benchmark::State& st, const char* cfg, bool rr) {
    const uint64_t batch = uint64_t(st.range(0));
    Proxy px(cfg);
    if (!px.error.empty()) {
        st.SkipWithError(px.error.c_str());
        return;
    }
    auto& server = px.server;
    auto& tx = px.tx;

    const Template inv(invite_text());
    std::string buf;
    buf.reserve(2048);
    char id[kIdLen + 1];
    uint64_t n = 1000000000;   // ten digits
    auto next_id = [&] { std::snprintf(id, sizeof id, "%010llu", static_cast<unsigned long long>(n++)); };
    auto deliver = [&](const ser::sip::RecvInfo& from) { server.receive(buf.data(), buf.size(), from); };

    // One call recorded and checked: what goes where, and the Record-Route
    // the proxy adds (the callee copies it, the caller's ACK routes by it).
    tx.record = true;
    next_id();
    inv.put(buf, id);
    deliver(px.caller);
    const std::string rr_line(header_line(tx.fwd, "Record-Route: "));
    if (rr != !rr_line.empty()) {
        st.SkipWithError("Record-Route missing or unexpected in the forwarded INVITE");
        return;
    }
    std::string route_line;
    if (rr) route_line = "Route: " + rr_line.substr(std::strlen("Record-Route: "));
    const Template rest(reply_rest(tx.fwd, id));
    const Template ack(ack_text(route_line));
    std::string fwd = tx.fwd;
    make_reply(buf, "SIP/2.0 180 Ringing\r\n", fwd, rest, id);
    deliver(px.callee);
    make_reply(buf, "SIP/2.0 200 OK\r\n", fwd, rest, id);
    deliver(px.callee);
    ack.put(buf, id);
    deliver(px.caller);
    const std::vector<std::pair<uint16_t, std::string>> expect = {
        {kCaller, "SIP/2.0 100 "}, {kCallee, "INVITE "}, {kCaller, "SIP/2.0 180 "},
        {kCaller, "SIP/2.0 200 "}, {kCallee, "ACK "}};
    bool ok = tx.log.size() == expect.size();
    for (size_t i = 0; ok && i < expect.size(); ++i)
        ok = tx.log[i].first == expect[i].first && tx.log[i].second.rfind(expect[i].second, 0) == 0;
    if (ok && rr && std::strstr(cfg, "loose_route"))
        ok = tx.log[4].second.find("\nRoute:") == std::string::npos;   // loose_route took it off
    if (!ok) {
        std::string got;
        for (auto& [port, line] : tx.log) got += std::to_string(port) + " " + line.substr(0, line.find('\n')) + "; ";
        st.SkipWithError(("unexpected messages for one call: " + got).c_str());
        return;
    }
    tx.record = false;
    server.timer_wheel().advance(6000);
    if (tm_current(server) != 0) {
        st.SkipWithError("the checked call's transaction was not freed after the wait timer");
        return;
    }

    using Clock = std::chrono::steady_clock;
    int64_t t_inv = 0, t_180 = 0, t_200 = 0, t_ack = 0, t_timer = 0;
    const size_t before = tx.messages;
    const long rss0 = rss_kb();
    long live = 0;
    uint64_t calls = 0;
    for (auto _ : st) {
        next_id();
        auto t0 = Clock::now();
        inv.put(buf, id);
        deliver(px.caller);   // -> 100 upstream, INVITE downstream
        auto t1 = Clock::now();
        make_reply(buf, "SIP/2.0 180 Ringing\r\n", tx.fwd, rest, id);
        deliver(px.callee);
        auto t2 = Clock::now();
        make_reply(buf, "SIP/2.0 200 OK\r\n", tx.fwd, rest, id);
        deliver(px.callee);
        auto t3 = Clock::now();
        ack.put(buf, id);
        deliver(px.caller);
        auto t4 = Clock::now();
        t_inv += (t1 - t0).count();
        t_180 += (t2 - t1).count();
        t_200 += (t3 - t2).count();
        t_ack += (t4 - t3).count();
        if (++calls % batch == 0) {
            server.timer_wheel().advance(6000);   // wait timers: transactions freed
            t_timer += (Clock::now() - t4).count();
        }
    }
    live = tm_current(server);
    server.timer_wheel().advance(6000);
    const long rss1 = rss_kb();
    // 100, INVITE, 180, 200, ACK per transaction.
    if (tx.messages - before != 5 * size_t(st.iterations())) st.SkipWithError("a message was not sent");
    if (tm_current(server) != 0) st.SkipWithError("transactions left after the wait timer");
    const double it = double(st.iterations());
    st.SetItemsProcessed(int64_t(st.iterations()));
    st.counters["transactions/s"] = benchmark::Counter(it, benchmark::Counter::kIsRate);
    st.counters["invite_ns"] = double(t_inv) / it;
    st.counters["r180_ns"] = double(t_180) / it;
    st.counters["r200_ns"] = double(t_200) / it;
    st.counters["ack_ns"] = double(t_ack) / it;
    st.counters["timers_ns"] = double(t_timer) / it;
    st.counters["live"] = double(live);
    st.counters["rss_kB_growth"] = double(rss1 - rss0);
}
BENCHMARK_CAPTURE(BM_InviteTransaction, tm, kCfgTm, false)->Arg(1024)->Arg(16384);
BENCHMARK_CAPTURE(BM_InviteTransaction, tm_rr, kCfgTmRr, true)->Arg(1024)->Arg(16384);

std::string g_custom_cfg;

// Only the message making of the loop above (copy + patch of the INVITE, two
// replies, the ACK), no server: the harness's own share of the figures.
void BM_HarnessOnly(benchmark::State& st) {
    const Template inv(invite_text());
    const std::string rr_line = "Record-Route: <sip:127.0.0.1;ftag=9fxced76sl;lr>\r\n";
    const Template ack(ack_text("Route: <sip:127.0.0.1;ftag=9fxced76sl;lr>\r\n"));
    std::string fwd = "INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1a2b.3c4d.0\r\n" + rr_line +
                      inv.text.substr(inv.text.find("\r\n") + 2);
    const Template rest(reply_rest(fwd, kId0.c_str()));
    std::string buf;
    buf.reserve(2048);
    char id[kIdLen + 1];
    uint64_t n = 1000000000;
    for (auto _ : st) {
        std::snprintf(id, sizeof id, "%010llu", static_cast<unsigned long long>(n++));
        inv.put(buf, id);
        benchmark::DoNotOptimize(buf.data());
        make_reply(buf, "SIP/2.0 180 Ringing\r\n", fwd, rest, id);
        benchmark::DoNotOptimize(buf.data());
        make_reply(buf, "SIP/2.0 200 OK\r\n", fwd, rest, id);
        benchmark::DoNotOptimize(buf.data());
        ack.put(buf, id);
        benchmark::DoNotOptimize(buf.data());
        for (int i = 0; i < 4; ++i) benchmark::DoNotOptimize(std::chrono::steady_clock::now());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_HarnessOnly);

}  // namespace

// SER_BENCH_TM_CFG=file adds BM_InviteTransaction/custom with that config
// (listen on udp:127.0.0.1:5060, relay to the Request-URI; with
// record_route() when the forwarded INVITE carries a Record-Route).
int main(int argc, char** argv) {
    if (const char* path = std::getenv("SER_BENCH_TM_CFG")) {
        FILE* f = std::fopen(path, "r");
        if (!f) {
            std::fprintf(stderr, "cannot open %s\n", path);
            return 1;
        }
        char chunk[4096];
        for (size_t k; (k = std::fread(chunk, 1, sizeof chunk, f)) > 0;) g_custom_cfg.append(chunk, k);
        std::fclose(f);
        const bool rr = g_custom_cfg.find("record_route") != std::string::npos;
        benchmark::RegisterBenchmark("BM_InviteTransaction/custom", [rr](benchmark::State& st) {
            BM_InviteTransaction(st, g_custom_cfg.c_str(), rr);
        })->Arg(1024);
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
