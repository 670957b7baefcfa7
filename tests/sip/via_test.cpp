#include <gtest/gtest.h>

#include "test_util.hpp"

namespace ser::sip {
namespace {

TEST(Via, ParamsAndOffsets) {
    std::string_view v = "SIP/2.0/UDP 10.1.1.1:5096;rport;branch=z9hG4bK77;received=1.2.3.4;i=a1;alias";
    size_t pos = 0;
    ViaBody b;
    ASSERT_TRUE(parse_via_parm(v, pos, b));
    EXPECT_EQ(pos, v.size());
    EXPECT_EQ(b.transport, "UDP");
    EXPECT_EQ(b.host, "10.1.1.1");
    EXPECT_EQ(b.port_text, "5096");
    EXPECT_EQ(b.port, 5096);
    EXPECT_EQ(*b.rport, "");
    EXPECT_EQ(*b.branch, "z9hG4bK77");
    EXPECT_EQ(*b.received, "1.2.3.4");
    EXPECT_EQ(*b.i, "a1");
    EXPECT_EQ(*b.alias, "");
    EXPECT_EQ(v.substr(b.host_end_off), v.substr(v.find(";rport")));
    EXPECT_EQ(v.substr(b.rport_off, b.rport_len), ";rport");
    EXPECT_EQ(v.substr(b.received_off, b.received_len), ";received=1.2.3.4");
    EXPECT_EQ(b.params, "rport;branch=z9hG4bK77;received=1.2.3.4;i=a1;alias");
    EXPECT_EQ(b.offset, 0u);
    EXPECT_EQ(b.length, v.size());
    EXPECT_TRUE(b.last_in_line);
}

TEST(Via, Ipv6AndNoPort) {
    std::string_view v = "SIP/2.0/TCP [2001:db8::1];branch=z9hG4bKx;received=2001:db8::2";
    size_t pos = 0;
    ViaBody b;
    ASSERT_TRUE(parse_via_parm(v, pos, b));
    EXPECT_TRUE(b.host_is_v6);
    EXPECT_EQ(b.host, "2001:db8::1");
    EXPECT_EQ(b.host_text(), "[2001:db8::1]");
    EXPECT_EQ(b.port, 0);
    EXPECT_EQ(*b.received, "2001:db8::2");
    EXPECT_EQ(v.substr(0, b.host_end_off), "SIP/2.0/TCP [2001:db8::1]");
}

TEST(Via, SeveralBodiesInOneLine) {
    std::string_view v = "SIP/2.0/UDP a.example.com;branch=1 ,  SIP/2.0/TCP b.example.com:5070 ;branch=2";
    size_t pos = 0;
    ViaBody a, b;
    ASSERT_TRUE(parse_via_parm(v, pos, a));
    EXPECT_FALSE(a.last_in_line);
    EXPECT_EQ(v.substr(a.offset, a.length), "SIP/2.0/UDP a.example.com;branch=1");
    EXPECT_EQ(v.substr(a.next_offset, 11), "SIP/2.0/TCP");
    ASSERT_TRUE(parse_via_parm(v, pos, b));
    EXPECT_EQ(b.host, "b.example.com");
    EXPECT_EQ(b.port, 5070);
    EXPECT_EQ(*b.branch, "2");
    EXPECT_TRUE(b.last_in_line);
}

TEST(Via, FoldedLws) {
    // RFC 4475 wsinv's second Via line.
    std::string_view v =
        "SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n"
        " SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239";
    size_t pos = 0;
    ViaBody a, b;
    ASSERT_TRUE(parse_via_parm(v, pos, a));
    EXPECT_EQ(a.host, "spindle.example.com");
    EXPECT_EQ(*a.branch, "z9hG4bK9ikj8");
    ASSERT_TRUE(parse_via_parm(v, pos, b));
    EXPECT_EQ(b.host, "192.168.255.111");
    EXPECT_EQ(*b.branch, "z9hG4bK30239");
}

TEST(Via, Rejects) {
    for (const char* s : {"", "SIP/2.0/UDP", "SIP/2.0 UDP host", "SIP/2.0/UDP host;;x",
                          "SIP/2.0/UDP host;", "SIP/2.0/UDP host,", "SIP/2.0/UDP host junk",
                          "SIP/2.0/UDP host:", "SIP/2.0/UDP host:70000", "SIP/2.0/UDP [::1",
                          "SIP/2.0/UDP [zz]", "SIP/2.0/UDP host;branch=", "SIP/2.0/UDP host;x=\"a",
                          "SIP/2.0/UDP 192.0.2.15;;,;,,", "SIP/2.0/UDPhost"}) {
        size_t pos = 0;
        ViaBody b;
        EXPECT_FALSE(parse_via_parm(s, pos, b)) << s;
    }
}

TEST(Via, Via1Via2AcrossLines) {
    test::Parsed p(
        "SIP/2.0 200 OK\n"
        "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\n"
        "Via: SIP/2.0/UDP client.example.com:5070;branch=z9hG4bKc;rport=1234;received=192.0.2.9, "
        "SIP/2.0/UDP third.example.com\n"
        "\n");
    ASSERT_TRUE(p.ok) << p.m.error();
    const ViaBody* v1 = p.m.via1();
    const ViaBody* v2 = p.m.via2();
    ASSERT_TRUE(v1 && v2);
    EXPECT_EQ(v1->hdr_index, 0);
    EXPECT_EQ(v2->hdr_index, 1);
    EXPECT_EQ(v2->host, "client.example.com");
    EXPECT_EQ(*v2->rport, "1234");
    // offsets are buffer offsets
    EXPECT_EQ(p.m.buffer().substr(v2->received_off, v2->received_len), ";received=192.0.2.9");
    EXPECT_EQ(p.m.buffer().substr(v2->host_end_off, 6), ";branc");
    EXPECT_EQ(p.m.via_count(), 3u);
}

TEST(Via, Via2InSameLine) {
    test::Parsed p("SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;branch=2\n\n");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.m.via2()->host, "b");
    EXPECT_EQ(p.m.via2()->hdr_index, 0);
    test::Parsed one("SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=1\n\n");
    ASSERT_TRUE(one.ok);
    EXPECT_EQ(one.m.via2(), nullptr);
    EXPECT_EQ(one.m.via_count(), 1u);
}

TEST(Via, BadTopViaRejectsMessage) {
    test::Parsed p("SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;;\n\n");
    EXPECT_FALSE(p.ok);
    test::Parsed none("SIP/2.0 200 OK\nTo: <sip:a@b>\n\n");
    EXPECT_FALSE(none.ok);
}

}  // namespace
}  // namespace ser::sip
