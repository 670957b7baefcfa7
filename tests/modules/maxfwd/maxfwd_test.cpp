// maxfwd (modules.md §5, checklist 8-15).
#include <gtest/gtest.h>

#include "tests/fakes/module_harness.hpp"
#include "tests/modules/messages.hpp"

namespace ser::test {
namespace {

class MaxfwdTest : public ::testing::Test {
protected:
    ModuleHarness h;
    ModuleHarness::Call call;

    void SetUp() override { prepare("10"); }

    void prepare(const std::string& max) {
        std::string err;
        ASSERT_TRUE(h.prepare("mf_process_maxfwd_header", {max}, call, err)) << err;
        ASSERT_TRUE(h.init());
    }
    int run(TestMsg& m) { return h.call(call, m.msg); }
};

TEST_F(MaxfwdTest, Descriptor) {
    EXPECT_STREQ(h.exports.name, "maxfwd");
    const CmdExport* c = h.find("mf_process_maxfwd_header", 1);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->route_mask, unsigned(kRequestRoute));
}

// Checklist 8: inserted as the first header line (above the proxy's Via,
// which the core inserts at the same offset later).
TEST_F(MaxfwdTest, MissingHeaderIsInsertedAtTheTop) {
    TestMsg m(inv());
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run(m), 1);
    std::string out = m.edited();
    EXPECT_EQ(out.substr(0, out.find("Via:")),
              "INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\nMax-Forwards: 10\r\n");
    // The received buffer itself is untouched.
    EXPECT_EQ(m.msg.buffer(), m.raw());
}

TEST_F(MaxfwdTest, InsertedBeforeALaterInsertAtTheSameOffset) {
    TestMsg m(inv());
    EXPECT_EQ(run(m), 1);
    // What the core does when forwarding: its Via goes after our insert.
    m.msg.lumps.insert(m.msg.headers().front().offset, "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=x\r\n");
    std::string out = m.edited();
    EXPECT_LT(out.find("Max-Forwards: 10"), out.find("Via: SIP/2.0/UDP 127.0.0.1:5060"));
}

// Checklist 9: 70 with the default max_limit 16 -> 16, in place.
TEST_F(MaxfwdTest, ValueAboveLimitIsLowered) {
    TestMsg m(inv("Max-Forwards: 70\r\n"));
    EXPECT_EQ(run(m), 1);
    EXPECT_NE(std::string(m.msg.buffer()).find("Max-Forwards: 16\r\n"), std::string::npos);
    EXPECT_TRUE(m.msg.lumps.empty());
}

// Checklist 10: right-aligned in the original width.
TEST_F(MaxfwdTest, DecrementKeepsFieldWidth) {
    TestMsg m(inv("Max-Forwards: 10\r\n"));
    EXPECT_EQ(run(m), 1);
    EXPECT_NE(std::string(m.msg.buffer()).find("Max-Forwards:  9\r\n"), std::string::npos);
}

// Checklist 11.
TEST_F(MaxfwdTest, ZeroIsFalseAndUnchanged) {
    TestMsg m(inv("Max-Forwards: 0\r\n"));
    EXPECT_EQ(run(m), -1);
    EXPECT_EQ(m.msg.buffer(), m.raw());
    EXPECT_TRUE(m.msg.lumps.empty());
}

// Checklist 12 and the [fix]: "0" is written, not a space.
TEST_F(MaxfwdTest, OneBecomesZero) {
    TestMsg m(inv("Max-Forwards: 1\r\n"));
    EXPECT_EQ(run(m), 1);
    EXPECT_NE(std::string(m.msg.buffer()).find("Max-Forwards: 0\r\n"), std::string::npos);
}

// Checklist 13 [quirk]: not a number -> true, nothing changed. (The message
// parser may refuse such a request before the script; the function itself
// must leave it alone.)
TEST_F(MaxfwdTest, NonNumericValuePassesUnchanged) {
    TestMsg m(inv("Max-Forwards: abc\r\n"));
    EXPECT_EQ(run(m), 1);
    EXPECT_EQ(m.msg.buffer(), m.raw());
    EXPECT_TRUE(m.msg.lumps.empty());
}

