#include <gtest/gtest.h>

#include "ser/sip/cseq.hpp"
#include "ser/sip/digest.hpp"

namespace ser::sip {
namespace {

TEST(CSeq, Parses) {
    CSeq c;
    ASSERT_TRUE(parse_cseq("4711 INVITE", c));
    EXPECT_EQ(c.num, 4711u);
    EXPECT_EQ(c.number, "4711");
    EXPECT_EQ(c.method, "INVITE");
    EXPECT_EQ(c.method_id, Method::Invite);
    ASSERT_TRUE(parse_cseq("0009\r\n  INVITE", c));
    EXPECT_EQ(c.num, 9u);
    ASSERT_TRUE(parse_cseq("4294967295 BYE", c));
    EXPECT_EQ(c.num, 4294967295u);
}

TEST(CSeq, Rejects) {
    CSeq c;
    for (const char* s : {"", "INVITE", "1", "1INVITE", "-1 INVITE", "4294967296 INVITE",
                          "36893488147419103232 REGISTER", "1 INVITE extra", "1 INV@TE", "x1 BYE"})
        EXPECT_FALSE(parse_cseq(s, c)) << s;
}

TEST(Digest, Credentials) {
    Credentials c;
    ASSERT_TRUE(parse_credentials(
        "Digest username=\"alice\", realm=\"example.com\",\r\n nonce=\"4f3a\", "
        "uri=\"sip:example.com\", response=\"0123abcd\", algorithm=MD5, cnonce=\"c1\", "
        "opaque=\"op\", qop=auth, nc=00000001",
        c));
    EXPECT_TRUE(c.is_digest());
    EXPECT_EQ(c.username, "alice");
    EXPECT_EQ(c.realm, "example.com");
    EXPECT_EQ(c.nonce, "4f3a");
    EXPECT_EQ(c.uri, "sip:example.com");
    EXPECT_EQ(c.response, "0123abcd");
    EXPECT_EQ(c.algorithm, "MD5");
    EXPECT_EQ(c.cnonce, "c1");
    EXPECT_EQ(c.opaque, "op");
    EXPECT_EQ(c.qop, "auth");
    EXPECT_EQ(c.nc, "00000001");
}

TEST(Digest, UnknownSchemeIsNotDigest) {
    Credentials c;
    ASSERT_TRUE(parse_credentials("NoOneKnowsThisScheme opaque-data=here", c));
    EXPECT_FALSE(c.is_digest());
    EXPECT_EQ(c.username, "");
    EXPECT_FALSE(parse_credentials("Digest username=\"a", c));
    EXPECT_FALSE(parse_credentials("Digest", c));
    EXPECT_FALSE(parse_credentials("Digest username=\"a\",", c));
    EXPECT_FALSE(parse_credentials("", c));
}

}  // namespace
}  // namespace ser::sip
