// uri_db through the whole engine (modules.md §11; checklist 98, 105) on
// SQLite and MariaDB, after real authorizations by auth_db.
#include <ctime>

#include "tests/auth/auth_fixture.hpp"
#include "tests/auth/backends.hpp"

namespace ser::test::auth {
namespace {

// REGISTER: www_authorize then check_to; other requests: proxy_authorize
// then check_from. 200 = true, 403 = false.
const char* kCheckRoute =
    "if (method==\"REGISTER\") {\n"
    "  if (!www_authorize(\"\", \"subscriber\")) { www_challenge(\"\", \"0\"); break; };\n"
    "  if (check_to()) { sl_send_reply(\"200\", \"To ok\"); } else { sl_send_reply(\"403\", \"Use To=ID\"); };\n"
    "  break;\n"
    "};\n"
    "if (!proxy_authorize(\"\", \"subscriber\")) { proxy_challenge(\"\", \"0\"); break; };\n"
    "if (check_from()) { sl_send_reply(\"200\", \"From ok\"); } else { sl_send_reply(\"403\", \"Use From=ID\"); };\n";

const char* kExistsRoute =
    "if (does_uri_exist()) { sl_send_reply(\"200\", \"exists\"); } else { sl_send_reply(\"404\", \"no\"); };";

class UriDbCase : public ::testing::TestWithParam<const char*>, public DbFixture {
protected:
    void SetUp() override {
        std::string err;
        db = make_backend(GetParam(), err);
        if (!db) GTEST_SKIP() << err;
        ASSERT_TRUE(add_default_users());
    }
    void load_ok(const std::string& route, const std::string& params = "") {
        ASSERT_TRUE(load(route, params)) << h->errors;
    }
    Digest fresh(const std::string& method) {
        Digest d;
        d.method = method;
        if (method != "REGISTER") d.uri = "sip:bob@example.com";
        d.nonce = make_nonce(uint32_t(std::time(nullptr) + 100), kSecret);
        return d;
    }
};

TEST_P(UriDbCase, CheckToWithoutUriTable) {
    // checklist 98
    load_ok(kCheckRoute);
    Digest d = fresh("REGISTER");
    EXPECT_EQ(status_of(one(reg_with(d, "sip:alice@example.com"))), 200);
    EXPECT_EQ(status_of(one(reg_with(d, "sip:ALICE@example.com"))), 200);   // ignoring case
    EXPECT_EQ(status_of(one(reg_with(d, "sip:bob@example.com"))), 403);
    EXPECT_EQ(status_of(one(reg_with(d, "sip:example.com"))), 403);           // no user
    d.username = "alice@example.com";
    EXPECT_EQ(status_of(one(reg_with(d, "sip:alice@example.com"))), 200);     // digest user part
}

TEST_P(UriDbCase, CheckFromWithoutUriTable) {
    load_ok(kCheckRoute);
    Digest d = fresh("INVITE");
    EXPECT_EQ(status_of(one(req_with(d, "sip:alice@example.com"))), 200);
    EXPECT_EQ(status_of(one(req_with(d, "sip:Alice@example.com"))), 200);
    EXPECT_EQ(status_of(one(req_with(d, "sip:mallory@example.com"))), 403);
    // with a fixed realm the From host may differ: it is not compared
    load_ok("if (!proxy_authorize(\"example.com\", \"subscriber\")) { proxy_challenge(\"example.com\", \"0\"); "
            "break; }; if (check_from()) { sl_send_reply(\"200\", \"x\"); } else { sl_send_reply(\"403\", \"x\"); };");
    EXPECT_EQ(status_of(one(req_with(d, "sip:alice@elsewhere.org"))), 200);
    EXPECT_EQ(status_of(one(req_with(d, "tel:+123"))), 403);   // not a SIP URI
}

TEST_P(UriDbCase, ChecksNeedAuthorizedCredentials) {
    // -2 without an authorization (false), -1 on a bad header: both false
    load_ok("if (check_to()) { sl_send_reply(\"200\", \"x\"); } else { sl_send_reply(\"403\", \"x\"); };");
    EXPECT_EQ(status_of(one(register_req())), 403);
    load_ok("if (check_from()) { sl_send_reply(\"200\", \"x\"); } else { sl_send_reply(\"403\", \"x\"); };");
    EXPECT_EQ(status_of(one(request("INVITE"))), 403);
}

TEST_P(UriDbCase, CheckWithUriTable) {
    ASSERT_TRUE(db->add_uri("alice", "example.com", "alice"));
    ASSERT_TRUE(db->add_uri("alice", "example.com", "4711"));
    ASSERT_TRUE(db->add_uri("bob", "example.com", "bobby"));
    load_ok(kCheckRoute, "modparam(\"uri_db\", \"use_uri_table\", 1)\n");
    Digest d = fresh("INVITE");
    EXPECT_EQ(status_of(one(req_with(d, "sip:alice@example.com"))), 200);
    EXPECT_EQ(status_of(one(req_with(d, "sip:4711@example.com"))), 200);
    EXPECT_EQ(status_of(one(req_with(d, "sip:4711@EXAMPLE.COM"))), 200);    // host vs realm ignoring case
    EXPECT_EQ(status_of(one(req_with(d, "sip:bobby@example.com"))), 403);  // bob's alias
    EXPECT_EQ(status_of(one(req_with(d, "sip:4712@example.com"))), 403);
    // From host other than the realm: the realm comes from the From host,
    // so the proxy side needs a fixed realm to get there
    load_ok("if (!proxy_authorize(\"example.com\", \"subscriber\")) { proxy_challenge(\"example.com\", \"0\"); "
            "break; }; if (check_from()) { sl_send_reply(\"200\", \"x\"); } else { sl_send_reply(\"403\", \"x\"); };",
            "modparam(\"uri_db\", \"use_uri_table\", 1)\n");
    EXPECT_EQ(status_of(one(req_with(d, "sip:4711@example.org"))), 403);
    EXPECT_EQ(status_of(one(req_with(d, "sip:4711@example.com"))), 200);
    // REGISTER / To
    load_ok(kCheckRoute, "modparam(\"uri_db\", \"use_uri_table\", 1)\n");
    Digest r = fresh("REGISTER");
    EXPECT_EQ(status_of(one(reg_with(r, "sip:4711@example.com"))), 200);
    EXPECT_EQ(status_of(one(reg_with(r, "sip:bobby@example.com"))), 403);
}

TEST_P(UriDbCase, DoesUriExistSubscriberTable) {
    // checklist 105
    load_ok(kExistsRoute);
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:alice@anything"))), 200);
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:nobody@example.com"))), 404);
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:x'%20OR%20'1'='1@example.com"))), 404);
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:%25@example.com"))), 404);
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "tel:+123"))), 404);   // not a SIP URI
    load_ok(kExistsRoute, "modparam(\"uri_db\", \"use_domain\", 1)\n");
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:alice@anything"))), 404);
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:alice@example.com"))), 200);
}