TEST_F(MaxfwdTest, MoreThanFiveDigitsPassesUnchanged) {
    TestMsg m(inv("Max-Forwards: 000070\r\n"));
    EXPECT_EQ(run(m), 1);
    EXPECT_EQ(m.msg.buffer(), m.raw());
}

TEST_F(MaxfwdTest, LeadingZerosArePadded) {
    TestMsg m(inv("Max-Forwards: 007\r\n"));
    EXPECT_EQ(run(m), 1);
    EXPECT_NE(std::string(m.msg.buffer()).find("Max-Forwards:   6\r\n"), std::string::npos);
}

TEST_F(MaxfwdTest, LimitIsNotAppliedAtOrBelowIt) {
    TestMsg m(inv("Max-Forwards: 16\r\n"));
    EXPECT_EQ(run(m), 1);
    EXPECT_NE(std::string(m.msg.buffer()).find("Max-Forwards: 15\r\n"), std::string::npos);
    TestMsg m2(inv("Max-Forwards: 17\r\n"));
    EXPECT_EQ(run(m2), 1);
    EXPECT_NE(std::string(m2.msg.buffer()).find("Max-Forwards: 16\r\n"), std::string::npos);
}

TEST(MaxfwdParams, ZeroLimitDisablesLowering) {
    ModuleHarness h;
    std::string err;
    ASSERT_TRUE(h.set_param("max_limit", 0, err)) << err;
    ModuleHarness::Call c;
    ASSERT_TRUE(h.prepare("mf_process_maxfwd_header", {"70"}, c, err)) << err;
    ASSERT_TRUE(h.init());
    TestMsg m(inv("Max-Forwards: 70\r\n"));
    EXPECT_EQ(h.call(c, m.msg), 1);
    EXPECT_NE(std::string(m.msg.buffer()).find("Max-Forwards: 69\r\n"), std::string::npos);
}

// Checklist 14 [quirk]: "70" above the default max_limit is a start-up error
// naming max_limit; raising max_limit fixes it.
TEST(MaxfwdParams, ArgumentAboveDefaultLimitIsRefused) {
    ModuleHarness h;
    ModuleHarness::Call c;
    std::string err;
    EXPECT_FALSE(h.prepare("mf_process_maxfwd_header", {"70"}, c, err));
    EXPECT_NE(err.find("max_limit"), std::string::npos) << err;

    ModuleHarness h2;
    ASSERT_TRUE(h2.set_param("max_limit", 70, err)) << err;
    EXPECT_TRUE(h2.prepare("mf_process_maxfwd_header", {"70"}, c, err)) << err;
    EXPECT_EQ(c.args[0].number, 70);
    EXPECT_TRUE(h2.init());
}

// Checklist 15.
TEST(MaxfwdParams, LimitAbove255IsRefused) {
    ModuleHarness h;
    std::string err;
    EXPECT_FALSE(h.set_param("max_limit", 256, err));
    EXPECT_NE(err.find("max_limit"), std::string::npos) << err;
    EXPECT_TRUE(h.set_param("max_limit", 255, err)) << err;
}

TEST(MaxfwdParams, BadArguments) {
    ModuleHarness h;
    std::string err;
    ASSERT_TRUE(h.set_param("max_limit", 0, err));
    ModuleHarness::Call c;
    EXPECT_FALSE(h.prepare("mf_process_maxfwd_header", {"256"}, c, err));
    EXPECT_FALSE(h.prepare("mf_process_maxfwd_header", {"1a"}, c, err));
    EXPECT_FALSE(h.prepare("mf_process_maxfwd_header", {"-1"}, c, err));
    EXPECT_TRUE(h.prepare("mf_process_maxfwd_header", {"255"}, c, err)) << err;
}

}  // namespace
}  // namespace ser::test
