// The UDP workers' Call-ID hash: every message of a call maps to the same
// worker, whatever the header's form.
#include <gtest/gtest.h>

#include <string>

#include "runtime/net/udp_dispatch.hpp"

namespace ser::rt {
namespace {

TEST(UdpDispatch, SameCallSameHashInAnyForm) {
    const uint32_t a = call_id_hash("INVITE sip:a@b SIP/2.0\r\nVia: x\r\nCall-ID: abc@h\r\n\r\n");
    EXPECT_NE(a, 0u);
    EXPECT_EQ(a, call_id_hash("SIP/2.0 180 Ringing\r\nVia: x\r\ncall-id:abc@h\r\n\r\n"));
    EXPECT_EQ(a, call_id_hash("BYE sip:a@b SIP/2.0\r\ni:  abc@h \r\n\r\n"));
    EXPECT_NE(a, call_id_hash("BYE sip:a@b SIP/2.0\r\nCall-ID: abd@h\r\n\r\n"));
}

TEST(UdpDispatch, NoCallIdMeansNoHash) {
    EXPECT_EQ(call_id_hash("INVITE sip:a@b SIP/2.0\r\nVia: x\r\n\r\nCall-ID: in-body\r\n"), 0u);
    EXPECT_EQ(call_id_hash(""), 0u);
    EXPECT_EQ(call_id_hash("\r\n\r\n"), 0u);
    EXPECT_EQ(call_id_hash("garbage"), 0u);
    // Not a Call-ID: names that merely start with the letters.
    EXPECT_EQ(call_id_hash("X sip:a SIP/2.0\r\nCall-Info: <x>\r\nIdentity: y\r\n\r\n"), 0u);
}

}  // namespace
}  // namespace ser::rt

namespace ser::rt {
namespace {

TEST(UdpDispatch, CallsSpreadOverWorkers) {
    // Both halves of a two-worker set get calls (the low bit is not fixed).
    int odd = 0;
    for (int i = 0; i < 200; ++i) {
        std::string m = "INVITE sip:a@b SIP/2.0\r\nCall-ID: " + std::to_string(i) + "-4711@127.0.0.1\r\n\r\n";
        const uint32_t h = call_id_hash(m);
        odd += worker_for(h, 2, 0) == 1;
    }
    EXPECT_GT(odd, 60);
    EXPECT_LT(odd, 140);
}

}  // namespace
}  // namespace ser::rt

namespace ser::rt {
namespace {

TEST(UdpDispatch, ModeFollowsTheLoad) {
    using M = ReadMode;
    EXPECT_EQ(read_mode(2, 3, 8, 0, false, false), M::Inline);   // keeping up
    EXPECT_EQ(read_mode(2, 8, 8, 0, false, false), M::Spread);   // a full batch: behind
    EXPECT_EQ(read_mode(2, 1, 8, 1, false, false), M::Spread);   // a hand-off still queued: keep order
    EXPECT_EQ(read_mode(2, 1, 8, 0, true, false), M::Shared);    // its messages wait on a database
    EXPECT_EQ(read_mode(2, 0, 8, 0, true, true), M::Shared);
    // No longer waiting: shared until nothing read from the socket is queued.
    EXPECT_EQ(read_mode(2, 1, 8, 3, false, true), M::Shared);
    EXPECT_EQ(read_mode(2, 1, 8, 0, false, true), M::Inline);
    EXPECT_EQ(read_mode(1, 8, 8, 5, true, true), M::Inline);     // nobody to share with
}

TEST(UdpDispatch, WaitingWorkIsSeenAndForgotten) {
    WaitAverage c;
    EXPECT_FALSE(c.waiting());
    for (int i = 0; i < 50; ++i) c.add(0, 8);            // SIP work only: no waits
    EXPECT_FALSE(c.waiting());
    c.add(150'000, 1);   // one database query
    EXPECT_FALSE(c.waiting()) << "one slow message is not a workload";
    for (int i = 0; i < 20; ++i) c.add(150'000, 1);   // a query for each
    EXPECT_TRUE(c.waiting());
    for (int i = 0; i < 30; ++i) c.add(0, 4);            // the queries stopped
    EXPECT_FALSE(c.waiting());
}

TEST(UdpDispatch, HandOffCountedUntilDone) {
    UdpInbox reader, target;
    sip::RecvInfo rcv{};
    EXPECT_TRUE(target.push("abc", 3, rcv, reader));
    EXPECT_TRUE(target.push("defg", 4, rcv, reader));
    EXPECT_EQ(reader.in_flight(), 2u);
    EXPECT_EQ(target.in_flight(), 0u);
    std::vector<UdpItem> got;
    target.take(got);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(std::string(got[1].buf.get(), got[1].len), "defg");
    EXPECT_EQ(got[1].buf[got[1].len], '\0');   // parsers rely on the terminator
    // Taken is not done: the reader must not go inline while one is running.
    EXPECT_EQ(reader.in_flight(), 2u);
    UdpInbox::done(got[0]);
    EXPECT_EQ(read_mode(2, 1, 8, reader.in_flight(), false, false), ReadMode::Spread);
    UdpInbox::done(got[1]);
    EXPECT_EQ(reader.in_flight(), 0u);
    EXPECT_EQ(read_mode(2, 1, 8, reader.in_flight(), false, false), ReadMode::Inline);
}

TEST(UdpDispatch, FullQueueDropsAndDoesNotCount) {
    UdpInbox reader, target;
    sip::RecvInfo rcv{};
    for (size_t i = 0; i < UdpInbox::kMaxQueued; ++i) ASSERT_TRUE(target.push("x", 1, rcv, reader));
    EXPECT_EQ(target.dropped(), 0u);
    EXPECT_FALSE(target.push("y", 1, rcv, reader));
    EXPECT_EQ(target.dropped(), 1u);
    EXPECT_EQ(reader.in_flight(), UdpInbox::kMaxQueued);
    EXPECT_EQ(target.size(), UdpInbox::kMaxQueued);
}

}  // namespace
}  // namespace ser::rt
