// rr conformance checklist 16-30 (modules.md "### rr") through the real
// parser, loader, engine, core forwarding and tm: Record-Route as the next
// hop sees it (send-time lumps resolved per outgoing socket) and loose
// routing of in-dialog requests.
#include "tests/tm/tm_harness.hpp"

namespace ser::test {
namespace {

std::string cfg(const std::string& route, const std::string& head = "",
                const std::string& listen = "listen=udp:127.0.0.1:5060\n") {
    return listen + "loadmodule \"sl.so\"\nloadmodule \"tm.so\"\nloadmodule \"rr.so\"\nloadmodule \"maxfwd.so\"\n" + head +
           "route{ " + route + " }\n";
}

std::string first_header(const std::string& m) {
    size_t a = m.find("\r\n") + 2;
    return m.substr(a, m.find("\r\n", a) - a);
}

std::string bye(const std::string& ruri, const std::string& routes, bool to_tag = true) {
    return "BYE " + ruri + " SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-b1\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:alice@example.com>;tag=ft1\r\n"
           "To: <sip:bob@example.com>" + std::string(to_tag ? ";tag=tt1" : "") + "\r\n"
           "Call-ID: c2\r\nCSeq: 2 BYE\r\n" + (routes.empty() ? "" : "Route: " + routes + "\r\n") +
           "Content-Length: 0\r\n\r\n";
}

std::string sent_to(TmHarness& h, uint16_t port) {
    for (auto& s : h.fresh())
        if (s.to_port == port) return s.data;
    return {};
}

TEST(Rr, RecordRouteIsTheFirstHeader) {   // 16
    TmHarness h;
    ASSERT_TRUE(h.load(cfg("record_route(); forward(127.0.0.1,5070);"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string m = sent_to(h, kUas1);
    EXPECT_EQ(first_header(m), "Record-Route: <sip:127.0.0.1;ftag=ft1;lr>");
    EXPECT_EQ(m.find("Via: SIP/2.0/UDP 127.0.0.1;branch=0"), first_header(m).size() + 2 + m.find("\r\n") + 2) << m;
}

TEST(Rr, FullLr) {   // 17
    TmHarness h;
    ASSERT_TRUE(h.load(cfg("record_route(); forward(127.0.0.1,5070);", "modparam(\"rr\",\"enable_full_lr\",1)\n")))
        << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    EXPECT_EQ(first_header(sent_to(h, kUas1)), "Record-Route: <sip:127.0.0.1;ftag=ft1;lr=on>");
}

TEST(Rr, NoFromTag) {   // 18
    TmHarness h;
    ASSERT_TRUE(h.load(cfg("record_route(); forward(127.0.0.1,5070);", "modparam(\"rr\",\"append_fromtag\",0)\n")))
        << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    EXPECT_EQ(first_header(sent_to(h, kUas1)), "Record-Route: <sip:127.0.0.1;lr>");
}

TEST(Rr, PortOtherThan5060IsWritten) {   // 19
    TmHarness h;
    ASSERT_TRUE(h.load(cfg("record_route(); forward(127.0.0.1,5070);", "", "listen=udp:127.0.0.1:5062\n")))
        << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    EXPECT_EQ(first_header(sent_to(h, kUas1)), "Record-Route: <sip:127.0.0.1:5062;ftag=ft1;lr>");
}

TEST(Rr, TransportChangeRecordsTwoRoutes) {   // 20
    const std::string listen = "listen=udp:127.0.0.1:5060\nlisten=tcp:127.0.0.1:5060\n";
    {
        TmHarness h;
        ASSERT_TRUE(h.load(cfg("record_route(); forward_udp(127.0.0.1,5070);", "", listen))) << h.errors;
        h.receive(inv(), "127.0.0.1", kUac, PROTO_TCP);
        std::string m = sent_to(h, kUas1);
        auto rr = hdrs(m, "Record-Route");
        ASSERT_EQ(rr.size(), 2u) << m;
        EXPECT_EQ(rr[0], "<sip:127.0.0.1;r2=on;ftag=ft1;lr>");
        EXPECT_EQ(rr[1], "<sip:127.0.0.1;transport=tcp;r2=on;ftag=ft1;lr>");
    }
    {
        TmHarness h;
        ASSERT_TRUE(h.load(cfg("record_route(); forward_udp(127.0.0.1,5070);",
                               "modparam(\"rr\",\"enable_double_rr\",0)\n", listen)))
            << h.errors;
        h.receive(inv(), "127.0.0.1", kUac, PROTO_TCP);
        auto rr = hdrs(sent_to(h, kUas1), "Record-Route");
        EXPECT_EQ(rr, std::vector<std::string>{"<sip:127.0.0.1;transport=tcp;ftag=ft1;lr>"});
    }
}

TEST(Rr, SecondRecordRouteIsRefused) {   // 21
    TmHarness h;
    ASSERT_TRUE(h.load(cfg("record_route(); record_route(); forward(127.0.0.1,5070);"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    EXPECT_EQ(hdrs(sent_to(h, kUas1), "Record-Route").size(), 1u);
}

TEST(Rr, Preset) {   // 22
    TmHarness h;
    ASSERT_TRUE(h.load(cfg("record_route_preset(\"10.1.1.1:5090\"); forward(127.0.0.1,5070);"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    EXPECT_EQ(first_header(sent_to(h, kUas1)), "Record-Route: <sip:bob@10.1.1.1:5090;ftag=ft1;lr>");
}

TEST(Rr, NoRouteIsNotLooseRouted) {   // 23
    TmHarness h;
    ASSERT_TRUE(h.load(cfg("if (loose_route()) { sl_send_reply(\"200\",\"lr\"); break; }; sl_send_reply(\"404\",\"no\");")))
        << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    EXPECT_EQ(first_line(h.fresh().at(0).data), "SIP/2.0 404 no");
}

const char* kLr = "if (loose_route()) { t_relay(); break; }; sl_send_reply(\"404\",\"no\");";

TEST(Rr, OurOnlyRouteIsRemoved) {   // 24
    TmHarness h;
    ASSERT_TRUE(h.load(cfg(kLr))) << h.errors;
    h.receive(bye("sip:bob@127.0.0.1:5070", "<sip:127.0.0.1;ftag=ft1;lr>"), "127.0.0.1", kUac);
    std::string m = sent_to(h, kUas1);
    ASSERT_FALSE(m.empty());
    EXPECT_TRUE(hdrs(m, "Route").empty()) << m;
}

TEST(Rr, LooseNextHopBecomesTheDestination) {   // 25
    TmHarness h;
    ASSERT_TRUE(h.load(cfg(kLr))) << h.errors;
    h.receive(bye("sip:bob@127.0.0.1:5070", "<sip:127.0.0.1;lr>, <sip:127.0.0.1:5071;lr>"), "127.0.0.1", kUac);
    std::string m = sent_to(h, kUas2);
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(first_line(m), "BYE sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_EQ(hdrs(m, "Route"), std::vector<std::string>{"<sip:127.0.0.1:5071;lr>"});
}

TEST(Rr, AfterAStrictRouterTheLastRouteIsTheTarget) {   // 26
    TmHarness h;
    ASSERT_TRUE(h.load(cfg(kLr))) << h.errors;
    h.receive(bye("sip:127.0.0.1", "<sip:127.0.0.1:5071;lr>, <sip:bob@127.0.0.1:5070>"), "127.0.0.1", kUac);
    std::string m = sent_to(h, kUas2);
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(first_line(m), "BYE sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_EQ(hdrs(m, "Route"), std::vector<std::string>{"<sip:127.0.0.1:5071;lr>"});
}

TEST(Rr, StrictNextHopGetsTheRequestUri) {   // 27
    TmHarness h;
    ASSERT_TRUE(h.load(cfg(kLr))) << h.errors;
    h.receive(bye("sip:bob@127.0.0.1:5070", "<sip:127.0.0.1;lr>, <sip:127.0.0.1:5071>"), "127.0.0.1", kUac);
    std::string m = sent_to(h, kUas2);
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(first_line(m), "BYE sip:127.0.0.1:5071 SIP/2.0");
    EXPECT_EQ(hdrs(m, "Route"), std::vector<std::string>{"<sip:bob@127.0.0.1:5070>"});
}

TEST(Rr, PreloadedRouteToUsOnAnInitialRequestIsNotRouted) {   // 28
    TmHarness h;
    ASSERT_TRUE(h.load(cfg("if (loose_route()) { sl_send_reply(\"200\",\"lr\"); break; }; sl_send_reply(\"404\",\"no\");")))
        << h.errors;
    h.receive(inv("z9hG4bK-1", "sip:bob@127.0.0.1:5070", "Route: <sip:127.0.0.1;lr>\r\n"), "127.0.0.1", kUac);
    EXPECT_EQ(first_line(h.fresh().at(0).data), "SIP/2.0 404 no");
}

TEST(Rr, InDialogWithOnlyOurRouteGoesToTheRequestUri) {   // 29
    TmHarness h;
    ASSERT_TRUE(h.load(cfg(kLr))) << h.errors;
    h.receive(bye("sip:bob@127.0.0.1:5070", "<sip:127.0.0.1;lr>"), "127.0.0.1", kUac);
    std::string m = sent_to(h, kUas1);
    ASSERT_FALSE(m.empty());
    EXPECT_TRUE(hdrs(m, "Route").empty());
}

TEST(Rr, DoubleRecordRouteIsRemovedAndRouted) {   // two entries of ours (transport change), 2005 fix
    TmHarness h;
    ASSERT_TRUE(h.load(cfg(kLr, "", "listen=udp:127.0.0.1:5060\nlisten=tcp:127.0.0.1:5060\n"))) << h.errors;
    h.receive(bye("sip:bob@127.0.0.1:5070",
                  "<sip:127.0.0.1;r2=on;ftag=ft1;lr>, <sip:127.0.0.1;transport=tcp;r2=on;ftag=ft1;lr>"),
              "127.0.0.1", kUac);
    std::string m = sent_to(h, kUas1);
    ASSERT_FALSE(m.empty());
    EXPECT_TRUE(hdrs(m, "Route").empty()) << m;
}

TEST(Rr, StrictIsAllowedNowhere) {   // 30
    TmHarness h;
    EXPECT_FALSE(h.load(cfg("record_route_strict();")));
    EXPECT_NE(h.errors.find("cannot be used in the block"), std::string::npos) << h.errors;
}

TEST(Rr, RecordRouteSurvivesIntoEveryTmBranch) {   // the lump is stored with the transaction
    TmHarness h;
    ASSERT_TRUE(h.load(cfg("record_route(); t_on_failure(\"1\"); t_relay();\n } failure_route[1] { "
                           "rewritehostport(\"127.0.0.1:5071\"); append_branch(); t_relay();"))) << h.errors;
    h.receive(inv(), "127.0.0.1", kUac);
    std::string f1 = sent_to(h, kUas1);
    EXPECT_EQ(hdrs(f1, "Record-Route"), std::vector<std::string>{"<sip:127.0.0.1;ftag=ft1;lr>"});
    h.from_uas(f1, 486, "Busy Here");
    std::string f2 = sent_to(h, kUas2);
    EXPECT_EQ(hdrs(f2, "Record-Route"), std::vector<std::string>{"<sip:127.0.0.1;ftag=ft1;lr>"});
}

}  // namespace
}  // namespace ser::test
