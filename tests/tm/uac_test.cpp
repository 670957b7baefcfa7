// tm's API for other modules: t_uac (requests of our own, with their
// retransmissions and timeout) and transaction callbacks.
#include "ser/api.hpp"
#include "ser/api/tm.hpp"
#include "tests/tm/tm_harness.hpp"

namespace ser::test {
namespace {

api::TmApi* tm_api(TmHarness& h) { return import_api<api::TmApi>(h.server); }

api::UacRequest options() {
    api::UacRequest r;
    r.method = "OPTIONS";
    r.ruri = "sip:ping@127.0.0.1:5071";
    r.from = "<sip:ser@127.0.0.1>";
    r.to = "<sip:ping@127.0.0.1:5071>";
    return r;
}

TEST(TmUac, RequestOfOurOwnGetsItsFinalReply) {
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    api::TmApi* tm = tm_api(h);
    ASSERT_NE(tm, nullptr);
    std::vector<int> codes;
    ASSERT_EQ(tm->t_uac(options(), [&](const api::TmEventInfo& e) { codes.push_back(e.code); }), 1);
    auto out = h.fresh();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].to_port, kUas2);
    EXPECT_EQ(first_line(out[0].data), "OPTIONS sip:ping@127.0.0.1:5071 SIP/2.0");
    EXPECT_EQ(hdrs(out[0].data, "CSeq"), std::vector<std::string>{"1 OPTIONS"});
    EXPECT_NE(hdrs(out[0].data, "From").at(0).find(";tag="), std::string::npos);
    EXPECT_EQ(hdrs(out[0].data, "Call-ID").size(), 1u);
    // Retransmitted over UDP until answered (Timer E: 500 ms).
    h.advance(500);
    EXPECT_EQ(h.fresh().size(), 1u);
    h.receive(TmHarness::reply_to(out[0].data, 200, "OK"), "127.0.0.1", kUas2);
    EXPECT_EQ(codes, std::vector<int>{200});
    EXPECT_TRUE(h.fresh().empty());   // nothing relayed anywhere
    h.advance(10000);
    EXPECT_TRUE(h.fresh().empty());   // no more retransmissions
    EXPECT_EQ(codes.size(), 1u);
}

TEST(TmUac, NoAnswerEndsWith408) {
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n", "modparam(\"tm\", \"fr_timer\", 2)\n"))) << h.errors;
    std::vector<int> codes;
    ASSERT_EQ(tm_api(h)->t_uac(options(), [&](const api::TmEventInfo& e) { codes.push_back(e.code); }), 1);
    h.advance(1999);
    EXPECT_TRUE(codes.empty());
    h.advance(1);
    EXPECT_EQ(codes, std::vector<int>{408});
}

TEST(TmUac, UnresolvableTargetIsAnError) {
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    api::UacRequest r = options();
    r.ruri = "sip:x@nonexistent.invalid";
    EXPECT_LT(tm_api(h)->t_uac(r, {}), 0);
    EXPECT_TRUE(h.fresh().empty());
}

TEST(TmCallbacks, GlobalAndPerTransactionEvents) {
    TmHarness h;
    ASSERT_TRUE(h.load(tm_cfg("route{ t_relay(); }\n"))) << h.errors;
    std::vector<std::string> seen;
    tm_api(h)->register_global_callback(api::kTmRequestIn | api::kTmDestroy, [&](const api::TmEventInfo& e) {
        seen.push_back(e.event == api::kTmRequestIn ? "in" : "destroy");
    });
    h.receive(inv(), "127.0.0.1", kUac);
    EXPECT_EQ(seen, std::vector<std::string>{"in"});
    std::string fwd = h.fresh_to(kUas1).at(0).data;
    h.from_uas(fwd, 200, "OK");
    h.advance(5000);   // wait timer: the transaction is freed
    EXPECT_EQ(seen, (std::vector<std::string>{"in", "destroy"}));
}

}  // namespace
}  // namespace ser::test
