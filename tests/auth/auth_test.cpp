// auth + auth_db through the whole engine (modules.md §8, §9; checklist
// 87-100) on a real database: every case runs on SQLite and, when the
// MariaDB test server can run, on MariaDB (tests/auth/backends.hpp).
#include <unistd.h>

#include <ctime>

#include "tests/auth/auth_fixture.hpp"
#include "tests/auth/backends.hpp"

namespace ser::test::auth {
namespace {

class AuthDbCase : public ::testing::TestWithParam<const char*>, public DbFixture {
protected:
    void SetUp() override {
        std::string err;
        db = make_backend(GetParam(), err);
        if (!db) GTEST_SKIP() << err;
        ASSERT_TRUE(add_default_users());
    }
    void load_ok(const std::string& route = kRoute, const std::string& params = "") {
        ASSERT_TRUE(load(route, params)) << h->errors;
    }
};

TEST_P(AuthDbCase, SchemaOfTheProject) {
    // The tables come from the project's tool when it is there.
    EXPECT_EQ(db->by_tool, ser_db_tool_exists());
}

// ---- challenges (checklist 87, 88) ---------------------------------------------

TEST_P(AuthDbCase, RegisterWithoutCredentialsIs401) {
    load_ok();
    std::string r = one(register_req());
    EXPECT_EQ(r.substr(0, r.find("\r\n")), "SIP/2.0 401 Unauthorized");
    auto lines = header_values(r, "WWW-Authenticate");
    ASSERT_EQ(lines.size(), 1u) << r;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[0], m,
                                 std::regex("WWW-Authenticate: Digest realm=\"example\\.com\", nonce=\"([0-9a-f]{40})\"")))
        << lines[0];
    std::string nonce = m[1];
    uint32_t expires = uint32_t(std::stoul(nonce.substr(0, 8), nullptr, 16));
    long now = long(std::time(nullptr));
    EXPECT_GE(long(expires), now + 299);
    EXPECT_LE(long(expires), now + 301);
    EXPECT_EQ(nonce, make_nonce(expires, kSecret));   // expiry + MD5(expiry hex, secret)
    EXPECT_TRUE(header_values(r, "Proxy-Authenticate").empty());
    // sl's To tag on the challenge
    EXPECT_NE(header_values(r, "To")[0].find(";tag="), std::string::npos);
}

TEST_P(AuthDbCase, InviteWithoutCredentialsIs407WithQop) {
    load_ok();
    std::string r = one(request("INVITE"));
    EXPECT_EQ(r.substr(0, r.find("\r\n")), "SIP/2.0 407 Proxy Authentication Required");
    auto lines = header_values(r, "Proxy-Authenticate");
    ASSERT_EQ(lines.size(), 1u) << r;
    EXPECT_TRUE(std::regex_match(
        lines[0], std::regex("Proxy-Authenticate: Digest realm=\"example\\.com\", nonce=\"[0-9a-f]{40}\", qop=\"auth\"")))
        << lines[0];
}

TEST_P(AuthDbCase, ExplicitRealmAndPrefix) {
    load_ok("www_challenge(\"my.realm\", \"1\");");
    EXPECT_EQ(parse_challenge(one(register_req())).realm, "my.realm");
    load_ok("proxy_challenge(\"\", \"0\");", "modparam(\"auth\", \"realm_prefix\", \"sip.\")\n");
    EXPECT_EQ(parse_challenge(one(request("INVITE", "", "sip:alice@sip.example.com"))).realm, "example.com");
    // the prefix is only removed from the start
    EXPECT_EQ(parse_challenge(one(request("INVITE", "", "sip:alice@x.sip.example.com"))).realm,
              "x.sip.example.com");
}