TEST_P(UriDbCase, DoesUriExistUriTable) {
    ASSERT_TRUE(db->add_uri("alice", "example.com", "4711"));
    load_ok(kExistsRoute, "modparam(\"uri_db\", \"use_uri_table\", 1)\n");
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:4711@other.org"))), 200);
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:alice@example.com"))), 404);   // not a uri_user
    load_ok(kExistsRoute, "modparam(\"uri_db\", \"use_uri_table\", 1)\nmodparam(\"uri_db\", \"use_domain\", 1)\n");
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:4711@other.org"))), 404);
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:4711@example.com"))), 200);
}

TEST_P(UriDbCase, CustomTableAndColumnNames) {
    ASSERT_TRUE(db->sql("CREATE TABLE accounts (login VARCHAR(64), realm VARCHAR(128))"));
    ASSERT_TRUE(db->sql("INSERT INTO accounts (login, realm) VALUES ('zoe', 'zoo.org')"));
    ASSERT_TRUE(db->sql("INSERT INTO version (table_name, table_version) VALUES ('accounts', 3)"));
    load_ok(kExistsRoute, "modparam(\"uri_db\", \"subscriber_table\", \"accounts\")\n"
                          "modparam(\"uri_db\", \"subscriber_user_column\", \"login\")\n"
                          "modparam(\"uri_db\", \"subscriber_domain_column\", \"realm\")\n"
                          "modparam(\"uri_db\", \"use_domain\", 1)\n");
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:zoe@zoo.org"))), 200);
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:zoe@example.com"))), 404);
}

TEST_P(UriDbCase, VersionsAreCheckedAtStartUp) {
    // both tables, also when the uri table is not used
    ASSERT_TRUE(db->set_version("uri", 0));
    EXPECT_FALSE(load(kExistsRoute));
    ASSERT_TRUE(db->set_version("uri", 1));
    ASSERT_TRUE(db->set_version("subscriber", 2));
    EXPECT_FALSE(load(kExistsRoute));
    ASSERT_TRUE(db->set_version("subscriber", 3));
    EXPECT_TRUE(load(kExistsRoute)) << h->errors;
}

TEST_P(UriDbCase, DatabaseFailureIsFalse) {
    load_ok(kExistsRoute);
    ASSERT_TRUE(db->sql("DROP TABLE subscriber"));
    EXPECT_EQ(status_of(one(request("INVITE", "", "sip:x@y", "sip:alice@example.com"))), 404);
}

INSTANTIATE_TEST_SUITE_P(Db, UriDbCase, ::testing::Values("sqlite", "mysql"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace ser::test::auth
