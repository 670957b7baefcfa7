// Stateless forwarding on the wire (cfg-language §14 items 77-82) and the
// URI/branch actions (items 69-71).
#include <gtest/gtest.h>

#include "tests/script/harness.hpp"

using namespace ser;
using namespace ser::test;

namespace {

std::string first_via(const std::string& msg) {
    size_t p = msg.find("\r\nVia: ");
    if (p == std::string::npos) return {};
    p += 7;
    return msg.substr(p, msg.find("\r\n", p) - p);
}

std::string second_via(const std::string& msg) {
    size_t p = msg.find("\r\nVia: ");
    p = msg.find("\r\nVia: ", p + 2);
    if (p == std::string::npos) return {};
    p += 7;
    return msg.substr(p, msg.find("\r\n", p) - p);
}

}  // namespace

TEST(Checklist, Item77_ForwardAddsViaWithBranchZero) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("forward(127.0.0.1, 5098);"))) << h.errors;
    std::string in = invite();
    h.receive(in);
    ASSERT_EQ(h.tx.sent.size(), 1u);
    const Sent& s = h.tx.sent[0];
    EXPECT_EQ(s.to_ip, "127.0.0.1");
    EXPECT_EQ(s.to_port, 5098);
    EXPECT_EQ(first_via(s.data), "SIP/2.0/UDP 127.0.0.1:5099;branch=0");
    EXPECT_EQ(second_via(s.data), "SIP/2.0/UDP 127.0.0.1:5096;branch=z9hG4bK-1");
    // Body, Max-Forwards and Content-Length unchanged.
    EXPECT_NE(s.data.find("Max-Forwards: 70\r\n"), std::string::npos);
    EXPECT_EQ(s.data.substr(s.data.find("\r\n\r\n")), in.substr(in.find("\r\n\r\n")));
    EXPECT_EQ(s.data.size(), in.size() + std::string("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\r\n").size());
}

TEST(Checklist, Item78_ForceRport) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("force_rport(); forward(127.0.0.1, 5098);"))) << h.errors;
    h.receive(invite());
    ASSERT_EQ(h.tx.sent.size(), 1u);
    EXPECT_EQ(second_via(h.tx.sent[0].data), "SIP/2.0/UDP 127.0.0.1:5096;rport=5096;branch=z9hG4bK-1");
}

TEST(Checklist, Item79_ReceivedAndRportAndComputedBranch) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("forward(127.0.0.1, 5098);", "syn_branch=0\n"))) << h.errors;
    h.receive(invite("sip:alice@example.com", "SIP/2.0/UDP 10.1.1.1:5096;rport;branch=z"));
    ASSERT_EQ(h.tx.sent.size(), 1u);
    EXPECT_EQ(second_via(h.tx.sent[0].data), "SIP/2.0/UDP 10.1.1.1:5096;received=127.0.0.1;rport=5096;branch=z");
    std::string ours = first_via(h.tx.sent[0].data);
    ASSERT_EQ(ours.rfind("SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK", 0), 0u) << ours;
    std::string b = ours.substr(ours.find("branch=") + 7);
    // z9hG4bK<hex>.<32 hex>.0
    size_t d1 = b.find('.'), d2 = b.rfind('.');
    ASSERT_NE(d1, d2);
    EXPECT_EQ(d2 - d1 - 1, 32u) << b;
    EXPECT_EQ(b.substr(d2), ".0");
    // Stable for a retransmission (core-runtime §12 item 10).
    h.receive(invite("sip:alice@example.com", "SIP/2.0/UDP 10.1.1.1:5096;rport;branch=z"));
    ASSERT_EQ(h.tx.sent.size(), 2u);
    EXPECT_EQ(first_via(h.tx.sent[1].data), ours);
    h.receive(invite("sip:alice@example.com", "SIP/2.0/UDP 10.1.1.1:5096;rport;branch=other"));
    EXPECT_NE(first_via(h.tx.sent[2].data), ours);
}

TEST(Checklist, Item80_OldReceivedReplacedInPlace) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("force_rport(); forward(127.0.0.1, 5098);"))) << h.errors;
    h.receive(invite("sip:alice@example.com", "SIP/2.0/UDP sip.example.net;received=1.2.3.4;branch=z"));
    ASSERT_EQ(h.tx.sent.size(), 1u);
    EXPECT_EQ(second_via(h.tx.sent[0].data), "SIP/2.0/UDP sip.example.net;rport=5096;received=127.0.0.1;branch=z");
}