TEST_P(AuthDbCase, RealmOfRegisterIsTheToHostOfOthersTheFromHost) {
    load_ok("if (method==\"REGISTER\") { www_challenge(\"\", \"0\"); break; }; www_challenge(\"\", \"0\");");
    EXPECT_EQ(parse_challenge(one(register_req("", "sip:alice@to.example.com"))).realm, "to.example.com");
    EXPECT_EQ(parse_challenge(one(request("MESSAGE", "", "sip:alice@from.example.com"))).realm, "from.example.com");
    // proxy_challenge on a REGISTER: From
    load_ok("proxy_challenge(\"\", \"0\");");
    EXPECT_EQ(parse_challenge(one(register_req("", "sip:alice@to.example.com"))).realm, "example.com");
}

TEST_P(AuthDbCase, RandomSecretPerStart) {
    // Without `secret`, nonces of one start are refused by another start.
    ASSERT_TRUE(load(kRoute, "", false)) << h->errors;
    Digest d = reg_digest();
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    ASSERT_TRUE(load(kRoute, "", false)) << h->errors;
    Challenge c = parse_challenge(one(reg_with(d)));
    EXPECT_EQ(c.status, 401);
    EXPECT_FALSE(c.stale);
    EXPECT_NE(c.nonce, d.nonce);
}

// ---- authorization (checklist 89-93) --------------------------------------------

TEST_P(AuthDbCase, CorrectCredentialsWithoutQop) {
    load_ok();
    EXPECT_EQ(status_of(one(reg_with(reg_digest()))), 200);
}

TEST_P(AuthDbCase, CorrectCredentialsWithQop) {
    load_ok();
    Digest d = reg_digest();
    d.qop = "auth";
    d.nc = "00000001";
    d.cnonce = "abcdef12";
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    d.nc = "00000002";   // no nonce-count tracking: any nc passes
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    d.qop = "\"auth\"";   // quoted: the response is computed over the value without quotes
    EXPECT_EQ(status_of(one(reg_with(d))), 401);
}

TEST_P(AuthDbCase, NonceMayBeReusedUntilItExpires) {
    load_ok();
    Digest d = reg_digest();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(status_of(one(reg_with(d))), 200);
}

TEST_P(AuthDbCase, WrongPasswordIsChallengedAgain) {
    load_ok();
    Digest d = reg_digest();
    d.password = "wrong";
    Challenge c = parse_challenge(one(reg_with(d)));
    EXPECT_EQ(c.status, 401);
    EXPECT_FALSE(c.stale);
    EXPECT_EQ(c.nonce.size(), 40u);
}

TEST_P(AuthDbCase, WrongResponseFormats) {
    load_ok();
    Digest d = reg_digest();
    std::string good = d.header_value();
    // upper-case hex: SER compares case-sensitively
    std::string resp = d.response();
    std::string upper = resp;
    for (auto& ch : upper) ch = char(toupper(ch));
    std::string v = good;
    v.replace(v.find(resp), resp.size(), upper);
    EXPECT_EQ(status_of(one(register_req("Authorization: " + v + "\r\n"))), 401);
    // 31 characters
    v = good;
    v.replace(v.find(resp), resp.size(), resp.substr(1));
    EXPECT_EQ(status_of(one(register_req("Authorization: " + v + "\r\n"))), 401);
}

TEST_P(AuthDbCase, UnknownUserIsNotAuthorized) {
    load_ok();
    Digest d = reg_digest();
    d.username = "nobody";
    Challenge c = parse_challenge(one(reg_with(d)));
    EXPECT_EQ(c.status, 401);
    EXPECT_FALSE(c.stale);
}

TEST_P(AuthDbCase, CredentialsOfAnotherRealmAreIgnored) {
    load_ok();
    Digest d = reg_digest();
    d.realm = "other.com";
    Challenge c = parse_challenge(one(reg_with(d)));
    EXPECT_EQ(c.status, 401);
    EXPECT_EQ(c.realm, "example.com");
    EXPECT_FALSE(c.stale);
    // other-realm credentials first, then the right ones: the right ones count
    Digest ok = reg_digest();
    EXPECT_EQ(status_of(one(register_req("Authorization: " + d.header_value() + "\r\nAuthorization: " +
                                         ok.header_value() + "\r\n"))),
              200);
    // the realm is compared ignoring case
    ok.realm = "EXAMPLE.com";
    ok.ha1 = md5({"alice:example.com:secret"});
    EXPECT_EQ(status_of(one(reg_with(ok))), 200);
}

