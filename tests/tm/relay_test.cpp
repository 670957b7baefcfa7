// tm conformance checklist 31-38 (modules.md "### tm"): t_relay, 100
// Trying, reply relaying, retransmission absorption, timers, ACKs.
#include "tests/tm/tm_harness.hpp"

namespace ser::test {
namespace {

TEST(TmRelay, InviteGets100AndIsForwardedWithOurVia) {   // checklist 31
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    auto out = h.fresh();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].to_port, kUac);
    EXPECT_EQ(first_line(out[0].data), "SIP/2.0 100 trying -- your call is important to us");
    EXPECT_EQ(hdrs(out[0].data, "To"), std::vector<std::string>{"<sip:bob@example.com>"});
    EXPECT_EQ(out[1].to_port, kUas1);
    EXPECT_EQ(first_line(out[1].data), "INVITE sip:bob@127.0.0.1:5070 SIP/2.0");
    auto vias = hdrs(out[1].data, "Via");
    ASSERT_EQ(vias.size(), 2u);
    EXPECT_TRUE(vias[0].rfind("SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK", 0) == 0) << vias[0];
}

TEST(TmRelay, ProvisionalAndFinalRelayed100Absorbed) {   // checklist 32
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 100, "Trying");
    EXPECT_TRUE(h.fresh().empty());
    h.from_uas(fwd, 180, "Ringing");
    auto r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].to_port, kUac);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 180 Ringing");
    EXPECT_EQ(hdrs(r[0].data, "Via").size(), 1u);
    h.from_uas(fwd, 200, "OK");
    r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 200 OK");
}

TEST(TmRelay, RequestRetransmissionGetsLastReplyAndIsNotForwarded) {   // checklist 33
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    h.fresh();
    h.receive(inv(), "127.0.0.1", kUac);
    auto r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].to_port, kUac);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 100 trying -- your call is important to us");
}

TEST(TmRelay, SilentCalleeRetransmissionsThen408) {   // checklist 34 with RFC 3261 timers
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    h.fresh();
    // Timer A: 500 ms, then doubling (RFC 3261 §17.1.1.2): 0.5, 1.5, 3.5, 7.5, 15.5 s ...
    std::vector<uint64_t> at;
    uint64_t t0 = h.server.now_ms();
    for (int ms = 0; ms < 29999; ++ms) {
        h.advance(1);
        for (auto& s : h.fresh()) {
            if (s.to_port == kUas1) {
                EXPECT_EQ(first_line(s.data), "INVITE sip:bob@127.0.0.1:5070 SIP/2.0");
                at.push_back(h.server.now_ms() - t0);
            } else {
                ADD_FAILURE() << "unexpected " << first_line(s.data);
            }
        }
    }
    EXPECT_EQ(at, (std::vector<uint64_t>{500, 1500, 3500, 7500, 15500}));
    // fr_timer (30 s): 408 to the caller with our To tag, no CANCEL downstream.
    h.advance(1);
    auto r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].to_port, kUac);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 408 Request Timeout");
    EXPECT_NE(hdrs(r[0].data, "To").at(0).find(";tag="), std::string::npos);
}

TEST(TmRelay, FrInvTimerCancelsARingingBranch) {   // checklist 35
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n", "modparam(\"tm\", \"fr_inv_timer\", 5)\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 180, "Ringing");
    EXPECT_EQ(first_line(h.fresh().at(0).data), "SIP/2.0 180 Ringing");
    h.advance(4999);
    EXPECT_TRUE(h.fresh().empty());
    h.advance(1);
    auto r = h.fresh();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].to_port, kUas1);
    EXPECT_EQ(first_line(r[0].data), "CANCEL sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_EQ(hdrs(r[0].data, "Via").at(0), hdrs(fwd, "Via").at(0));
    EXPECT_EQ(hdrs(r[0].data, "Via").size(), 1u);
    EXPECT_EQ(r[1].to_port, kUac);
    EXPECT_EQ(first_line(r[1].data), "SIP/2.0 408 Request Timeout");
}

TEST(TmRelay, NegativeReplyIsAckedDownstreamAndRetransmittedUpstream) {   // checklist 36-37
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 486, "Busy Here");
    auto r = h.fresh();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].to_port, kUas1);
    EXPECT_EQ(first_line(r[0].data), "ACK sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_EQ(hdrs(r[0].data, "CSeq"), std::vector<std::string>{"1 ACK"});
    EXPECT_EQ(hdrs(r[0].data, "To"), std::vector<std::string>{"<sip:bob@example.com>;tag=tt1"});
    EXPECT_EQ(hdrs(r[0].data, "Via").at(0), hdrs(fwd, "Via").at(0));
    EXPECT_EQ(r[1].to_port, kUac);
    EXPECT_EQ(first_line(r[1].data), "SIP/2.0 486 Busy Here");
    // Timer G: 500 ms, 1 s, 2 s, 4 s ... until the ACK.
    h.advance(500);
    ASSERT_EQ(h.fresh().size(), 1u);
    h.advance(1000);
    ASSERT_EQ(h.fresh().size(), 1u);
    // The callee retransmits its 486 (our ACK was lost): it gets the ACK again.
    h.from_uas(fwd, 486, "Busy Here");
    r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "ACK sip:bob@127.0.0.1:5070 SIP/2.0");
    // The caller's ACK (same branch as the INVITE) stops the retransmissions.
    h.receive(inv("z9hG4bK-1", "sip:bob@127.0.0.1:5070", "", "ACK", "tt1"), "127.0.0.1", kUac);
    EXPECT_TRUE(h.fresh().empty());
    h.advance(10000);
    EXPECT_TRUE(h.fresh().empty());
}

TEST(TmRelay, AckFor2xxIsStatelessAndTRelayReturns0) {   // checklist 38
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); forward(127.0.0.1,5071); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 200, "OK");
    h.fresh();
    h.receive(inv("z9hG4bK-2", "sip:bob@127.0.0.1:5070", "", "ACK", "tt1"), "127.0.0.1", kUac);
    auto r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].to_port, kUas1);
    EXPECT_EQ(first_line(r[0].data), "ACK sip:bob@127.0.0.1:5070 SIP/2.0");
}

TEST(TmRelay, TransactionsAreFreedAfterTheWaitTimer) {
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    for (int i = 0; i < 50; ++i) {
        std::string m = inv("z9hG4bK-" + std::to_string(i));
        m.replace(m.find("Call-ID: c1"), 11, "Call-ID: c" + std::to_string(i));
        h.receive(m, "127.0.0.1", kUac);
        std::string fwd = h.fresh_to(kUas1).at(0).data;
        h.from_uas(fwd, 200, "OK");
    }
    EXPECT_EQ(h.server.timer_wheel().armed(), 50u);   // one wait timer each
    h.advance(5000);
    EXPECT_EQ(h.server.timer_wheel().armed(), 0u);
}

}  // namespace
}  // namespace ser::test