TEST(Checklist, Item81_AdvertisedAddressAndPort) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("set_advertised_address(\"adv.example.com\"); set_advertised_port(5080);"
                                " forward(127.0.0.1, 5098);")))
        << h.errors;
    h.receive(invite());
    ASSERT_EQ(h.tx.sent.size(), 1u);
    EXPECT_EQ(first_via(h.tx.sent[0].data), "SIP/2.0/UDP adv.example.com:5080;branch=0");

    Harness g;
    ASSERT_TRUE(g.load(base_cfg("forward(127.0.0.1, 5098);", "advertised_address=\"1.2.3.4\"\nadvertised_port=5060\n")))
        << g.errors;
    g.receive(invite());
    ASSERT_EQ(g.tx.sent.size(), 1u);
    EXPECT_EQ(first_via(g.tx.sent[0].data), "SIP/2.0/UDP 1.2.3.4:5060;branch=0");
}

TEST(Checklist, Item82_RepliesForwardedBySecondViaWithoutRunningRoute) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("f1(\"route ran\");"))) << h.errors;
    std::string reply =
        "SIP/2.0 200 OK\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5097;branch=z9hG4bK-1\r\n"
        "From: <sip:bob@example.org>;tag=1\r\nTo: <sip:alice@example.com>;tag=2\r\n"
        "Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    h.receive(reply, "127.0.0.1", 5098);
    EXPECT_TRUE(h.m().calls.empty());
    ASSERT_EQ(h.tx.sent.size(), 1u);
    EXPECT_EQ(h.tx.sent[0].to_port, 5097);
    std::string expected = reply;
    expected.erase(expected.find("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\r\n"),
                   std::string("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\r\n").size());
    EXPECT_EQ(h.tx.sent[0].data, expected);

    std::string nat = reply;
    nat.replace(nat.find("5097;branch"), 11, "5097;received=127.0.0.5;rport=6000;branch");
    h.receive(nat, "127.0.0.1", 5098);
    ASSERT_EQ(h.tx.sent.size(), 2u);
    EXPECT_EQ(h.tx.sent[1].to_ip, "127.0.0.5");
    EXPECT_EQ(h.tx.sent[1].to_port, 6000);
}

TEST(Checklist, Item69_AppendBranch) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("rewriteuri(\"sip:x@example.com\"); append_branch(); append_branch;"
                                " append_branch(\"sip:b@c\",\"0.5\"); append_branch(\"sip:d@e\",\"1\");"
                                " append_branch(\"sip:h@i\",\".25\"); forward(127.0.0.1, 5098);")))
        << h.errors;
    // Inspect branches through a reply hook-free path: the message is gone
    // after receive(), so check via the engine directly.
    std::string text = invite();
    sip::Msg m;
    ASSERT_TRUE(m.parse(text.data(), text.size()));
    m.rcv.proto = PROTO_UDP;
    IpAddr::parse("127.0.0.1", m.rcv.src_ip);
    h.server.engine().run(script::RouteType::Request, 0, m);
    ASSERT_EQ(m.branches.size(), 5u);
    EXPECT_EQ(m.branches[0].uri, "sip:x@example.com");
    EXPECT_EQ(m.branches[0].q, -1);
    EXPECT_EQ(m.branches[1].uri, "sip:x@example.com");
    EXPECT_EQ(m.branches[1].q, 0);
    EXPECT_EQ(m.branches[2].uri, "sip:b@c");
    EXPECT_EQ(m.branches[2].q, 500);
    EXPECT_EQ(m.branches[3].q, 1000);
    EXPECT_EQ(m.branches[4].uri, "sip:h@i");
    EXPECT_EQ(m.branches[4].q, 250);
}