TEST_P(AuthDbCase, OtherSchemesAreSkipped) {
    load_ok();
    Digest d = reg_digest();
    EXPECT_EQ(status_of(one(register_req("Authorization: Basic YWxpY2U6c2VjcmV0\r\n"))), 401);
    EXPECT_EQ(status_of(one(register_req("Authorization: Basic YWxpY2U6c2VjcmV0\r\nAuthorization: " +
                                         d.header_value() + "\r\n"))),
              200);
}

TEST_P(AuthDbCase, ExpiredNonceIsStale) {
    load_ok();
    Digest d;
    d.nonce = make_nonce(uint32_t(std::time(nullptr) - 10), kSecret);   // valid, but expired
    Challenge c = parse_challenge(one(reg_with(d)));
    EXPECT_EQ(c.status, 401);
    EXPECT_TRUE(c.stale);
    EXPECT_NE(c.header.find("\", stale=true"), std::string::npos) << c.header;
    EXPECT_NE(c.nonce, d.nonce);
    // a stale nonce with a wrong password: no stale flag (the response is checked first)
    d.password = "wrong";
    EXPECT_FALSE(parse_challenge(one(reg_with(d))).stale);
    // proxy side, with qop: stale after qop
    d = Digest{};
    d.method = "INVITE";
    d.uri = "sip:bob@example.com";
    d.nonce = make_nonce(uint32_t(std::time(nullptr) - 10), kSecret);
    c = parse_challenge(one(req_with(d)));
    EXPECT_EQ(c.status, 407);
    EXPECT_NE(c.header.find("qop=\"auth\", stale=true"), std::string::npos) << c.header;
}

TEST_P(AuthDbCase, NonceExpireParameterInRealTime) {
    // checklist 91: nonce_expire 1, the answer 3 s later
    load_ok(kRoute, "modparam(\"auth\", \"nonce_expire\", 1)\n");
    Digest d = reg_digest();
    sleep(3);
    Challenge c = parse_challenge(one(reg_with(d)));
    EXPECT_EQ(c.status, 401);
    EXPECT_TRUE(c.stale);
}

TEST_P(AuthDbCase, ForgedNonceGetsANewChallengeWithoutStale) {
    load_ok();
    Digest d = reg_digest();
    std::string nonce = d.nonce;
    // the last character changed (checklist 92)
    d.nonce.back() = d.nonce.back() == '0' ? '1' : '0';
    Challenge c = parse_challenge(one(reg_with(d)));
    EXPECT_EQ(c.status, 401);
    EXPECT_FALSE(c.stale);
    // a later expiry with the old hash
    d.nonce = make_nonce(uint32_t(std::time(nullptr) + 100000), kSecret).substr(0, 8) + nonce.substr(8);
    EXPECT_EQ(status_of(one(reg_with(d))), 401);
    // made with another secret, expired: not stale, simply invalid
    d.nonce = make_nonce(uint32_t(std::time(nullptr) - 10), "another secret");
    c = parse_challenge(one(reg_with(d)));
    EXPECT_EQ(c.status, 401);
    EXPECT_FALSE(c.stale);
    // too short / too long / upper-case hex
    d.nonce = nonce.substr(0, 39);
    EXPECT_EQ(status_of(one(reg_with(d))), 401);
    d.nonce = nonce + "0";
    EXPECT_EQ(status_of(one(reg_with(d))), 401);
    d.nonce = nonce;
    for (auto& ch : d.nonce) ch = char(toupper(ch));
    EXPECT_EQ(status_of(one(reg_with(d))), 401);
}

