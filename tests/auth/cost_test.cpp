// What one www_authorize costs on each database: authorized REGISTERs
// through the whole engine, minus the same REGISTER answered without
// authorization. Reported (stdout and the test's XML properties), not
// asserted beyond a generous bound: timings depend on the machine.
#include <chrono>
#include <cstdio>

#include "tests/auth/auth_fixture.hpp"
#include "tests/auth/backends.hpp"

namespace ser::test::auth {
namespace {

class AuthCost : public ::testing::TestWithParam<const char*>, public DbFixture {
protected:
    void SetUp() override {
        std::string err;
        db = make_backend(GetParam(), err);
        if (!db) GTEST_SKIP() << err;
        ASSERT_TRUE(add_default_users());
        for (int i = 0; i < 200; ++i)   // a table that is not trivially small
            ASSERT_TRUE(db->add_user({.username = "user" + std::to_string(i), .domain = "example.com", .password = "pw"}));
    }

    // Microseconds per request of `route` for `msg`, `n` times.
    double per_request(const std::string& route, const std::string& msg, int n, int expect_status) {
        EXPECT_TRUE(load(route)) << h->errors;
        EXPECT_EQ(status_of(one(msg)), expect_status);   // warm-up: connection opened
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) h->receive(msg);
        auto t1 = std::chrono::steady_clock::now();
        EXPECT_EQ(h->tx.sent.size(), size_t(n) + 1);
        h->tx.sent.clear();
        seen = 0;
        return std::chrono::duration<double, std::micro>(t1 - t0).count() / n;
    }
};

TEST_P(AuthCost, WwwAuthorize) {
    const int n = 2000;
    Digest d;
    d.nonce = make_nonce(uint32_t(std::time(nullptr) + 3600), kSecret);
    d.qop = "auth";
    const std::string msg = reg_with(d);
    const std::string authorize =
        "if (!www_authorize(\"\", \"subscriber\")) { www_challenge(\"\", \"0\"); break; }; sl_send_reply(\"200\", \"OK\");";
    double base = per_request("sl_send_reply(\"200\", \"OK\");", msg, n, 200);
    double with = per_request(authorize, msg, n, 200);
    double challenge = per_request(authorize, register_req(), n, 401);
    std::printf("[ cost     ] %s: REGISTER answered %.1f us; authorized %.1f us -> www_authorize %.1f us; "
                "challenge (no credentials, no query) %.1f us\n",
                GetParam(), base, with, with - base, challenge - base);
    RecordProperty("www_authorize_us", std::to_string(with - base));
    EXPECT_LT(with - base, 5000.0);
}

INSTANTIATE_TEST_SUITE_P(Db, AuthCost, ::testing::Values("sqlite", "mysql"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace ser::test::auth
