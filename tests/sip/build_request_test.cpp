// Forwarded requests: cfg-language §14 items 77-81, core-runtime §6.3/§6.4.
#include <gtest/gtest.h>

#include "ser/sip/build.hpp"
#include "test_util.hpp"

namespace ser::sip {
namespace {

std::string invite(const std::string& via, const std::string& extra = "",
                   const std::string& body = "v=0\n") {
    return "INVITE sip:alice@example.com SIP/2.0\n"
           "Via: SIP/2.0/UDP " + via + "\n"
           "Max-Forwards: 70\n"
           "From: <sip:bob@example.org>;tag=1\n"
           "To: <sip:alice@example.com>\n"
           "Call-ID: call1@127.0.0.1\n"
           "CSeq: 1 INVITE\n" + extra +
           "Content-Length: " + std::to_string(test::crlf(body).size()) + "\n"
           "\n" + body;
}

const ViaSpec kOurVia{"UDP", "127.0.0.1", "5099", "0", ""};
const ReceivedInfo kFrom{"127.0.0.1", 5096, false};

// Item 77: new top Via, nothing else changes.
TEST(BuildRequest, Item77NewViaOnly) {
    test::Parsed p(invite("127.0.0.1:5096;branch=z9hG4bKc1"));
    ASSERT_TRUE(p.ok) << p.m.error();
    std::string out = build_request(p.m, kOurVia, kFrom, false);
    std::string expect = p.buf;
    expect.insert(expect.find("Via:"), "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\r\n");
    EXPECT_EQ(out, expect);
}

// Item 78: force_rport -> rport right after host:port.
TEST(BuildRequest, Item78ForceRport) {
    test::Parsed p(invite("127.0.0.1:5096;branch=z9hG4bKc1"));
    ASSERT_TRUE(p.ok);
    std::string out = build_request(p.m, kOurVia, {"127.0.0.1", 5096, true}, false);
    EXPECT_NE(out.find("\r\nVia: SIP/2.0/UDP 127.0.0.1:5096;rport=5096;branch=z9hG4bKc1\r\n"),
              std::string::npos)
        << out;
}

// Item 79: valueless rport filled in place, received inserted after host:port.
TEST(BuildRequest, Item79RportParamAndReceived) {
    test::Parsed p(invite("10.1.1.1:5096;rport;branch=z"));
    ASSERT_TRUE(p.ok);
    ViaSpec v{"UDP", "127.0.0.1", "5099", "z9hG4bKa1b2.0123456789abcdef0123456789abcdef.0", ""};
    std::string out = build_request(p.m, v, kFrom, false);
    EXPECT_NE(out.find("Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKa1b2."
                       "0123456789abcdef0123456789abcdef.0\r\n"
                       "Via: SIP/2.0/UDP 10.1.1.1:5096;received=127.0.0.1;rport=5096;branch=z\r\n"),
              std::string::npos)
        << out;
}

// Item 80: old received replaced in place, new rport before it.
TEST(BuildRequest, Item80ReceivedReplacedInPlace) {
    test::Parsed p(invite("sip.example.net;received=1.2.3.4;branch=z"));
    ASSERT_TRUE(p.ok);
    std::string out = build_request(p.m, kOurVia, {"127.0.0.1", 5096, true}, false);
    EXPECT_NE(out.find("Via: SIP/2.0/UDP sip.example.net;rport=5096;received=127.0.0.1;branch=z\r\n"),
              std::string::npos)
        << out;
}

// Both new: ";rport=P;received=IP" right after host:port.
TEST(BuildRequest, BothNewOrder) {
    test::Parsed p(invite("10.1.1.1:5060;branch=z"));
    ASSERT_TRUE(p.ok);
    std::string out = build_request(p.m, kOurVia, {"127.0.0.1", 5096, true}, false);
    EXPECT_NE(out.find("Via: SIP/2.0/UDP 10.1.1.1:5060;rport=5096;received=127.0.0.1;branch=z\r\n"),
              std::string::npos)
        << out;
}

// Item 81: advertised address/port are just the ViaSpec the core passes.
TEST(BuildRequest, Item81AdvertisedAddress) {
    test::Parsed p(invite("127.0.0.1:5096;branch=z9hG4bKc1"));
    ASSERT_TRUE(p.ok);
    std::string out = build_request(p.m, {"UDP", "adv.example.com", "5080", "0", ""}, kFrom, false);
    EXPECT_EQ(out.find("Via: SIP/2.0/UDP adv.example.com:5080;branch=0\r\n"), out.find("Via:"));
    out = build_request(p.m, {"UDP", "1.2.3.4", "5060", "0", ""}, kFrom, false);
    EXPECT_NE(out.find("Via: SIP/2.0/UDP 1.2.3.4:5060;branch=0\r\n"), std::string::npos);
    out = build_request(p.m, {"TCP", "[2001:db8::1]", "", "0", ";i=a1"}, kFrom, true);
    EXPECT_NE(out.find("Via: SIP/2.0/TCP [2001:db8::1];branch=0;i=a1\r\n"), std::string::npos);
}

TEST(BuildRequest, ReceivedHostTestQuirks) {
    size_t pos = 0;
    ViaBody v;
    std::string_view prefix = "SIP/2.0/UDP 127.0.0;branch=z";
    ASSERT_TRUE(parse_via_parm(prefix, pos, v));
    EXPECT_FALSE(received_needed(v, "127.0.0.1"));    // prefix of the address matches [quirk]
    pos = 0;
    std::string_view longer = "SIP/2.0/UDP 127.0.0.10;branch=z";
    ASSERT_TRUE(parse_via_parm(longer, pos, v));
    EXPECT_TRUE(received_needed(v, "127.0.0.1"));
    pos = 0;
    std::string_view v6 = "SIP/2.0/UDP [2001:DB8::1]:5060;branch=z";
    ASSERT_TRUE(parse_via_parm(v6, pos, v));
    EXPECT_FALSE(received_needed(v, "2001:db8::1"));
    EXPECT_FALSE(received_needed(v, "[2001:db8::1]"));
    EXPECT_TRUE(received_needed(v, "2001:db8::2"));
    pos = 0;
    std::string_view name = "SIP/2.0/UDP host.example.com;branch=z";
    ASSERT_TRUE(parse_via_parm(name, pos, v));
    EXPECT_TRUE(received_needed(v, "127.0.0.1"));
}

TEST(BuildRequest, Ipv6ReceivedUnbracketed) {
    test::Parsed p(invite("[2001:db8::5]:5060;branch=z"));
    ASSERT_TRUE(p.ok) << p.m.error();
    std::string out = build_request(p.m, kOurVia, {"[2001:db8::9]", 5070, false}, false);
    EXPECT_NE(out.find("Via: SIP/2.0/UDP [2001:db8::5]:5060;received=2001:db8::9;branch=z\r\n"),
              std::string::npos)
        << out;
}

TEST(BuildRequest, NewUriInRequestLine) {
    test::Parsed p(invite("127.0.0.1:5096;branch=z"));
    ASSERT_TRUE(p.ok);
    p.m.new_uri = "sip:alice@10.0.0.7:5070;transport=udp";
    std::string out = build_request(p.m, kOurVia, kFrom, false);
    EXPECT_EQ(out.substr(0, out.find("\r\n")),
              "INVITE sip:alice@10.0.0.7:5070;transport=udp SIP/2.0");
}

TEST(BuildRequest, ContentLengthOverUdpAndTcp) {
    // UDP, no Content-Length, body untouched: not added
    std::string nocl = "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1;branch=z\n"
                       "From: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: x\nCSeq: 1 OPTIONS\n\nbody";
    test::Parsed u(nocl);
    ASSERT_TRUE(u.ok);
    std::string out = build_request(u.m, kOurVia, kFrom, false);
    EXPECT_EQ(out.find("Content-Length"), std::string::npos);
    // TCP: added at the end of the headers with the actual body length
    out = build_request(u.m, {"TCP", "127.0.0.1", "5099", "0", ""}, kFrom, true);
    EXPECT_NE(out.find("CSeq: 1 OPTIONS\r\nContent-Length: 4\r\n\r\nbody"), std::string::npos)
        << out;
    // UDP, missing header and a body edit: still not added
    u.m.lumps.insert(u.m.body_offset(), "xx");
    out = build_request(u.m, kOurVia, kFrom, false);
    EXPECT_EQ(out.find("Content-Length"), std::string::npos);
    EXPECT_EQ(out.substr(out.size() - 6), "xxbody");
    // existing header: replaced only when the body changed
    test::Parsed c(invite("127.0.0.1:5096;branch=z", "", "v=0\n"));
    ASSERT_TRUE(c.ok);
    out = build_request(c.m, kOurVia, kFrom, false);
    EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos);
    c.m.lumps.remove(c.m.body_offset(), uint32_t(c.m.body().size()));
    out = build_request(c.m, kOurVia, kFrom, false);
    EXPECT_NE(out.find("Content-Length: 0\r\n\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(BuildRequest, RecordRouteBeforeOurVia) {
    test::Parsed p(invite("127.0.0.1:5096;branch=z"));
    ASSERT_TRUE(p.ok);
    p.m.lumps.insert(p.m.headers()[0].offset, "Record-Route: <sip:127.0.0.1:5099;lr>\r\n");
    std::string out = build_request(p.m, kOurVia, kFrom, false);
    EXPECT_NE(out.find("SIP/2.0\r\nRecord-Route: <sip:127.0.0.1:5099;lr>\r\n"
                       "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\r\n"
                       "Via: SIP/2.0/UDP 127.0.0.1:5096;branch=z\r\n"),
              std::string::npos)
        << out;
}

TEST(BuildRequest, LeadingCrlfAndTrailingOctetsNotSent) {
    std::string s = "\r\n" + test::crlf(invite("127.0.0.1:5096;branch=z")) + "GARBAGE";
    Msg m;
    ASSERT_TRUE(m.parse(s.data(), s.size())) << m.error();
    std::string out = build_request(m, kOurVia, kFrom, false);
    EXPECT_EQ(out.substr(0, 7), "INVITE ");
    EXPECT_EQ(out.substr(out.size() - 5), "v=0\r\n");
}

TEST(BuildRequest, ViaInAMultiBodyLine) {
    test::Parsed p(invite("10.1.1.1;branch=a, SIP/2.0/UDP 10.2.2.2;branch=b"));
    ASSERT_TRUE(p.ok) << p.m.error();
    std::string out = build_request(p.m, kOurVia, kFrom, false);
    EXPECT_NE(out.find("Via: SIP/2.0/UDP 10.1.1.1;received=127.0.0.1;branch=a, "
                       "SIP/2.0/UDP 10.2.2.2;branch=b\r\n"),
              std::string::npos)
        << out;
}

}  // namespace
}  // namespace ser::sip