// ---- malformed credentials (checklist 94) -----------------------------------------

TEST_P(AuthDbCase, IncompleteCredentialsAre400) {
    load_ok();
    Digest d = reg_digest();
    std::string nonce = d.nonce;
    auto without = [&](const std::string& param) {
        std::string v = d.header_value();
        size_t p = v.find(param + "=");
        size_t e = v.find(", ", p);
        v.erase(p, e == std::string::npos ? std::string::npos : e - p + 2);
        return register_req("Authorization: " + v + "\r\n");
    };
    for (const char* p : {"uri", "username", "nonce", "response"}) {
        auto sent = run(without(p));
        ASSERT_EQ(sent.size(), 1u) << p;
        EXPECT_EQ(sent[0].data.substr(0, sent[0].data.find("\r\n")), "SIP/2.0 400 Bad Request") << p;
    }
    // qop=auth needs cnonce and nc
    d.qop = "auth";
    for (const char* p : {"cnonce", "nc"}) EXPECT_EQ(status_of(one(without(p))), 400) << p;
    // a username domain other than the realm
    d = Digest{};
    d.nonce = nonce;
    d.username = "alice@other.com";
    EXPECT_EQ(status_of(one(reg_with(d))), 400);
    // unparsable Digest credentials
    EXPECT_EQ(status_of(one(register_req("Authorization: Digest username=\"alice, realm=\"example.com\"\r\n"))), 400);
    // missing realm: never matches the realm, so not found (challenge)
    EXPECT_EQ(status_of(one(without("realm"))), 401);
}

TEST_P(AuthDbCase, AuthIntNeverVerifies) {
    load_ok();
    Digest d = reg_digest();
    d.qop = "auth-int";
    EXPECT_EQ(status_of(one(reg_with(d))), 401);
}

// ---- ACK / CANCEL, consume_credentials (checklist 95, 96) ----------------------------

TEST_P(AuthDbCase, AckAndCancelAreAlwaysAuthorized) {
    load_ok();
    for (const char* m : {"ACK", "CANCEL"}) {
        auto sent = run(request(m));
        ASSERT_EQ(sent.size(), 1u) << m;
        EXPECT_EQ(sent[0].to_port, 5070) << m;
        EXPECT_EQ(sent[0].data.rfind(std::string(m) + " sip:bob@example.com", 0), 0u) << m;
    }
}

TEST_P(AuthDbCase, ConsumeCredentialsRemovesTheHeader) {
    load_ok();
    Digest d = proxy_digest();
    std::string other = "Digest username=\"x\", realm=\"other.com\", nonce=\"n\", uri=\"sip:x\", response=\"r\"";
    std::string req = request("INVITE", "Proxy-Authorization: " + other + "\r\nProxy-Authorization: " +
                                            d.header_value() + "\r\nX-After: 1\r\n");
    auto sent = run(req);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].to_port, 5070);
    const std::string& fwd = sent[0].data;
    auto pa = header_values(fwd, "Proxy-Authorization");
    ASSERT_EQ(pa.size(), 1u) << fwd;   // only the authorized one is removed
    EXPECT_NE(pa[0].find("other.com"), std::string::npos);
    EXPECT_EQ(header_values(fwd, "X-After").size(), 1u);
    EXPECT_EQ(header_values(fwd, "From").size(), 1u);
}

