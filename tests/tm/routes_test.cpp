// tm conformance checklist 39-59 (modules.md "### tm"): onreply_route and
// failure_route, serial and parallel forking, CANCEL, t_newtran/t_reply,
// error replies, t_relay_to, t_replicate, fix-up errors, t_stats.
#include "tests/tm/tm_harness.hpp"

namespace ser::test {
namespace {

TEST(TmRoutes, OnReplyRouteEditsTheRelayedReplies) {   // 39
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_on_reply(\"1\"); t_relay(); }\n"
                              "onreply_route[1]{ append_hf(\"X-Seen: yes\\r\\n\"); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 180, "Ringing");
    auto r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(hdrs(r[0].data, "X-Seen"), std::vector<std::string>{"yes"});
    h.from_uas(fwd, 200, "OK");
    r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(hdrs(r[0].data, "X-Seen"), std::vector<std::string>{"yes"});
}

TEST(TmRoutes, OnReplyRouteSeesTheFlagsOfTheRequestAtRelay) {   // 40
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ setflag(3); t_on_reply(\"1\"); t_relay(); setflag(4); }\n"
                              "onreply_route[1]{ if (isflagset(3)) append_hf(\"X-F3: 1\\r\\n\"); "
                              "if (isflagset(4)) append_hf(\"X-F4: 1\\r\\n\"); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 180, "Ringing");
    auto r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(hdrs(r[0].data, "X-F3").size(), 1u);
    EXPECT_EQ(hdrs(r[0].data, "X-F4").size(), 0u);
}

TEST(TmRoutes, FlagsSetInOnReplyAreSeenByFailureRoute) {   // 41
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_on_reply(\"1\"); t_on_failure(\"2\"); t_relay(); }\n"
                              "onreply_route[1]{ setflag(5); }\n"
                              "failure_route[2]{ if (isflagset(5)) t_reply(\"599\", \"f5\"); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 180, "Ringing");
    EXPECT_EQ(first_line(h.fresh().at(0).data), "SIP/2.0 180 Ringing");
    h.from_uas(fwd, 486, "Busy Here");
    auto r = h.fresh_to(kUac);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 599 f5");
}

TEST(TmRoutes, DropInOnReplyRouteStillRelays) {   // 42
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_on_reply(\"1\"); t_relay(); }\nonreply_route[1]{ drop; }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 180, "Ringing");
    EXPECT_EQ(h.fresh_to(kUac).size(), 1u);
    h.from_uas(fwd, 200, "OK");
    EXPECT_EQ(h.fresh_to(kUac).size(), 1u);
}

const char* kSerial = "route{ t_on_failure(\"1\"); t_relay(); }\n"
                      "failure_route[1]{ rewritehostport(\"127.0.0.1:5071\"); append_branch(); t_relay(); }\n";

TEST(TmRoutes, FailureRouteReroutesToASecondCallee) {   // 43
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg(kSerial))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd1 = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd1, 486, "Busy Here");
    auto r = h.fresh();
    std::string fwd2;
    for (auto& s : r) {
        if (s.to_port == kUac) ADD_FAILURE() << "caller got " << first_line(s.data);
        if (s.to_port == kUas2) fwd2 = s.data;
    }
    ASSERT_FALSE(fwd2.empty());
    EXPECT_EQ(first_line(fwd2), "INVITE sip:bob@127.0.0.1:5071 SIP/2.0");
    EXPECT_NE(hdrs(fwd2, "Via").at(0), hdrs(fwd1, "Via").at(0));
    h.from_uas(fwd2, 200, "OK", kUas2, "tt2");
    r = h.fresh_to(kUac);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 200 OK");
}

TEST(TmRoutes, FailureRouteWithoutAppendBranchAddsNothing) {   // 44
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_on_failure(\"1\"); t_relay(); }\n"
                              "failure_route[1]{ rewritehostport(\"127.0.0.1:5071\"); t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd1 = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd1, 486, "Busy Here");
    auto r = h.fresh();
    for (auto& s : r) EXPECT_NE(s.to_port, kUas2);
    auto up = h.fresh_to(kUac);
    bool got486 = false;
    for (auto& s : r)
        if (s.to_port == kUac) got486 = first_line(s.data) == "SIP/2.0 486 Busy Here";
    EXPECT_TRUE(got486);
}

TEST(TmRoutes, FailureRouteReplies) {   // 45
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_on_failure(\"1\"); t_relay(); }\n"
                              "failure_route[1]{ if (t_check_status(\"486\")) t_reply(\"480\", \"Gone Away\"); }\n")))
        << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd1 = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd1, 486, "Busy Here");
    auto r = h.fresh_to(kUac);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 480 Gone Away");
    EXPECT_NE(hdrs(r[0].data, "To").at(0).find(";tag="), std::string::npos);
}

TEST(TmRoutes, BestReplyOverAllBranchesPrefers6xx) {   // 46, RFC 3261 §16.7 (SER picked the lowest code)
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg(kSerial))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd1 = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd1, 486, "Busy Here");
    std::string fwd2 = h.fresh_to(kUas2).at(0).data;
    h.from_uas(fwd2, 603, "Decline", kUas2, "tt2");
    auto r = h.fresh_to(kUac);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 603 Decline");
}

