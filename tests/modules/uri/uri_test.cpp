// uri (modules.md §10, checklist 101-104).
#include "ser/api.hpp"
#include <gtest/gtest.h>

#include "ser/api/auth.hpp"
#include "tests/fakes/module_harness.hpp"
#include "tests/modules/messages.hpp"

namespace ser::test {
namespace {

class FakeAuth : public api::AuthApi {
public:
    std::optional<std::string_view> user;
    std::optional<std::string_view> authorized_user(const sip::Msg&) const override { return user; }
};

class UriTest : public ::testing::Test {
protected:
    ModuleHarness h;
    void SetUp() override { ASSERT_TRUE(h.init()); }
    int run(const std::string& f, std::vector<std::string> args, TestMsg& m) {
        int r = h.run(f, std::move(args), m.msg);
        EXPECT_NE(r, -1000) << h.last_error;
        return r;
    }
};

TEST_F(UriTest, Descriptor) {
    EXPECT_STREQ(h.exports.name, "uri");
    EXPECT_EQ(h.exports.param_count, 0u);
    for (auto [name, arity] : {std::pair{"is_user", 1}, {"has_totag", 0}, {"uri_param", 1}, {"uri_param", 2},
                               {"add_uri_param", 1}, {"tel2sip", 0}}) {
        const CmdExport* c = h.find(name, arity);
        ASSERT_NE(c, nullptr) << name << "/" << arity;
        EXPECT_EQ(c->route_mask, unsigned(kRequestRoute)) << name;
    }
}

// Checklist 101.
TEST_F(UriTest, HasTotag) {
    TestMsg with(inv("", "sip:bob@127.0.0.1:5070", ";tag=abc"));
    EXPECT_EQ(run("has_totag", {}, with), 1);
    TestMsg without(inv());
    EXPECT_EQ(run("has_totag", {}, without), -1);
}

// Checklist 102.
TEST_F(UriTest, UriParam) {
    TestMsg m(inv("", "sip:a@127.0.0.1;transport=udp;lr"));
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run("uri_param", {"transport", "udp"}, m), 1);
    EXPECT_EQ(run("uri_param", {"transport"}, m), -1);
    EXPECT_EQ(run("uri_param", {"lr"}, m), 1);
    EXPECT_EQ(run("uri_param", {"Transport", "udp"}, m), -1);   // case-sensitive name
    EXPECT_EQ(run("uri_param", {"transport", "UDP"}, m), -1);   // and value
    EXPECT_EQ(run("uri_param", {"lr", ""}, m), 1);
    EXPECT_EQ(run("uri_param", {"maddr"}, m), -1);
}

TEST_F(UriTest, UriParamFirstOccurrenceDecides) {
    TestMsg m(inv("", "sip:a@127.0.0.1;x=1;x=2;y;y=3"));
    EXPECT_EQ(run("uri_param", {"x", "1"}, m), 1);
    EXPECT_EQ(run("uri_param", {"x", "2"}, m), -1);
    EXPECT_EQ(run("uri_param", {"y"}, m), 1);
    EXPECT_EQ(run("uri_param", {"y", "3"}, m), -1);
}

TEST_F(UriTest, UriParamUsesTheNewUri) {
    TestMsg m(inv());
    EXPECT_EQ(run("uri_param", {"lr"}, m), -1);
    m.msg.new_uri = "sip:b@10.0.0.1;lr";
    m.msg.uri_changed();
    EXPECT_EQ(run("uri_param", {"lr"}, m), 1);
}

// Checklist 103.
TEST_F(UriTest, AddUriParam) {
    TestMsg m(inv("", "sip:1234@127.0.0.1"));
    EXPECT_EQ(run("add_uri_param", {"user=phone"}, m), 1);
    EXPECT_EQ(m.msg.new_uri, "sip:1234@127.0.0.1;user=phone");
    EXPECT_EQ(run("add_uri_param", {"x"}, m), 1);   // on the new URI
    EXPECT_EQ(m.msg.new_uri, "sip:1234@127.0.0.1;user=phone;x");
    EXPECT_EQ(m.msg.ruri(), "sip:1234@127.0.0.1");
}

TEST_F(UriTest, AddUriParamEmptyIsNoChange) {
    TestMsg m(inv());
    EXPECT_EQ(run("add_uri_param", {""}, m), 1);
    EXPECT_TRUE(m.msg.new_uri.empty());
}

// [fix] with ?headers the parameter goes before them.
TEST_F(UriTest, AddUriParamWithHeaders) {
    TestMsg m(inv());
    m.msg.new_uri = "sip:alice:pw@example.com:5070;lr?subject=hi&x=y";
    m.msg.uri_changed();
    EXPECT_EQ(run("add_uri_param", {"user=phone"}, m), 1);
    EXPECT_EQ(m.msg.new_uri, "sip:alice:pw@example.com:5070;lr;user=phone?subject=hi&x=y");
    TestMsg noparams(inv());
    noparams.msg.new_uri = "sip:alice@example.com?subject=hi";
    EXPECT_EQ(run("add_uri_param", {"a=b"}, noparams), 1);
    EXPECT_EQ(noparams.msg.new_uri, "sip:alice@example.com;a=b?subject=hi");
}

// Checklist 104.
TEST_F(UriTest, Tel2Sip) {
    TestMsg m(inv("", "tel:+4930123", "", "z9hG4bK-1", "INVITE", "<sip:a@example.com>;tag=1"));
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run("tel2sip", {}, m), 1);
    EXPECT_EQ(m.msg.new_uri, "sip:+4930123@example.com;user=phone");

    TestMsg sip(inv());
    EXPECT_EQ(run("tel2sip", {}, sip), 1);
    EXPECT_TRUE(sip.msg.new_uri.empty());
}

TEST_F(UriTest, Tel2SipKeepsParamsAndIsCaseSensitive) {
    TestMsg m(inv("", "tel:+1-555;phone-context=x", "", "z9hG4bK-1", "INVITE", "\"A\" <sip:a@gw.example.com:5060>;tag=1"));
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run("tel2sip", {}, m), 1);
    EXPECT_EQ(m.msg.new_uri, "sip:+1-555;phone-context=x@gw.example.com;user=phone");

    TestMsg upper(inv());
    upper.msg.new_uri = "TEL:+1";
    EXPECT_EQ(run("tel2sip", {}, upper), 1);
    EXPECT_EQ(upper.msg.new_uri, "TEL:+1");
}

TEST_F(UriTest, IsUserWithoutAuthModule) {
    TestMsg m(inv());
    EXPECT_EQ(run("is_user", {"alice"}, m), -1);
}

TEST_F(UriTest, IsUser) {
    FakeAuth auth;
    export_api<api::AuthApi>(h.core, static_cast<api::AuthApi*>(&auth));
    TestMsg m(inv());
    EXPECT_EQ(run("is_user", {"alice"}, m), -1);   // nothing authorized yet
    auth.user = "alice";
    EXPECT_EQ(run("is_user", {"alice"}, m), 1);
    EXPECT_EQ(run("is_user", {"Alice"}, m), -1);   // byte-exact
    EXPECT_EQ(run("is_user", {"alic"}, m), -1);
    auth.user = "";
    EXPECT_EQ(run("is_user", {""}, m), -1);         // no username in the credentials
}

}  // namespace
}  // namespace ser::test