TEST_P(AuthDbCase, ConsumeWithoutAuthorizedCredentialsIsFalse) {
    load_ok("if (!consume_credentials()) { sl_send_reply(\"403\", \"none\"); break; }; sl_send_reply(\"200\", \"x\");");
    EXPECT_EQ(status_of(one(request("INVITE"))), 403);
    // a www_authorize that failed marks nothing
    load_ok("www_authorize(\"\", \"subscriber\"); if (!consume_credentials()) { sl_send_reply(\"403\", \"none\"); "
            "break; }; sl_send_reply(\"200\", \"x\");");
    Digest d;
    d.nonce = make_nonce(uint32_t(std::time(nullptr) + 100), kSecret);
    d.password = "wrong";
    EXPECT_EQ(status_of(one(reg_with(d))), 403);
    // a stale one does (SER marks correct credentials also when the nonce expired)
    d.password = "secret";
    d.nonce = make_nonce(uint32_t(std::time(nullptr) - 10), kSecret);
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
}

// ---- return values ---------------------------------------------------------------

TEST_P(AuthDbCase, ReturnValues) {
    // 1 -> 200, -1 -> 403, 0 -> the script stops (only the module's reply)
    load_ok("if (www_authorize(\"\", \"subscriber\")) { sl_send_reply(\"200\", \"yes\"); } else { "
            "sl_send_reply(\"403\", \"no\"); };");
    Digest d;
    d.nonce = make_nonce(uint32_t(std::time(nullptr) + 100), kSecret);
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    d.password = "x";
    EXPECT_EQ(status_of(one(reg_with(d))), 403);
    std::string v = "Digest username=\"alice\", realm=\"example.com\", nonce=\"" + d.nonce + "\", response=\"" +
                    d.response() + "\"";
    auto sent = run(register_req("Authorization: " + v + "\r\n"));
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(status_of(sent[0].data), 400);
}

// ---- user names and stored passwords ----------------------------------------------

TEST_P(AuthDbCase, HostileUserNamesAreLiteral) {
    const std::vector<std::string> names = {"o'hara", "back\\slash", "x' OR '1'='1", "%", "a_c", "semi;colon",
                                            "quote\\\"d", "--", "); DROP TABLE subscriber; --"};
    for (const auto& n : names)
        ASSERT_TRUE(db->add_user({.username = n, .domain = "example.com", .password = "pw-" + n})) << n;
    load_ok();
    for (const auto& n : names) {
        Digest d = reg_digest();
        d.username = n;
        d.password = "pw-" + n;
        EXPECT_EQ(status_of(one(reg_with(d))), 200) << n;
        // another user's password never works for it
        d.password = "secret";
        EXPECT_EQ(status_of(one(reg_with(d))), 401) << n;
    }
    // SQL text in the name matches no other row
    for (const char* n : {"alice' OR '1'='1", "alice' --", "%", "al%", "alic_", "' OR 1=1 --"}) {
        Digest d = reg_digest();
        d.username = n;
        d.ha1 = md5({"alice:example.com:secret"});   // alice's HA1: would pass if alice's row came back
        EXPECT_EQ(status_of(one(reg_with(d))), 401) << n;
    }
    // the table is still there
    EXPECT_EQ(status_of(one(reg_with(reg_digest()))), 200);
}

TEST_P(AuthDbCase, NulByteInUserName) {
    std::string n("nul\0byte", 8);
    ASSERT_TRUE(db->add_user({.username = n, .domain = "example.com", .password = "pw"}));
    ASSERT_TRUE(db->add_user({.username = "nul", .domain = "example.com", .password = "pw"}));
    load_ok();
    Digest d = reg_digest();
    d.username = n;
    d.password = "pw";
    // The message parser may refuse a NUL in a header; if it is accepted,
    // the name is looked up with its NUL and does not stop at it.
    auto sent = run(reg_with(d));
    if (!sent.empty()) {
        EXPECT_EQ(status_of(sent[0].data), 200);
    }
}

