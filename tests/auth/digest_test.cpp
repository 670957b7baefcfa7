// Unit tests of auth's building blocks: MD5 / RFC 2617 digests, nonces,
// user names and RPID parsing.
#include <gtest/gtest.h>

#include "modules/auth/auth.hpp"
#include "modules/auth/md5.hpp"
#include "modules/auth/nonce.hpp"
#include "modules/auth/rpid.hpp"
#include "modules/auth/username.hpp"
#include "tests/auth/auth_env.hpp"

namespace ser::mod::auth {
namespace {

TEST(AuthDigest, Rfc2617Example) {
    // RFC 2617 §3.5 (Mufasa), computed with the helper both modules use.
    std::string ha1 = md5_hex({"Mufasa", ":", "testrealm@host.com", ":", "Circle Of Life"});
    std::string ha2 = md5_hex({"GET", ":", "/dir/index.html"});
    std::string resp = md5_hex({ha1, ":", "dcd98b7102dd2f0e8b11d0f600bfb0c093", ":", "00000001", ":", "0a4f113b", ":",
                                "auth", ":", ha2});
    EXPECT_EQ(resp, "6629fae49393a05397450978507c4ef1");
    EXPECT_EQ(md5_hex({""}), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(AuthNonce, Format) {
    std::string n = make_nonce(0x5f5e1000u, "s3cret");
    ASSERT_EQ(n.size(), kNonceLen);
    EXPECT_EQ(n.substr(0, 8), "5f5e1000");
    EXPECT_EQ(n.substr(8), md5_hex({"5f5e1000", "s3cret"}));
    EXPECT_EQ(n, ser::test::auth::make_nonce(0x5f5e1000u, "s3cret"));
    EXPECT_EQ(make_nonce(0x0000000au, "").substr(0, 8), "0000000a");
}

TEST(AuthNonce, Check) {
    std::string n = make_nonce(1234567890u, "k");
    EXPECT_TRUE(nonce_valid(n, "k"));
    EXPECT_FALSE(nonce_valid(n, "K"));
    EXPECT_FALSE(nonce_valid(n.substr(0, 39), "k"));
    EXPECT_FALSE(nonce_valid(n + "a", "k"));
    std::string m = n;
    m[3] = m[3] == '1' ? '2' : '1';
    EXPECT_FALSE(nonce_valid(m, "k"));
    EXPECT_EQ(nonce_expires(n), 1234567890u);
    EXPECT_EQ(nonce_expires("499602D2xxxx"), 1234567890u);   // upper-case digits read
    EXPECT_EQ(nonce_expires("4996-2d2"), 0u);
    EXPECT_TRUE(nonce_stale(n, time_t(1234567891)));
    EXPECT_FALSE(nonce_stale(n, time_t(1234567890)));
}

TEST(AuthUsername, Split) {
    std::string_view u, d;
    split_username("alice@example.com", u, d);
    EXPECT_EQ(u, "alice");
    EXPECT_EQ(d, "example.com");
    split_username("alice", u, d);
    EXPECT_EQ(u, "alice");
    EXPECT_TRUE(d.empty());
    split_username("a@", u, d);   // at most two characters: not split
    EXPECT_EQ(u, "a@");
    split_username("ab@", u, d);
    EXPECT_EQ(u, "ab");
    EXPECT_TRUE(d.empty());
    split_username("a@b@c", u, d);
    EXPECT_EQ(u, "a");
    EXPECT_EQ(d, "b@c");
}

TEST(AuthRpid, User) {
    std::string_view u;
    ASSERT_TRUE(rpid_user("\"Gina <x>\" <sip:+49301@example.com>;party=calling", u));
    EXPECT_EQ(u, "+49301");
    ASSERT_TRUE(rpid_user("SIP:+123@x", u));
    EXPECT_EQ(u, "+123");
    ASSERT_TRUE(rpid_user("+4930", u));
    EXPECT_EQ(u, "+4930");
    ASSERT_TRUE(rpid_user("<tel:+4930>", u));
    EXPECT_EQ(u, "tel:+4930");
    EXPECT_FALSE(rpid_user("<sip:+1@x", u));
    EXPECT_FALSE(rpid_user("sip:@@", u));
}

TEST(AuthRpid, E164) {
    EXPECT_TRUE(is_e164("+12"));
    EXPECT_FALSE(is_e164("+1"));
    EXPECT_TRUE(is_e164("+123456789012345"));    // 16 characters
    EXPECT_FALSE(is_e164("+1234567890123456"));  // 17
    EXPECT_FALSE(is_e164("123"));
    EXPECT_TRUE(is_e164("+ab"));   // [quirk] no digit check
}

}  // namespace
}  // namespace ser::mod::auth
