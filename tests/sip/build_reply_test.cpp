// Stateless reply forwarding: core-runtime §6.6, cfg-language §14 item 82.
#include <gtest/gtest.h>

#include "ser/sip/build.hpp"
#include "test_util.hpp"

namespace ser::sip {
namespace {

std::string reply(const std::string& vias, const std::string& body = "") {
    return "SIP/2.0 200 OK\n" + vias +
           "From: <sip:bob@example.org>;tag=1\n"
           "To: <sip:alice@example.com>;tag=2\n"
           "Call-ID: call1@127.0.0.1\n"
           "CSeq: 1 INVITE\n"
           "Content-Length: " + std::to_string(test::crlf(body).size()) + "\n"
           "\n" + body;
}

TEST(BuildReply, RemovesFirstViaLine) {
    test::Parsed p(reply("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:5097;branch=z9hG4bKc\n"));
    ASSERT_TRUE(p.ok) << p.m.error();
    std::string out = build_reply_forward(p.m, false);
    std::string expect = p.buf;
    expect.erase(expect.find("Via:"), std::string("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\r\n").size());
    EXPECT_EQ(out, expect);
    std::string host, tr;
    uint16_t port = 0;
    ASSERT_TRUE(reply_forward_dest(p.m, host, port, tr));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, 5097);
    EXPECT_EQ(tr, "UDP");
}

TEST(BuildReply, RemovesFirstBodyOfMultiViaLine) {
    test::Parsed p(reply("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0 ,  SIP/2.0/TCP 10.0.0.2;branch=c\n"));
    ASSERT_TRUE(p.ok);
    std::string out = build_reply_forward(p.m, false);
    EXPECT_NE(out.find("\r\nVia: SIP/2.0/TCP 10.0.0.2;branch=c\r\n"), std::string::npos) << out;
    std::string host, tr;
    uint16_t port = 1;
    ASSERT_TRUE(reply_forward_dest(p.m, host, port, tr));
    EXPECT_EQ(host, "10.0.0.2");
    EXPECT_EQ(port, 5060);   // IP literal without port
    EXPECT_EQ(tr, "TCP");
}

// Item 82: received/rport of the second Via win over its host/port.
TEST(BuildReply, DestinationFromReceivedAndRport) {
    test::Parsed p(reply("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\n"
                         "Via: SIP/2.0/UDP client.example.com:5070;received=127.0.0.1;rport=5097\n"));
    ASSERT_TRUE(p.ok);
    std::string host, tr;
    uint16_t port = 0;
    ASSERT_TRUE(reply_forward_dest(p.m, host, port, tr));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, 5097);

    test::Parsed q(reply("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\n"
                         "Via: SIP/2.0/UDP client.example.com;received=192.0.2.4;rport\n"));
    ASSERT_TRUE(q.ok);
    ASSERT_TRUE(reply_forward_dest(q.m, host, port, tr));
    EXPECT_EQ(host, "192.0.2.4");
    EXPECT_EQ(port, 5060);   // received used, no port, rport without value

    test::Parsed n(reply("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\n"
                         "Via: SIP/2.0/TLS client.example.com\n"));
    ASSERT_TRUE(n.ok);
    ASSERT_TRUE(reply_forward_dest(n.m, host, port, tr));
    EXPECT_EQ(host, "client.example.com");
    EXPECT_EQ(port, 0);      // name without port: SRV lookup by the caller
    EXPECT_EQ(tr, "TLS");

    test::Parsed v6(reply("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\n"
                          "Via: SIP/2.0/UDP [2001:db8::7]:5062\n"));
    ASSERT_TRUE(v6.ok);
    ASSERT_TRUE(reply_forward_dest(v6.m, host, port, tr));
    EXPECT_EQ(host, "2001:db8::7");
    EXPECT_EQ(port, 5062);
}

TEST(BuildReply, NoSecondViaIsDropped) {
    test::Parsed p(reply("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\n"));
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(build_reply_forward(p.m, false), "");
    std::string host, tr;
    uint16_t port;
    EXPECT_FALSE(reply_forward_dest(p.m, host, port, tr));
}

TEST(BuildReply, LumpsAndContentLength) {
    test::Parsed p(reply("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:5097\n",
                         "v=0\n"));
    ASSERT_TRUE(p.ok);
    // an edit inside the removed Via vanishes with it; a body edit updates CL
    p.m.lumps.insert(p.m.via1()->host_end_off, ";x=1");
    p.m.lumps.insert(p.m.body_offset() + 5, "o=x\r\n");
    std::string out = build_reply_forward(p.m, false);
    EXPECT_EQ(out.find(";x=1"), std::string::npos);
    EXPECT_NE(out.find("Content-Length: 10\r\n\r\nv=0\r\no=x\r\n"), std::string::npos) << out;
    // TCP without Content-Length: added
    test::Parsed t("SIP/2.0 180 Ringing\nVia: SIP/2.0/UDP a;branch=0\nVia: SIP/2.0/TCP b\n"
                   "CSeq: 1 INVITE\n\n");
    ASSERT_TRUE(t.ok);
    EXPECT_EQ(build_reply_forward(t.m, true),
              test::crlf("SIP/2.0 180 Ringing\nVia: SIP/2.0/TCP b\nCSeq: 1 INVITE\n"
                         "Content-Length: 0\n\n"));
}

}  // namespace
}  // namespace ser::sip