TEST_P(AuthDbCase, Ha1bForUserAtDomain) {
    // checklist 97: calculate_ha1 0, password columns ha1 / ha1b
    ASSERT_TRUE(db->add_user({.username = "carol", .domain = "example.com", .password = "pw3", .ha1 = "0"}));
    ASSERT_TRUE(db->add_user({.username = "dave", .domain = "example.com", .password = "pw4", .ha1b = "0"}));
    load_ok();
    Digest d = reg_digest();
    EXPECT_EQ(status_of(one(reg_with(d))), 200);   // alice: column ha1
    d.username = "alice@example.com";
    EXPECT_EQ(status_of(one(reg_with(d))), 200);   // column ha1b
    d.username = "alice@EXAMPLE.COM";               // domain compared ignoring case
    d.ha1 = md5({"alice@example.com:example.com:secret"});
    EXPECT_EQ(status_of(one(reg_with(d))), 200);   // ha1b as stored
    d = reg_digest();
    d.username = "carol";
    d.password = "pw3";
    EXPECT_EQ(status_of(one(reg_with(d))), 401);   // ha1 broken
    d.username = "carol@example.com";
    EXPECT_EQ(status_of(one(reg_with(d))), 200);   // ha1b fine
    d.username = "dave";
    d.password = "pw4";
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    d.username = "dave@example.com";
    EXPECT_EQ(status_of(one(reg_with(d))), 401);
    // the user part before '@' selects the row; a user named "alice@x" never exists
    d = reg_digest();
    d.username = "bob@example.com";
    d.password = "pw";
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
}

TEST_P(AuthDbCase, CalculateHa1FromPlainPassword) {
    ASSERT_TRUE(db->add_user({.username = "erin", .domain = "example.com", .password = "plain", .ha1 = "0", .ha1b = "0"}));
    load_ok(kRoute, "modparam(\"auth_db\", \"calculate_ha1\", 1)\nmodparam(\"auth_db\", \"password_column\", \"password\")\n");
    Digest d = reg_digest();
    d.username = "erin";
    d.password = "plain";
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    // with '@': the whole username goes into HA1, column stays `password`
    d.username = "erin@example.com";
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    d.password = "wrong";
    EXPECT_EQ(status_of(one(reg_with(d))), 401);
}

TEST_P(AuthDbCase, UseDomain) {
    ASSERT_TRUE(db->add_user({.username = "frank", .domain = "other.org", .password = "pw5"}));
    std::string route = "if (!www_authorize(\"example.com\", \"subscriber\")) { www_challenge(\"example.com\", "
                        "\"0\"); break; }; sl_send_reply(\"200\", \"OK\");";
    // without use_domain any row of that user name counts
    load_ok(route, "modparam(\"auth_db\", \"calculate_ha1\", 1)\nmodparam(\"auth_db\", \"password_column\", \"password\")\n");
    Digest d = reg_digest();
    d.username = "frank";
    d.password = "pw5";
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    load_ok(route, "modparam(\"auth_db\", \"calculate_ha1\", 1)\nmodparam(\"auth_db\", \"password_column\", "
                   "\"password\")\nmodparam(\"auth_db\", \"use_domain\", 1)\n");
    d.nonce = reg_digest().nonce;
    EXPECT_EQ(status_of(one(reg_with(d))), 401);
    d = reg_digest();
    EXPECT_EQ(status_of(one(reg_with(d))), 200);   // alice is in example.com
}

// ---- is_user (checklist 99) ---------------------------------------------------------

TEST_P(AuthDbCase, IsUserAfterAuthorization) {
    load_ok("if (!www_authorize(\"\", \"subscriber\")) { if (is_user(\"alice\")) { sl_send_reply(\"500\", \"bad\"); "
            "break; }; www_challenge(\"\", \"0\"); break; };\n"
            "if (is_user(\"Alice\")) { sl_send_reply(\"501\", \"case\"); break; };\n"
            "if (is_user(\"alice\")) { sl_send_reply(\"200\", \"alice\"); break; };\n"
            "sl_send_reply(\"404\", \"other\");");
    EXPECT_EQ(status_of(one(register_req())), 401);   // nothing authorized: is_user false
    Digest d = reg_digest();
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    d.username = "alice@example.com";
    EXPECT_EQ(status_of(one(reg_with(d))), 200);   // user part only
    d.username = "bob";
    d.password = "pw";
    EXPECT_EQ(status_of(one(reg_with(d))), 404);
}