TEST(TmRoutes, ParallelForkLowestClassWins) {   // 47
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ append_branch(\"sip:bob@127.0.0.1:5071\"); t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    auto r = h.fresh();
    std::string f1, f2;
    for (auto& s : r) {
        if (s.to_port == kUas1) f1 = s.data;
        if (s.to_port == kUas2) f2 = s.data;
    }
    ASSERT_FALSE(f1.empty());
    ASSERT_FALSE(f2.empty());
    h.from_uas(f1, 486, "Busy Here");
    EXPECT_TRUE(h.fresh_to(kUac).empty());
    h.from_uas(f2, 404, "Not Found", kUas2, "tt2");
    r = h.fresh_to(kUac);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 404 Not Found");
}

TEST(TmRoutes, ParallelFork2xxCancelsTheOtherBranch) {   // 48
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ append_branch(\"sip:bob@127.0.0.1:5071\"); t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string f1, f2;
    for (auto& s : h.fresh()) {
        if (s.to_port == kUas1) f1 = s.data;
        if (s.to_port == kUas2) f2 = s.data;
    }
    h.from_uas(f1, 180, "Ringing");
    h.from_uas(f2, 200, "OK", kUas2, "tt2");
    auto r = h.fresh();
    int to_uac = 0;
    std::string cancel;
    for (auto& s : r) {
        if (s.to_port == kUac) ++to_uac;
        if (s.to_port == kUas1) cancel = s.data;
    }
    EXPECT_EQ(to_uac, 2);   // 180 and 200
    EXPECT_EQ(first_line(cancel), "CANCEL sip:bob@127.0.0.1:5070 SIP/2.0");
    h.from_uas(f1, 487, "Request Terminated");
    for (auto& s : h.fresh()) EXPECT_NE(s.to_port, kUac) << first_line(s.data);
}

TEST(TmRoutes, CancelOfARingingBranch) {   // 49
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 180, "Ringing");
    h.fresh();
    h.receive(inv("z9hG4bK-1", "sip:bob@127.0.0.1:5070", "", "CANCEL"), "127.0.0.1", kUac);
    auto r = h.fresh();
    std::string cancel, ok;
    for (auto& s : r) {
        if (s.to_port == kUas1) cancel = s.data;
        if (s.to_port == kUac) ok = s.data;
    }
    EXPECT_EQ(first_line(ok), "SIP/2.0 200 canceling");
    EXPECT_EQ(first_line(cancel), "CANCEL sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_EQ(hdrs(cancel, "Via"), std::vector<std::string>{hdrs(fwd, "Via").at(0)});
    // The callee's 200 for the CANCEL is absorbed; its 487 is relayed and ACKed.
    h.receive(TmHarness::reply_to(cancel, 200, "OK"), "127.0.0.1", kUas1);
    EXPECT_TRUE(h.fresh().empty());
    h.from_uas(fwd, 487, "Request Terminated");
    r = h.fresh();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(first_line(r[0].data), "ACK sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_EQ(first_line(r[1].data), "SIP/2.0 487 Request Terminated");
    EXPECT_EQ(r[1].to_port, kUac);
}

TEST(TmRoutes, CancelBeforeAnyReply) {   // 50
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.receive(inv("z9hG4bK-1", "sip:bob@127.0.0.1:5070", "", "CANCEL"), "127.0.0.1", kUac);
    auto r = h.fresh();
    std::vector<std::string> up;
    for (auto& s : r) {
        EXPECT_NE(s.to_port, kUas1) << first_line(s.data);
        if (s.to_port == kUac) up.push_back(first_line(s.data));
    }
    EXPECT_EQ(up, (std::vector<std::string>{"SIP/2.0 487 Request Terminated",
                                            "SIP/2.0 200 ok -- no more pending branches"}));
    // A provisional arriving late still gets its CANCEL (RFC 3261 §9.1).
    h.from_uas(fwd, 180, "Ringing");
    r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "CANCEL sip:bob@127.0.0.1:5070 SIP/2.0");
}

TEST(TmRoutes, A2xxAfterCancelIsStillRelayed) {   // RFC 3261 §16.7 step 5: a late 2xx is forwarded
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 180, "Ringing");
    h.receive(inv("z9hG4bK-1", "sip:bob@127.0.0.1:5070", "", "CANCEL"), "127.0.0.1", kUac);
    h.fresh();
    // The callee answered before it saw the CANCEL.
    h.from_uas(fwd, 200, "OK");
    auto r = h.fresh_to(kUac);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 200 OK");
}

TEST(TmRoutes, A2xxAfterALocal487IsStillRelayed) {
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.receive(inv("z9hG4bK-1", "sip:bob@127.0.0.1:5070", "", "CANCEL"), "127.0.0.1", kUac);
    EXPECT_EQ(first_line(h.fresh_to(kUac).at(0).data), "SIP/2.0 487 Request Terminated");
    h.from_uas(fwd, 200, "OK");
    auto r = h.fresh_to(kUac);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 200 OK");
}

TEST(TmRoutes, CancelForAnUnknownInviteIsForwarded) {   // 51
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    h.receive(inv("z9hG4bK-9", "sip:bob@127.0.0.1:5070", "", "CANCEL"), "127.0.0.1", kUac);
    auto r = h.fresh_to(kUas1);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "CANCEL sip:bob@127.0.0.1:5070 SIP/2.0");
}

