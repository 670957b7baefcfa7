// rr through the whole engine on the stateless path (real parser, loader,
// compiler, core forward() and message builder), checked on what would go
// on the wire: modules.md checklist 16-30 with forward() where the
// checklist says t_relay(). tests/rr/rr_test.cpp runs them through tm.
#include <gtest/gtest.h>

#include "tests/script/harness.hpp"

using namespace ser;
using namespace ser::test;

namespace {

const char* kUdp = "listen=udp:127.0.0.1:5060\n";
const char* kUdpTcp = "listen=udp:127.0.0.1:5060\nlisten=tcp:127.0.0.1:5060\n";
const char* kMods = "loadmodule \"sl.so\"\nloadmodule \"rr.so\"\nloadmodule \"maxfwd.so\"\n";

std::string cfg(const std::string& route, const std::string& head = "", const std::string& listen = kUdp) {
    return listen + kMods + head + "route{ " + route + " }\n";
}

// The checklist's INV from the UAC (127.0.0.1:5080); `extra` header lines
// go after Contact.
std::string inv(const std::string& extra = "") {
    std::string body = "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    return "INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1\r\n"
           "From: <sip:alice@example.com>;tag=ft1\r\n"
           "To: <sip:bob@example.com>\r\n"
           "Call-ID: c1\r\nCSeq: 1 INVITE\r\n"
           "Contact: <sip:alice@10.0.0.5:5060>\r\n" + extra +
           "Content-Type: application/sdp\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// An in-dialog BYE (To tag tt1) with one Route header line.
std::string bye(const std::string& ruri, const std::string& routes) {
    return "BYE " + ruri + " SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-b1\r\n"
           "From: <sip:alice@example.com>;tag=ft1\r\n"
           "To: <sip:bob@example.com>;tag=tt1\r\n"
           "Call-ID: c2\r\nCSeq: 2 BYE\r\n" + (routes.empty() ? "" : "Route: " + routes + "\r\n") +
           "Content-Length: 0\r\n\r\n";
}

std::string first_line(const std::string& m) { return m.substr(0, m.find("\r\n")); }

std::vector<std::string> header_lines(const std::string& m) {
    std::vector<std::string> out;
    size_t p = m.find("\r\n") + 2, end = m.find("\r\n\r\n");
    while (p < end + 2) {
        size_t e = m.find("\r\n", p);
        out.push_back(m.substr(p, e - p));
        p = e + 2;
    }
    return out;
}

// Values of every `name` header line, in order.
std::vector<std::string> values(const std::string& m, const std::string& name) {
    std::vector<std::string> out;
    for (auto& l : header_lines(m))
        if (l.rfind(name + ": ", 0) == 0) out.push_back(l.substr(name.size() + 2));
    return out;
}

struct Call {
    Harness h;
    bool loaded = false;

    Call(const std::string& config, const std::string& msg, int proto = PROTO_UDP) {
        loaded = h.load(config);
        if (!loaded) {
            ADD_FAILURE() << h.errors;
            return;
        }
        h.receive(msg, "127.0.0.1", 5080, proto);
    }
    // The one message sent to `port` ("" if none, a failure if several).
    std::string to(uint16_t port) const {
        std::string found;
        int n = 0;
        for (const auto& s : h.tx.sent)
            if (s.to_port == port) {
                found = s.data;
                ++n;
            }
        EXPECT_LE(n, 1) << "several messages to " << port;
        return found;
    }
};

const char* kRrFwd = "record_route(); forward(127.0.0.1,5070);";
const char* kLrRelay = "if (loose_route()) { forward(uri:host, uri:port); break; }; sl_send_reply(\"404\",\"no\");";
const char* kLrReply = "if (loose_route()) { sl_send_reply(\"200\",\"lr\"); break; }; sl_send_reply(\"404\",\"no\");";

}  // namespace

TEST(RrE2E, Item16_RecordRouteAboveTheProxyVia) {
    Call r(cfg(kRrFwd), inv());
    std::string m = r.to(5070);
    ASSERT_FALSE(m.empty());
    auto l = header_lines(m);
    EXPECT_EQ(l.at(0), "Record-Route: <sip:127.0.0.1;ftag=ft1;lr>") << m;
    EXPECT_EQ(l.at(1), "Via: SIP/2.0/UDP 127.0.0.1;branch=0");
    EXPECT_EQ(l.at(2), "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1");
}

TEST(RrE2E, Item17_FullLr) {
    Call r(cfg(kRrFwd, "modparam(\"rr\",\"enable_full_lr\",1)\n"), inv());
    EXPECT_EQ(header_lines(r.to(5070)).at(0), "Record-Route: <sip:127.0.0.1;ftag=ft1;lr=on>");
}

TEST(RrE2E, Item18_NoFromTag) {
    Call r(cfg(kRrFwd, "modparam(\"rr\",\"append_fromtag\",0)\n"), inv());
    EXPECT_EQ(header_lines(r.to(5070)).at(0), "Record-Route: <sip:127.0.0.1;lr>");
}

TEST(RrE2E, Item19_PortOfTheListenSocket) {
    Call r(cfg(kRrFwd, "", "listen=udp:127.0.0.1\nport=5062\n"), inv());
    EXPECT_EQ(header_lines(r.to(5070)).at(0), "Record-Route: <sip:127.0.0.1:5062;ftag=ft1;lr>");
}

// In over TCP, out over UDP: the sending socket's entry above the
// receiving socket's, both with r2.
TEST(RrE2E, Item20_TransportChangeRecordsTwoEntries) {
    Call r(cfg("record_route(); forward_udp(127.0.0.1,5070);", "", kUdpTcp), inv(), PROTO_TCP);
    std::string m = r.to(5070);
    ASSERT_FALSE(m.empty());
    auto l = header_lines(m);
    EXPECT_EQ(l.at(0), "Record-Route: <sip:127.0.0.1;r2=on;ftag=ft1;lr>") << m;
    EXPECT_EQ(l.at(1), "Record-Route: <sip:127.0.0.1;transport=tcp;r2=on;ftag=ft1;lr>");
    EXPECT_EQ(l.at(2).rfind("Via: SIP/2.0/UDP 127.0.0.1;branch=0", 0), 0u) << l.at(2);
}

TEST(RrE2E, Item20_DoubleRrOff) {
    Call r(cfg("record_route(); forward_udp(127.0.0.1,5070);", "modparam(\"rr\",\"enable_double_rr\",0)\n", kUdpTcp),
          inv(), PROTO_TCP);
    EXPECT_EQ(values(r.to(5070), "Record-Route"),
              std::vector<std::string>{"<sip:127.0.0.1;transport=tcp;ftag=ft1;lr>"});
}

// In and out over TCP through the same socket: one entry.
TEST(RrE2E, SameTransportOneEntry) {
    Call r(cfg("record_route(); forward(127.0.0.1,5070);", "", kUdpTcp), inv(), PROTO_TCP);
    EXPECT_EQ(values(r.to(5070), "Record-Route"),
              std::vector<std::string>{"<sip:127.0.0.1;transport=tcp;ftag=ft1;lr>"});
}

// §4.3 [quirk]: advertised_address is not used for the entry of the
// receiving socket; the sending socket's entry uses it.
TEST(RrE2E, AdvertisedAddressOnlyInTheOutboundEntry) {
    {
        Call r(cfg(kRrFwd, "advertised_address=\"proxy.example.com\"\n"), inv());
        std::string m = r.to(5070);
        EXPECT_EQ(values(m, "Record-Route"), std::vector<std::string>{"<sip:127.0.0.1;ftag=ft1;lr>"});
        EXPECT_EQ(header_lines(m).at(1), "Via: SIP/2.0/UDP proxy.example.com;branch=0");
    }
    {
        Call r(cfg("record_route(); forward_udp(127.0.0.1,5070);", "advertised_address=\"proxy.example.com\"\n", kUdpTcp),
              inv(), PROTO_TCP);
        EXPECT_EQ(values(r.to(5070), "Record-Route"),
                  (std::vector<std::string>{"<sip:proxy.example.com;r2=on;ftag=ft1;lr>",
                                            "<sip:127.0.0.1;transport=tcp;r2=on;ftag=ft1;lr>"}));
    }
}

TEST(RrE2E, Item21_SecondRecordRouteIsRefused) {
    Call r(cfg("record_route(); if (record_route()) { sl_send_reply(\"500\",\"twice\"); break; }; forward(127.0.0.1,5070);"),
          inv());
    EXPECT_EQ(values(r.to(5070), "Record-Route").size(), 1u);
    EXPECT_EQ(r.to(5080), "") << "the second record_route() returned true";
}

TEST(RrE2E, Item22_Preset) {
    Call r(cfg("record_route_preset(\"10.1.1.1:5090\"); forward(127.0.0.1,5070);"), inv());
    EXPECT_EQ(header_lines(r.to(5070)).at(0), "Record-Route: <sip:bob@10.1.1.1:5090;ftag=ft1;lr>");
}

// maxfwd's insert at the same place comes first (checklist 8 and 16).
TEST(RrE2E, MaxForwardsThenRecordRouteThenVia) {
    Call r(cfg("mf_process_maxfwd_header(\"10\"); record_route(); forward(127.0.0.1,5070);"), inv());
    auto l = header_lines(r.to(5070));
    EXPECT_EQ(l.at(0), "Max-Forwards: 10");
    EXPECT_EQ(l.at(1), "Record-Route: <sip:127.0.0.1;ftag=ft1;lr>");
    EXPECT_EQ(l.at(2), "Via: SIP/2.0/UDP 127.0.0.1;branch=0");
}

TEST(RrE2E, Item23_NoRoute) {
    Call r(cfg(kLrReply), inv());
    EXPECT_EQ(first_line(r.to(5080)), "SIP/2.0 404 no");
}

TEST(RrE2E, Item24_OurRouteRemovedInDialog) {
    Call r(cfg(kLrRelay), bye("sip:bob@127.0.0.1:5070", "<sip:127.0.0.1;ftag=ft1;lr>"));
    std::string m = r.to(5070);
    ASSERT_FALSE(m.empty()) << "not forwarded to UAS1";
    EXPECT_EQ(first_line(m), "BYE sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_TRUE(values(m, "Route").empty()) << m;
}

TEST(RrE2E, Item25_LooseNextHop) {
    Call r(cfg(kLrRelay), bye("sip:bob@127.0.0.1:5070", "<sip:127.0.0.1;lr>, <sip:127.0.0.1:5071;lr>"));
    std::string m = r.to(5071);
    ASSERT_FALSE(m.empty()) << "not forwarded to UAS2";
    EXPECT_EQ(r.to(5070), "");
    EXPECT_EQ(first_line(m), "BYE sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_EQ(values(m, "Route"), std::vector<std::string>{"<sip:127.0.0.1:5071;lr>"});
}

TEST(RrE2E, Item26_AfterAStrictRouter) {
    Call r(cfg(kLrRelay), bye("sip:127.0.0.1", "<sip:127.0.0.1:5071;lr>, <sip:bob@127.0.0.1:5070>"));
    std::string m = r.to(5071);
    ASSERT_FALSE(m.empty()) << "not forwarded to UAS2";
    EXPECT_EQ(first_line(m), "BYE sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_EQ(values(m, "Route"), std::vector<std::string>{"<sip:127.0.0.1:5071;lr>"});
}

TEST(RrE2E, Item27_StrictNextHop) {
    Call r(cfg(kLrRelay), bye("sip:bob@127.0.0.1:5070", "<sip:127.0.0.1;lr>, <sip:127.0.0.1:5071>"));
    std::string m = r.to(5071);
    ASSERT_FALSE(m.empty()) << "not forwarded to UAS2";
    EXPECT_EQ(first_line(m), "BYE sip:127.0.0.1:5071 SIP/2.0");
    auto l = header_lines(m);
    EXPECT_EQ(l.back(), "Route: <sip:bob@127.0.0.1:5070>") << m;   // the last header
    EXPECT_EQ(values(m, "Route"), std::vector<std::string>{"<sip:bob@127.0.0.1:5070>"});
}

TEST(RrE2E, Item28_PreloadedRouteToUs) {
    Call r(cfg(kLrReply), inv("Route: <sip:127.0.0.1;lr>\r\n"));
    EXPECT_EQ(first_line(r.to(5080)), "SIP/2.0 404 no");
}

TEST(RrE2E, Item29_InDialogOnlyOurRoute) {
    Call r(cfg(kLrRelay), bye("sip:bob@127.0.0.1:5070", "<sip:127.0.0.1;lr>"));
    std::string m = r.to(5070);
    ASSERT_FALSE(m.empty());
    EXPECT_TRUE(values(m, "Route").empty());
    EXPECT_EQ(r.to(5080), "");
}

// The dialog of item 20: both of our entries go and loose_route() is true
// (SER 0.9.6 returned false here; the 2005 fix, compatibility.md).
TEST(RrE2E, DoubleRecordRouteInDialogIsRouted) {
    Call r(cfg(kLrRelay, "", kUdpTcp),
          bye("sip:bob@127.0.0.1:5070",
              "<sip:127.0.0.1;r2=on;ftag=ft1;lr>, <sip:127.0.0.1;transport=tcp;r2=on;ftag=ft1;lr>"));
    std::string m = r.to(5070);
    ASSERT_FALSE(m.empty()) << "loose_route() returned false";
    EXPECT_TRUE(values(m, "Route").empty()) << m;
}

// A whole call: the Record-Route the INVITE got routes the callee's BYE back
// through us to the caller.
TEST(RrE2E, RouteSetFromOurRecordRoute) {
    Harness h;
    ASSERT_TRUE(h.load(cfg("if (loose_route()) { forward(uri:host, uri:port); break; }; record_route(); "
                           "forward(127.0.0.1,5070);")))
        << h.errors;
    h.receive(inv(), "127.0.0.1", 5080);
    ASSERT_EQ(h.tx.sent.size(), 1u);
    auto rr = values(h.tx.sent[0].data, "Record-Route");
    ASSERT_EQ(rr.size(), 1u);
    h.receive("BYE sip:alice@127.0.0.1:5080 SIP/2.0\r\n"
              "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-u1\r\n"
              "From: <sip:bob@example.com>;tag=tt1\r\n"
              "To: <sip:alice@example.com>;tag=ft1\r\n"
              "Call-ID: c1\r\nCSeq: 1 BYE\r\n"
              "Route: " + rr[0] + "\r\n"
              "Content-Length: 0\r\n\r\n",
              "127.0.0.1", 5070);
    ASSERT_EQ(h.tx.sent.size(), 2u);
    const Sent& s = h.tx.sent[1];
    EXPECT_EQ(s.to_port, 5080);
    EXPECT_EQ(first_line(s.data), "BYE sip:alice@127.0.0.1:5080 SIP/2.0");
    EXPECT_TRUE(values(s.data, "Route").empty());
    EXPECT_TRUE(values(s.data, "Record-Route").empty()) << "record_route() ran on an in-dialog request";
}

TEST(RrE2E, Item30_RecordRouteStrictIsALoadError) {
    Harness h;
    EXPECT_FALSE(h.load(cfg("record_route_strict();")));
    EXPECT_NE(h.errors.find("cannot be used in the block"), std::string::npos) << h.errors;
    Harness f;
    EXPECT_FALSE(f.load(cfg("break; } failure_route[1] { record_route_strict();")));
    EXPECT_NE(f.errors.find("record_route_strict"), std::string::npos) << f.errors;
}

TEST(RrE2E, RecordRouteOnlyInRequestRoutes) {
    Harness h;
    EXPECT_FALSE(h.load(cfg("break; } onreply_route[1] { record_route();")));
    EXPECT_NE(h.errors.find("cannot be used in the block"), std::string::npos) << h.errors;
}