// ---- AVPs and RPID (§8.7, §9.3 step 5) ------------------------------------------------

TEST_P(AuthDbCase, RpidFromTheSubscriberRow) {
    ASSERT_TRUE(db->add_user({.username = "gina", .domain = "example.com", .password = "pw6",
                              .rpid = "\"Gina\" <sip:+4930123456@example.com>", .uuid = "u-1", .domn = 7}));
    ASSERT_TRUE(db->add_user({.username = "hank", .domain = "example.com", .password = "pw7", .rpid = "sip:12345@x"}));
    const std::string route =
        "if (!proxy_authorize(\"\", \"subscriber\")) { proxy_challenge(\"\", \"0\"); break; };\n"
        "if (is_rpid_user_e164()) { append_rpid_hf(); } else { append_rpid_hf(\"<\", \">;x=1\"); };\n"
        "forward(127.0.0.1, 5070);";
    load_ok(route, "modparam(\"auth\", \"rpid_prefix\", \"P:\")\n");
    Digest d = proxy_digest();
    d.username = "gina";
    d.password = "pw6";
    auto sent = run(req_with(d));
    ASSERT_EQ(sent.size(), 1u);
    auto rpid = header_values(sent[0].data, "Remote-Party-ID");
    ASSERT_EQ(rpid.size(), 1u) << sent[0].data;
    EXPECT_EQ(rpid[0], "Remote-Party-ID: P:\"Gina\" <sip:+4930123456@example.com>;party=calling;id-type=subscriber;screen=yes");
    // the header goes at the end of the header section
    EXPECT_NE(sent[0].data.find(rpid[0] + "\r\n\r\n"), std::string::npos);
    d.username = "hank";
    d.password = "pw7";
    sent = run(req_with(d));
    ASSERT_EQ(sent.size(), 1u);
    rpid = header_values(sent[0].data, "Remote-Party-ID");
    ASSERT_EQ(rpid.size(), 1u);
    EXPECT_EQ(rpid[0], "Remote-Party-ID: <sip:12345@x>;x=1");
    // alice has no RPID: nothing added, still true
    d = proxy_digest();
    sent = run(req_with(d));
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(header_values(sent[0].data, "Remote-Party-ID").empty());
}

TEST_P(AuthDbCase, AvpColumnsMustExist) {
    // checklist 100: a credentials table without the `domn` column -> 500
    ASSERT_TRUE(db->sql("CREATE TABLE creds (username VARCHAR(64), domain VARCHAR(128), ha1 VARCHAR(128), "
                        "ha1b VARCHAR(128), uuid VARCHAR(64), rpid VARCHAR(128))"));
    ASSERT_TRUE(db->sql("INSERT INTO version (table_name, table_version) VALUES ('creds', 3)"));
    const std::string ha1 = md5({"alice:example.com:secret"});
    db::Field f[] = {{"username", db::Value::of_str("alice")}, {"domain", db::Value::of_str("example.com")},
                     {"ha1", db::Value::of_str(ha1)}, {"ha1b", db::Value::of_str("")}};
    ASSERT_TRUE(db->conn().insert({.table = "creds", .fields = f}));
    const std::string route = "if (!www_authorize(\"\", \"creds\")) { www_challenge(\"\", \"0\"); break; }; "
                              "sl_send_reply(\"200\", \"OK\");";
    load_ok(route);
    auto sent = run(reg_with(reg_digest()));
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].data.substr(0, sent[0].data.find("\r\n")), "SIP/2.0 500 Server Internal Error");
    // without the integer AVP column it works
    load_ok(route, "modparam(\"auth_db\", \"avps_column_int\", \"\")\n");
    EXPECT_EQ(status_of(one(reg_with(reg_digest()))), 200);
    // [2005] load_credentials replaces both lists
    load_ok(route, "modparam(\"auth_db\", \"load_credentials\", \"uuid\")\n");
    EXPECT_EQ(status_of(one(reg_with(reg_digest()))), 200);
    load_ok(route, "modparam(\"auth_db\", \"load_credentials\", \"uuid|nosuchcolumn\")\n");
    EXPECT_EQ(status_of(one(reg_with(reg_digest()))), 500);
}