TEST(TmRoutes, NewtranAndReplyAbsorbRetransmissions) {   // 52
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ if (t_newtran()) t_reply(\"404\", \"Nobody\"); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    auto r = h.fresh();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 404 Nobody");
    EXPECT_NE(hdrs(r[0].data, "To").at(0).find(";tag="), std::string::npos);
    h.receive(inv(), "127.0.0.1", kUac);
    auto again = h.fresh();
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].data, r[0].data);
}

TEST(TmRoutes, RelayAfterNewtranFails) {   // 53
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_newtran(); t_relay(); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    EXPECT_TRUE(h.fresh_to(kUas1).empty());
}

TEST(TmRoutes, UnresolvableDestinationGets478) {   // 54
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ rewritehost(\"nonexistent.invalid\"); "
                              "if (!t_relay()) sl_send_reply(\"500\", \"x\"); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    auto r = h.fresh_to(kUac);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(first_line(r[0].data), "SIP/2.0 100 trying -- your call is important to us");
    EXPECT_EQ(first_line(r[1].data), "SIP/2.0 478 Unresolvable destination (478/TM)");
}

TEST(TmRoutes, CheckStatusInOnReply) {   // 55
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_on_reply(\"1\"); t_relay(); }\n"
                              "onreply_route[1]{ if (t_check_status(\"^18[0-9]$\")) append_hf(\"X-Ring: 1\\r\\n\"); }\n")))
        << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 180, "Ringing");
    EXPECT_EQ(hdrs(h.fresh().at(0).data, "X-Ring").size(), 1u);
    h.from_uas(fwd, 200, "OK");
    EXPECT_EQ(hdrs(h.fresh().at(0).data, "X-Ring").size(), 0u);
}

TEST(TmRoutes, RelayToUdpKeepsTheRequestUri) {   // 56
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay_to_udp(\"127.0.0.1\", \"5071\"); }\n"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    auto r = h.fresh_to(kUas2);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(first_line(r[0].data), "INVITE sip:bob@127.0.0.1:5070 SIP/2.0");
}

TEST(TmRoutes, ReplicateAbsorbsReplies) {   // 57
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_replicate(\"127.0.0.1\", \"5071\"); sl_send_reply(\"200\", \"ok\"); }\n")))
        << h.errors;
    std::string reg = inv("z9hG4bK-r", "sip:127.0.0.1", "", "REGISTER");
    h.receive(reg, "127.0.0.1", kUac);
    auto r = h.fresh();
    std::string copy;
    int to_uac = 0;
    for (auto& s : r) {
        if (s.to_port == kUas2) copy = s.data;
        if (s.to_port == kUac) {
            ++to_uac;
            EXPECT_EQ(first_line(s.data), "SIP/2.0 200 ok");
        }
    }
    EXPECT_EQ(first_line(copy), "REGISTER sip:127.0.0.1 SIP/2.0");
    EXPECT_EQ(to_uac, 1);
    h.from_uas(copy, 200, "OK", kUas2);
    EXPECT_TRUE(h.fresh_to(kUac).empty());
}

TEST(TmRoutes, RouteNumbersAreCheckedAtStartUp) {   // 58, and a failure_route that does not exist
    {
        TmHarness h;
        EXPECT_FALSE(h.load(tm_cfg("route{ t_on_reply(\"25\"); t_relay(); }\n")));
        EXPECT_NE(h.errors.find("test.cfg:5:"), std::string::npos) << h.errors;
        EXPECT_NE(h.errors.find("out of range"), std::string::npos) << h.errors;
    }
    {
        TmHarness h;
        EXPECT_FALSE(h.load(tm_cfg("route{ t_on_failure(\"9\"); t_relay(); }\n")));
        EXPECT_NE(h.errors.find("failure_route[9] is not defined"), std::string::npos) << h.errors;
    }
}

}  // namespace
}  // namespace ser::test
