// sl (modules.md §2, checklist 1-7).
#include "ser/api.hpp"
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <regex>

#include "modules/sl/sl.hpp"
#include "ser/sip/dset.hpp"
#include "ser/tags.hpp"
#include "ser/fifo.hpp"
#include "tests/fakes/module_harness.hpp"
#include "tests/modules/messages.hpp"

namespace ser::test {
namespace {

using mod::sl::Sl;

// Independent reference implementations of the tag pieces.
std::string md5_hex(const std::string& s) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_Digest(s.data(), s.size(), d, &n, EVP_md5(), nullptr);
    std::string out;
    for (unsigned i = 0; i < n; ++i) out += fmt::format("{:02x}", d[i]);
    return out;
}

// Bitwise reflected CRC-16 (poly 0x8408, init 0xFFFF, inverted), printed
// least significant nibble first, like SER's crcitt_string_array.
std::string crc_ref(const std::string& s) {
    unsigned crc = 0xFFFF;
    for (unsigned char c : s) {
        crc ^= c;
        for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0x8408 : crc >> 1;
    }
    crc = ~crc & 0xFFFF;
    std::string out;
    for (int i = 0; i < 4; ++i) out += "0123456789abcdef"[(crc >> (4 * i)) & 0xF];
    return out;
}

class FifoCapture : public FifoRequest {
public:
    std::string out;
    std::optional<std::string> read_line() override { return std::nullopt; }
    void reply(std::string_view text) override { out += text; }
};

class SlTest : public ::testing::Test {
protected:
    ModuleHarness h;
    void SetUp() override { ASSERT_TRUE(h.init()); }
    Sl& sl() { return static_cast<Sl&>(*h.module); }
    int reply(TestMsg& m, const std::string& code, const std::string& reason) {
        return h.run("sl_send_reply", {code, reason}, m.msg);
    }
};

TEST_F(SlTest, Descriptor) {
    EXPECT_STREQ(h.exports.name, "sl_module");   // [quirk] §0.3
    EXPECT_EQ(h.exports.param_count, 0u);
    EXPECT_TRUE(h.exports.hooks & kHookPreScript);
    ASSERT_NE(h.find("sl_send_reply", 2), nullptr);
    ASSERT_NE(h.find("sl_reply_error", 0), nullptr);
    EXPECT_EQ(h.find("sl_send_reply", 2)->route_mask, unsigned(kRequestRoute));
    EXPECT_EQ(h.find("sl_reply_error", 0)->route_mask, unsigned(kRequestRoute));
    EXPECT_EQ(h.find("sl_reply", 2), nullptr);   // [2006] only
    EXPECT_NE(h.find_fifo("sl_stats"), nullptr);
}

TEST_F(SlTest, CodeFixup) {
    ModuleHarness::Call c;
    std::string err;
    ASSERT_TRUE(h.prepare("sl_send_reply", {"404", "x"}, c, err)) << err;
    EXPECT_EQ(c.args[0].number, 404);
    EXPECT_FALSE(h.prepare("sl_send_reply", {"4o4", "x"}, c, err));
    EXPECT_FALSE(h.prepare("sl_send_reply", {"123456", "x"}, c, err));
    EXPECT_FALSE(h.prepare("sl_send_reply", {"-1", "x"}, c, err));
    // Not range-checked (§2.2).
    ASSERT_TRUE(h.prepare("sl_send_reply", {"999", "x"}, c, err)) << err;
}

// Checklist 1.
TEST_F(SlTest, FinalReplyGetsToTag) {
    TestMsg m(inv());
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(reply(m, "404", "Not Here"), 1);
    ASSERT_EQ(h.core.replies.size(), 1u);
    const auto& r = h.core.replies[0];
    EXPECT_EQ(r.code, 404);
    EXPECT_EQ(r.reason, "Not Here");
    EXPECT_TRUE(std::regex_match(r.to_tag, std::regex("[0-9a-f]{32}\\.[0-9a-f]{4}"))) << r.to_tag;
    EXPECT_TRUE(r.extra_headers.empty());
    EXPECT_NE(r.text.find("To: <sip:bob@example.com>;tag=" + r.to_tag + "\r\n"), std::string::npos);
    EXPECT_EQ(r.text.rfind("SIP/2.0 404 Not Here\r\n", 0), 0u) << r.text;
    for (const char* copied : {"Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1", "From: <sip:alice@example.com>;tag=ft1\r\n",
                               "Call-ID: c1\r\n", "CSeq: 1 INVITE\r\n"})
        EXPECT_NE(r.text.find(copied), std::string::npos) << copied << "\n" << r.text;
    EXPECT_EQ(r.text.find("Contact:"), std::string::npos);
    EXPECT_EQ(sl().stats().get(mod::sl::Stats::k404), 1u);
}

TEST_F(SlTest, TagValue) {
    TestMsg m(inv());
    std::string expected = md5_hex("SER-stateless127.0.0.15060") + "." + crc_ref("127.0.0.15080z9hG4bK-1");
    EXPECT_EQ(sl().tag_for(m.msg), expected);
    EXPECT_EQ(ser::crc_suffix({"127.0.0.1", "5080", "z9hG4bK-1"}), crc_ref("127.0.0.15080z9hG4bK-1"));
}

TEST_F(SlTest, TagUsesFirstUdpSocket) {
    ModuleHarness h2;
    h2.core.sockets_.clear();
    h2.core.add_socket("10.1.1.1", 5070, PROTO_TCP);
    h2.core.add_socket("192.168.0.1", 5080, PROTO_UDP);
    ASSERT_TRUE(h2.init());
    TestMsg m(inv());
    EXPECT_EQ(static_cast<Sl&>(*h2.module).tag_for(m.msg).substr(0, 32), md5_hex("SER-stateless192.168.0.15080"));
}

TEST_F(SlTest, TagIsStableAndDependsOnTopVia) {
    TestMsg a(inv()), b(inv());
    TestMsg other_branch(inv("", "sip:bob@127.0.0.1:5070", "", "z9hG4bK-2"));
    EXPECT_EQ(reply(a, "486", "Busy"), 1);
    EXPECT_EQ(reply(a, "486", "Busy"), 1);
    EXPECT_EQ(reply(b, "486", "Busy"), 1);   // a retransmission
    EXPECT_EQ(reply(other_branch, "486", "Busy"), 1);
    ASSERT_EQ(h.core.replies.size(), 4u);
    EXPECT_EQ(h.core.replies[0].to_tag, h.core.replies[1].to_tag);
    EXPECT_EQ(h.core.replies[0].to_tag, h.core.replies[2].to_tag);
    EXPECT_NE(h.core.replies[0].to_tag, h.core.replies[3].to_tag);
    EXPECT_EQ(h.core.replies[0].to_tag.substr(0, 33), h.core.replies[3].to_tag.substr(0, 33));
}

// Checklist 2: no tag below 180.
TEST_F(SlTest, ProvisionalBelow180HasNoTag) {
    TestMsg m(inv());
    EXPECT_EQ(reply(m, "100", "Trying"), 1);
    EXPECT_EQ(reply(m, "179", "x"), 1);
    EXPECT_EQ(reply(m, "180", "Ringing"), 1);
    ASSERT_EQ(h.core.replies.size(), 3u);
    EXPECT_EQ(h.core.replies[0].to_tag, "");
    EXPECT_EQ(h.core.replies[1].to_tag, "");
    EXPECT_EQ(h.core.replies[2].to_tag.size(), ser::kTagLen);
}

// Checklist 3.
TEST_F(SlTest, ExistingToTagIsKept) {
    TestMsg m(inv("", "sip:bob@127.0.0.1:5070", ";tag=x"));
    EXPECT_EQ(reply(m, "404", "Not Here"), 1);
    ASSERT_EQ(h.core.replies.size(), 1u);
    EXPECT_EQ(h.core.replies[0].to_tag, "");
    EXPECT_NE(h.core.replies[0].text.find("To: <sip:bob@example.com>;tag=x\r\n"), std::string::npos);
}

// Checklist 4: no reply to an ACK; counted as a failure like SER.
TEST_F(SlTest, AckIsRefused) {
    TestMsg m(ack("abc"));
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(reply(m, "200", "OK"), -1);
    EXPECT_TRUE(h.core.replies.empty());
    EXPECT_EQ(sl().stats().failures(), 1u);
}

TEST_F(SlTest, SendFailureIsFalseAndCounted) {
    h.core.send_result = E_SEND;
    TestMsg m(inv());
    EXPECT_EQ(reply(m, "404", "x"), -1);
    EXPECT_EQ(sl().stats().failures(), 1u);
    EXPECT_EQ(sl().stats().get(mod::sl::Stats::k404), 0u);
    // A failed send does not open the ACK window.
    TestMsg a(ack(sl().tag_for(m.msg)));
    EXPECT_EQ(sl().pre_script(a.msg), 1);
}

// Checklist 5.
TEST_F(SlTest, ReplyErrorWithoutKnownError) {
    h.core.prev = -1;
    TestMsg m(inv());
    EXPECT_EQ(h.run("sl_reply_error", {}, m.msg), 1);
    ASSERT_EQ(h.core.replies.size(), 1u);
    EXPECT_EQ(h.core.replies[0].code, 500);
    EXPECT_EQ(h.core.replies[0].reason, "I'm terribly sorry, server error occurred (1/SL)");
}

TEST_F(SlTest, ReplyErrorUsesThePreviousActionsError) {
    h.core.prev = E_BAD_ADDRESS_RESOLVE;
    h.core.error = E_SEND;   // the current action's error is not what counts
    TestMsg m(inv());
    EXPECT_EQ(h.run("sl_reply_error", {}, m.msg), 1);
    ASSERT_EQ(h.core.replies.size(), 1u);
    EXPECT_EQ(h.core.replies[0].code, 478);
    EXPECT_EQ(h.core.replies[0].reason, "Unresolvable destination (478/SL)");
}

TEST(SlErrors, Table) {
    using mod::sl::error_reply;
    struct Case { int e; int code; const char* reason; };
    const Case cases[] = {
        {E_SEND, 477, "Unfortunately error on sending to next hop occurred (477/SL)"},
        {E_BAD_ADDRESS_RESOLVE, 478, "Unresolvable destination (478/SL)"},
        {E_BAD_REQ, 400, "Bad Request (400/SL)"},
        {E_BAD_URI, 479, "Regretfully, we were not able to process the URI (479/SL)"},
        {E_BAD_TUPEL, 400, "Transaction tuple incomplete (9/SL)"},
        {E_BAD_TO, 400, "Bad To (13/SL)"},
        {E_EXEC, 500, "Error in external logic (11/SL)"},
        {E_TOO_MANY_BRANCHES, 500, "Forking capacity exceeded (12/SL)"},
        {E_Q_INV_CHAR, 400, "Invalid character in q parameter (15/SL)"},
        {E_Q_EMPTY, 400, "Empty q parameter (16/SL)"},
        {E_Q_TOO_BIG, 400, "q parameter too big (17/SL)"},
        {E_Q_DEC_MISSING, 400, "Decimal part missing in q (18/SL)"},
        {E_UNSPEC, 500, "I'm terribly sorry, server error occurred (1/SL)"},
        {E_OUT_OF_MEM, 500, "I'm terribly sorry, server error occurred (2/SL)"},
        {E_BAD_SERVER, 500, "I'm terribly sorry, server error occurred (500/SL)"},
    };
    for (const auto& c : cases) {
        auto r = error_reply(c.e);
        EXPECT_EQ(r.code, c.code) << c.e;
        EXPECT_EQ(r.reason, c.reason) << c.e;
    }
}

// Checklist 6 and §2.3: the ACK to our negative reply is absorbed while the
// 2 s window is open, and reaches the script afterwards.
TEST_F(SlTest, AckFilter) {
    TestMsg m(inv());
    std::string tag = sl().tag_for(m.msg);
    TestMsg a(ack(tag));
    ASSERT_TRUE(a.parsed()) << a.msg.error();
    // No stateless reply yet: the filter is off.
    EXPECT_EQ(sl().pre_script(a.msg), 1);

    EXPECT_EQ(reply(m, "404", "x"), 1);
    ASSERT_EQ(h.core.replies.back().to_tag, tag);
    EXPECT_EQ(sl().pre_script(a.msg), 0);
    h.core.now += 1999;
    EXPECT_EQ(sl().pre_script(a.msg), 0);
    h.core.now += 1;
    EXPECT_EQ(sl().pre_script(a.msg), 1);   // [quirk] too late: passed to the script
}

TEST_F(SlTest, AckFilterOnlyMatchesOurTag) {
    TestMsg m(inv());
    EXPECT_EQ(reply(m, "404", "x"), 1);
    std::string tag = h.core.replies.back().to_tag;

    TestMsg other_tag(ack(std::string(tag.size() - 1, 'a') + "b"));
    EXPECT_EQ(sl().pre_script(other_tag.msg), 1);
    TestMsg short_tag(ack("x"));
    EXPECT_EQ(sl().pre_script(short_tag.msg), 1);
    // Same tag, other top Via branch: the CRC part differs.
    TestMsg other_branch(ack(tag, "z9hG4bK-2"));
    EXPECT_EQ(sl().pre_script(other_branch.msg), 1);
    // Not an ACK.
    TestMsg again(inv("", "sip:bob@127.0.0.1:5070", ";tag=" + tag));
    EXPECT_EQ(sl().pre_script(again.msg), 1);
    // The right one.
    TestMsg good(ack(tag));
    EXPECT_EQ(sl().pre_script(good.msg), 0);
}

// Any stateless reply opens the window, also one to another request [quirk].
TEST_F(SlTest, AckFilterWindowIsShared) {
    TestMsg first(inv("", "sip:bob@127.0.0.1:5070", "", "z9hG4bK-9"));
    EXPECT_EQ(reply(first, "100", "Trying"), 1);
    TestMsg m(inv());
    TestMsg a(ack(sl().tag_for(m.msg)));
    EXPECT_EQ(sl().pre_script(a.msg), 0);
}

// §2.2 step 3 and core-runtime §5: 3xx lists the destination set.
TEST_F(SlTest, RedirectAddsContactFromDestinationSet) {
    TestMsg m(inv());
    m.msg.new_uri = "sip:x@10.0.0.1";
    m.msg.uri_changed();
    m.msg.branches.push_back({"sip:y@10.0.0.2", "", 500});
    m.msg.branches.push_back({"sip:z@10.0.0.3", "", -1});
    m.msg.branches.push_back({"sip:w@10.0.0.4", "", 1000});
    EXPECT_EQ(reply(m, "302", "Moved"), 1);
    ASSERT_EQ(h.core.replies.size(), 1u);
    ASSERT_EQ(h.core.replies[0].reply_lumps.size(), 1u);
    EXPECT_EQ(h.core.replies[0].reply_lumps[0],
              "Contact: sip:x@10.0.0.1, <sip:y@10.0.0.2>;q=0.5, sip:z@10.0.0.3, <sip:w@10.0.0.4>;q=1\r\n");
    EXPECT_NE(h.core.replies[0].text.find("Contact: sip:x@10.0.0.1, "), std::string::npos);
}

TEST_F(SlTest, RedirectWithOnlyBranches) {
    TestMsg m(inv());
    m.msg.branches.push_back({"sip:y@10.0.0.2", "", -1});
    EXPECT_EQ(reply(m, "301", "Moved"), 1);
    ASSERT_EQ(h.core.replies[0].reply_lumps.size(), 1u);
    EXPECT_EQ(h.core.replies[0].reply_lumps[0], "Contact: sip:y@10.0.0.2\r\n");
}

TEST_F(SlTest, RedirectWithEmptySetAndOtherCodesAddNoContact) {
    TestMsg m(inv());
    EXPECT_EQ(reply(m, "302", "Moved"), 1);
    m.msg.new_uri = "sip:x@10.0.0.1";
    EXPECT_EQ(reply(m, "404", "x"), 1);
    EXPECT_EQ(reply(m, "400", "x"), 1);
    for (const auto& r : h.core.replies) EXPECT_TRUE(r.reply_lumps.empty());
}

TEST(SlDset, QValues) {
    using sip::q_to_string;
    EXPECT_EQ(q_to_string(1000), "1");
    EXPECT_EQ(q_to_string(0), "0");
    EXPECT_EQ(q_to_string(500), "0.5");
    EXPECT_EQ(q_to_string(50), "0.05");
    EXPECT_EQ(q_to_string(5), "0.005");
    EXPECT_EQ(q_to_string(125), "0.125");
    EXPECT_EQ(q_to_string(120), "0.12");
}

// Reply lumps added earlier (append_to_reply, ...) are in place when the
// reply is built; sl does not copy them into extra_headers (the core's
// builder adds them, so they would appear twice).
TEST_F(SlTest, ReplyLumpsAreLeftToTheBuilder) {
    TestMsg m(inv());
    m.msg.reply_lumps.push_back("X-Why: test\r\n");
    EXPECT_EQ(reply(m, "403", "No"), 1);
    ASSERT_EQ(h.core.replies.size(), 1u);
    EXPECT_EQ(h.core.replies[0].reply_lumps, std::vector<std::string>{"X-Why: test\r\n"});
    EXPECT_TRUE(h.core.replies[0].extra_headers.empty());
}

// Checklist 7.
TEST_F(SlTest, StatsFifoFormat) {
    TestMsg m(inv());
    EXPECT_EQ(reply(m, "404", "Not Here"), 1);
    FifoCapture f;
    const FifoExport* fe = h.find_fifo("sl_stats");
    ASSERT_NE(fe, nullptr);
    EXPECT_GE(fe->func(*h.module, f), 0);
    EXPECT_EQ(f.out,
              "200 ok\n"
              "200: 0 202: 0 2xx: 0      \n"
              "300: 0 301: 0 302: 0 3xx: 0      \n"
              "400: 0 401: 0 403: 0 404: 1 407: 0 408: 0 483: 0 4xx: 0      \n"
              "500: 0 5xx: 0      \n"
              "6xx: 0      \n"
              "xxx: 0      \n"
              "failures: 0      \n");
}

TEST(SlStats, Buckets) {
    using S = mod::sl::Stats;
    EXPECT_EQ(S::bucket(100), S::kxxx);
    EXPECT_EQ(S::bucket(199), S::kxxx);
    EXPECT_EQ(S::bucket(700), S::kxxx);
    EXPECT_EQ(S::bucket(200), S::k200);
    EXPECT_EQ(S::bucket(202), S::k202);
    EXPECT_EQ(S::bucket(299), S::k2xx);
    EXPECT_EQ(S::bucket(302), S::k302);
    EXPECT_EQ(S::bucket(305), S::k3xx);
    EXPECT_EQ(S::bucket(483), S::k483);
    EXPECT_EQ(S::bucket(486), S::k4xx);
    EXPECT_EQ(S::bucket(500), S::k500);
    EXPECT_EQ(S::bucket(503), S::k5xx);
    EXPECT_EQ(S::bucket(603), S::k6xx);
}

TEST_F(SlTest, ApiIsRegistered) {
    auto* api = import_api<api::SlApi>(h.core);
    ASSERT_NE(api, nullptr);
    TestMsg m(inv());
    EXPECT_EQ(api->send_reply(m.msg, 401, "Unauthorized"), 1);
    ASSERT_EQ(h.core.replies.size(), 1u);
    EXPECT_EQ(h.core.replies[0].code, 401);
    EXPECT_EQ(sl().stats().get(mod::sl::Stats::k401), 1u);
}

}  // namespace
}  // namespace ser::test