TEST_P(AuthDbCase, DatabaseFailureIs500) {
    load_ok();
    Digest d = reg_digest();
    EXPECT_EQ(status_of(one(reg_with(d))), 200);
    ASSERT_TRUE(db->sql("DROP TABLE subscriber"));
    auto sent = run(reg_with(d));
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(status_of(sent[0].data), 500);
    // no credentials: no query, a challenge
    EXPECT_EQ(status_of(one(register_req())), 401);
}

// ---- start-up --------------------------------------------------------------------

TEST_P(AuthDbCase, TableVersionIsCheckedAtStartUp) {
    // the version row of the table named in www_authorize / proxy_authorize must be >= 3
    ASSERT_TRUE(db->sql("CREATE TABLE creds (username VARCHAR(64), domain VARCHAR(128), ha1 VARCHAR(128))"));
    ASSERT_TRUE(db->sql("INSERT INTO version (table_name, table_version) VALUES ('creds', 2)"));
    EXPECT_FALSE(load("proxy_authorize(\"\", \"creds\");"));
    EXPECT_NE(h->errors.find("version"), std::string::npos) << h->errors;
    ASSERT_TRUE(db->set_version("creds", 3));
    EXPECT_TRUE(load("proxy_authorize(\"\", \"creds\");")) << h->errors;
    // a table without a version row (version 0)
    EXPECT_FALSE(load("www_authorize(\"\", \"nosuchtable\");"));
    // two rows for one table
    ASSERT_TRUE(db->sql("INSERT INTO version (table_name, table_version) VALUES ('creds', 3)"));
    EXPECT_FALSE(load("proxy_authorize(\"\", \"creds\");"));
}

TEST_P(AuthDbCase, ModuleDependencies) {
    // auth needs sl, auth_db needs auth (both loaded before it)
    h = std::make_unique<Harness>();
    EXPECT_FALSE(h->load("listen=udp:127.0.0.1:5060\nloadmodule \"" + db->driver_module() +
                         "\"\nloadmodule \"auth.so\"\nroute{ break; }\n"));
    h = std::make_unique<Harness>();
    EXPECT_FALSE(h->load("listen=udp:127.0.0.1:5060\nloadmodule \"" + db->driver_module() +
                         "\"\nloadmodule \"sl.so\"\nloadmodule \"auth_db.so\"\nloadmodule \"auth.so\"\n"
                         "modparam(\"auth_db\", \"db_url\", \"" + db->url() + "\")\nroute{ break; }\n"));
    // a db_url of a driver that is not loaded
    h = std::make_unique<Harness>();
    EXPECT_FALSE(h->load("listen=udp:127.0.0.1:5060\nloadmodule \"sl.so\"\nloadmodule \"auth.so\"\n"
                         "loadmodule \"auth_db.so\"\nmodparam(\"auth_db\", \"db_url\", \"nosuch://x/y\")\n"
                         "route{ break; }\n"));
}

TEST_P(AuthDbCase, BadChallengeArguments) {
    h = std::make_unique<Harness>();
    EXPECT_FALSE(h->load(config("www_challenge(\"\", \"x\");")));
    h = std::make_unique<Harness>();
    EXPECT_FALSE(h->load(config("www_challenge(\"\", \"123456\");")));
}

INSTANTIATE_TEST_SUITE_P(Db, AuthDbCase, ::testing::Values("sqlite", "mysql"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace ser::test::auth
