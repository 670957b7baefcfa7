// RTP/RTCP pair allocation on real sockets (rtpproxy/port_allocator.hpp,
// spec rtpproxy-protocol §6): even range, cursor, wrap-around, skipping
// pairs in use, exhaustion.
#include <gtest/gtest.h>

#include <unistd.h>

#include <vector>

#include "free_ports.hpp"
#include "rtpproxy/port_allocator.hpp"

using namespace ser::rtpp;
using rtpp_test::bind_udp;
using rtpp_test::free_block;

namespace {

SockAddr loopback() { return *SockAddr::numeric("127.0.0.1", "0", AF_INET); }

void release(PortPair& p) {
    close(p.rtp_fd);
    close(p.rtcp_fd);
}

uint16_t bound_port(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

}  // namespace

TEST(RtppPorts, RangeIsMadeEven) {
    PortAllocator a(35001, 65001, 0);
    EXPECT_EQ(a.min_port(), 35002);
    EXPECT_EQ(a.max_port(), 65000);
    PortAllocator b(1000, 65535, 0);
    EXPECT_EQ(b.max_port(), 65534);   // RTCP 65535 still fits
}

TEST(RtppPorts, PairsAreEvenAndConsecutive) {
    uint16_t base = free_block(8);
    ASSERT_NE(base, 0);
    PortAllocator a(base, base + 6, 0xb8);
    auto p = a.allocate(loopback(), 0);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->port, base);
    EXPECT_EQ(bound_port(p->rtp_fd), base);
    EXPECT_EQ(bound_port(p->rtcp_fd), base + 1);
    auto q = a.allocate(loopback(), 0);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->port, base + 2);   // the search starts after the last pair
    release(*p);
    release(*q);
}

TEST(RtppPorts, WrapsFromTopToBottom) {
    uint16_t base = free_block(6);
    ASSERT_NE(base, 0);
    PortAllocator a(base, base + 4, 0);   // three pairs
    std::vector<PortPair> got;
    for (int i = 0; i < 3; ++i) {
        auto p = a.allocate(loopback(), 0);
        ASSERT_TRUE(p);
        got.push_back(*p);
    }
    EXPECT_EQ(got[2].port, base + 4);
    release(got[0]);   // frees the bottom pair
    auto w = a.allocate(loopback(), 0);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->port, base);
    release(*w);
    release(got[1]);
    release(got[2]);
}

TEST(RtppPorts, SkipsPairWhoseRtcpPortIsTaken) {
    uint16_t base = free_block(6);
    ASSERT_NE(base, 0);
    int squatter = bind_udp(static_cast<uint16_t>(base + 1));   // RTCP port of the first pair
    ASSERT_GE(squatter, 0);
    PortAllocator a(base, base + 4, 0);
    auto p = a.allocate(loopback(), 0);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->port, base + 2);
    release(*p);
    close(squatter);
}

TEST(RtppPorts, ExhaustedRangeFailsAfterOneCycle) {
    uint16_t base = free_block(4);
    ASSERT_NE(base, 0);
    PortAllocator a(base, base + 2, 0);   // two pairs
    auto p1 = a.allocate(loopback(), 0);
    auto p2 = a.allocate(loopback(), 0);
    ASSERT_TRUE(p1 && p2);
    std::string why;
    EXPECT_FALSE(a.allocate(loopback(), 0, &why));
    EXPECT_NE(why.find("no free port pair"), std::string::npos) << why;
    release(*p1);
    release(*p2);
}

TEST(RtppPorts, CursorsPerListenAddressAreIndependent) {
    uint16_t base = free_block(8);
    ASSERT_NE(base, 0);
    PortAllocator a(base, base + 6, 0);
    auto p = a.allocate(loopback(), 0);
    ASSERT_TRUE(p);
    EXPECT_EQ(a.next_start(0), base + 2);
    EXPECT_EQ(a.next_start(1), base);   // untouched
    // The second cursor on another local address (127.0.0.2 is loopback too).
    auto other = SockAddr::numeric("127.0.0.2", "0", AF_INET);
    auto q = a.allocate(*other, 1);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->port, base);
    release(*p);
    release(*q);
}

TEST(RtppPorts, BindErrorOtherThanInUseFails) {
    PortAllocator a(40000, 40010, 0);
    auto foreign = SockAddr::numeric("192.0.2.77", "0", AF_INET);   // not a local address
    std::string why;
    EXPECT_FALSE(a.allocate(*foreign, 0, &why));
    EXPECT_NE(why.find("bind"), std::string::npos) << why;
}
