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