namespace {

// The URI under test is made the current URI of a plain INVITE: some of
// the checklist's URIs (e.g. with ?headers) are not valid Request-URIs on
// the wire (RFC 4475 escruri), but the actions must handle them.
std::string rewrite(const std::string& uri, const std::string& actions) {
    Harness h;
    EXPECT_TRUE(h.load(base_cfg(actions))) << h.errors;
    std::string text = invite();
    sip::Msg m;
    EXPECT_TRUE(m.parse(text.data(), text.size()));
    m.new_uri = uri;
    m.uri_changed();
    h.server.engine().run(script::RouteType::Request, 0, m);
    return std::string(m.current_uri());
}

}  // namespace

TEST(Checklist, Item70_UriRewriteFamily) {
    const std::string u = "sip:+4912345:pw@example.com:5070;transport=udp;user=phone?subject=x";
    EXPECT_EQ(rewrite(u, "strip(3);"), "sip:12345:pw@example.com:5070;transport=udp;user=phone?subject=x");
    EXPECT_EQ(rewrite(u, "strip(3); prefix(\"00\");"), "sip:0012345:pw@example.com:5070;transport=udp;user=phone?subject=x");
    EXPECT_EQ(rewrite(u, "strip(3); prefix(\"00\"); strip_tail(2);"),
              "sip:00123:pw@example.com:5070;transport=udp;user=phone?subject=x");
    EXPECT_EQ(rewrite(u, "setuser(\"bob\");"), "sip:bob:pw@example.com:5070;transport=udp;user=phone?subject=x");
    EXPECT_EQ(rewrite(u, "setuserpass(\"u:p\");"), "sip:u:p@example.com:5070;transport=udp;user=phone?subject=x");
    EXPECT_EQ(rewrite(u, "setuserpass(\"u:p\"); sethost(\"h.example\");"),
              "sip:u:p@h.example:5070;transport=udp;user=phone?subject=x");
    EXPECT_EQ(rewrite(u, "setuserpass(\"u:p\"); sethostport(\"h2:99\");"), "sip:u:p@h2:99;transport=udp;user=phone?subject=x");
    EXPECT_EQ(rewrite(u, "setuserpass(\"u:p\"); sethostport(\"h2:99\"); setport(\"1234\");"),
              "sip:u:p@h2:1234;transport=udp;user=phone?subject=x");
    EXPECT_EQ(rewrite(u, "setuserpass(\"u:p\"); sethostport(\"h3\");"), "sip:u:p@h3;transport=udp;user=phone?subject=x");
    EXPECT_EQ(rewrite(u, "seturi(\"sip:x@y\");"), "sip:x@y");
    EXPECT_EQ(rewrite(u, "seturi(\"sip:x@y\"); revert_uri();"), "sip:alice@example.com");
    EXPECT_EQ(rewrite("sip:u:pw@h", "strip(1);"), "sip::pw@h");
}

TEST(Checklist, Item71_SipsDowngradedBySetuser) {
    EXPECT_EQ(rewrite("sips:alice@example.com", "setuser(\"x\");"), "sip:x@example.com");
}

TEST(Forward, RewrittenUriGoesIntoRequestLine) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("rewritehostport(\"127.0.0.1:5070\"); forward(uri:host, uri:port);"))) << h.errors;
    h.receive(invite());
    ASSERT_EQ(h.tx.sent.size(), 1u);
    EXPECT_EQ(h.tx.sent[0].to_port, 5070);
    EXPECT_EQ(h.tx.sent[0].data.rfind("INVITE sip:alice@127.0.0.1:5070 SIP/2.0\r\n", 0), 0u) << h.tx.sent[0].data;
}

TEST(Forward, SendForwardsOriginalBytes) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("rewritehost(\"x.example\"); send(127.0.0.1, 5098);"))) << h.errors;
    std::string in = invite();
    h.receive(in);
    ASSERT_EQ(h.tx.sent.size(), 1u);
    EXPECT_EQ(h.tx.sent[0].data, in);
}

TEST(Forward, TcpRequestGetsConnectionIdAndContentLength) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099 tcp:127.0.0.1:5099\nloadmodule \"M.so\"\n"
                       "route{ forward_udp(127.0.0.1, 5098); }"))
        << h.errors;
    h.receive(invite(), "127.0.0.1", 40000, PROTO_TCP);
    ASSERT_EQ(h.tx.sent.size(), 1u);
    EXPECT_EQ(first_via(h.tx.sent[0].data), "SIP/2.0/UDP 127.0.0.1:5099;branch=0;i=7");
}
