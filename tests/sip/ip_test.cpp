#include <gtest/gtest.h>

#include <netinet/in.h>

#include "ser/ip.hpp"

namespace ser {
namespace {

TEST(IpAddr, ParsesDottedQuad) {
    IpAddr a;
    ASSERT_TRUE(IpAddr::parse("192.0.2.15", a));
    EXPECT_EQ(a.af, AF_INET);
    EXPECT_EQ(a.len, 4);
    EXPECT_EQ(a.b[0], 192);
    EXPECT_EQ(a.b[3], 15);
    EXPECT_EQ(a.to_string(), "192.0.2.15");
}

TEST(IpAddr, RejectsBadV4) {
    IpAddr a;
    for (const char* s : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4 ", "a.b.c.d",
                          "1.2.3.0004", "example.com"})
        EXPECT_FALSE(IpAddr::parse(s, a)) << s;
}

TEST(IpAddr, ParsesV6WithAndWithoutBrackets) {
    IpAddr a, b;
    ASSERT_TRUE(IpAddr::parse("2001:DB8::10", a));
    ASSERT_TRUE(IpAddr::parse("[2001:db8::10]", b));
    EXPECT_EQ(a.af, AF_INET6);
    EXPECT_EQ(a.len, 16);
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.to_string(), "2001:db8::10");
    EXPECT_FALSE(IpAddr::parse("[2001:db8::10", a));
    EXPECT_FALSE(IpAddr::parse("[]", a));
    EXPECT_FALSE(IpAddr::parse("2001:db8:::10:zz", a));
}

TEST(IpAddr, InNet) {
    IpAddr a, net;
    IpAddr::parse("127.0.0.1", a);
    IpAddr::parse("127.0.0.0", net);
    EXPECT_TRUE(a.in_net(net, IpAddr::prefix_mask(8)));
    IpAddr::parse("10.0.0.0", net);
    EXPECT_FALSE(a.in_net(net, IpAddr::prefix_mask(8)));
    EXPECT_TRUE(a.in_net(net, IpAddr::prefix_mask(0)));
    IpAddr v6;
    IpAddr::parse("::1", v6);
    EXPECT_FALSE(v6.in_net(net, IpAddr::prefix_mask(0)));   // family differs
    auto m = IpAddr::prefix_mask(12);
    EXPECT_EQ(m[0], 0xFF);
    EXPECT_EQ(m[1], 0xF0);
    EXPECT_EQ(m[2], 0);
}

TEST(IpAddr, SockaddrRoundTrip) {
    IpAddr a;
    IpAddr::parse("::ffff:192.0.2.1", a);
    sockaddr_storage ss;
    ASSERT_EQ(a.to_sockaddr(5060, ss), socklen_t(sizeof(sockaddr_in6)));
    IpAddr b;
    uint16_t port = 0;
    ASSERT_TRUE(IpAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), b, &port));
    EXPECT_EQ(a, b);
    EXPECT_EQ(port, 5060);
    IpAddr c;
    IpAddr::parse("10.1.2.3", c);
    ASSERT_EQ(c.to_sockaddr(5098, ss), socklen_t(sizeof(sockaddr_in)));
    ASSERT_TRUE(IpAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), b, &port));
    EXPECT_EQ(b.to_string(), "10.1.2.3");
    EXPECT_EQ(port, 5098);
    EXPECT_EQ(IpAddr{}.to_sockaddr(1, ss), 0u);
}

}  // namespace
}  // namespace ser
