#include <gtest/gtest.h>

#include "ser/sip/uri.hpp"

namespace ser::sip {
namespace {

TEST(Uri, FullSipUri) {
    Uri u;
    ASSERT_TRUE(parse_uri("sip:+4912345:pw@example.com:5070;transport=udp;user=phone?subject=x", u));
    EXPECT_EQ(u.scheme, Uri::Scheme::Sip);
    EXPECT_EQ(u.scheme_text, "sip");
    EXPECT_EQ(u.user, "+4912345");
    EXPECT_EQ(u.password, "pw");
    EXPECT_TRUE(u.has_password);
    EXPECT_EQ(u.host, "example.com");
    EXPECT_EQ(u.port_text, "5070");
    EXPECT_EQ(u.port, 5070);
    EXPECT_EQ(u.params, "transport=udp;user=phone");
    EXPECT_EQ(u.headers, "subject=x");
    EXPECT_EQ(u.transport(), "udp");
    EXPECT_EQ(*u.param("USER"), "phone");
    EXPECT_FALSE(u.param("lr"));
}

TEST(Uri, HostOnlyAndValuelessParam) {
    Uri u;
    ASSERT_TRUE(parse_uri("SIPS:proxy.example.org;lr", u));
    EXPECT_EQ(u.scheme, Uri::Scheme::Sips);
    EXPECT_EQ(u.user, "");
    EXPECT_EQ(u.host, "proxy.example.org");
    EXPECT_EQ(u.port, 0);
    ASSERT_TRUE(u.param("lr"));
    EXPECT_EQ(*u.param("lr"), "");
    EXPECT_EQ(u.transport(), "");
}

TEST(Uri, Ipv6Reference) {
    Uri u;
    ASSERT_TRUE(parse_uri("sip:alice@[2001:db8::10]:5070;maddr=[::1]", u));
    EXPECT_TRUE(u.host_is_v6);
    EXPECT_EQ(u.host, "2001:db8::10");
    EXPECT_EQ(u.host_text(), "[2001:db8::10]");
    EXPECT_EQ(u.port, 5070);
    EXPECT_EQ(*u.param("maddr"), "[::1]");
    ASSERT_TRUE(parse_uri("sip:[::1]", u));
    EXPECT_EQ(u.host, "::1");
    EXPECT_FALSE(parse_uri("sip:[::1", u));
    EXPECT_FALSE(parse_uri("sip:[example.com]", u));
}

TEST(Uri, UserWithSemicolonsAndEscapes) {
    // RFC 4475 semiuri / escnull: ';' and escapes belong to the user part.
    Uri u;
    ASSERT_TRUE(parse_uri("sip:user;par=u%40example.net@example.com", u));
    EXPECT_EQ(u.user, "user;par=u%40example.net");
    EXPECT_EQ(u.host, "example.com");
    EXPECT_EQ(u.params, "");
    ASSERT_TRUE(parse_uri("sip:null-%00-null@example.com", u));
    EXPECT_EQ(u.user, "null-%00-null");
    EXPECT_FALSE(parse_uri("sip:bad%zzescape@example.com", u));
    EXPECT_FALSE(parse_uri("sip:bad%4@example.com", u));
}

TEST(Uri, TelAndOtherSchemes) {
    Uri u;
    ASSERT_TRUE(parse_uri("tel:+1-201-555-0123;phone-context=example.com", u));
    EXPECT_EQ(u.scheme, Uri::Scheme::Tel);
    EXPECT_EQ(u.user, "+1-201-555-0123");
    EXPECT_EQ(*u.param("phone-context"), "example.com");
    ASSERT_TRUE(parse_uri("soap.beep://192.0.2.103:3002", u));
    EXPECT_EQ(u.scheme, Uri::Scheme::Other);
    EXPECT_EQ(u.scheme_text, "soap.beep");
    EXPECT_EQ(u.opaque, "//192.0.2.103:3002");
    EXPECT_TRUE(has_uri_scheme("isbn:2983792873"));
    EXPECT_FALSE(has_uri_scheme("1sip:x"));
    EXPECT_FALSE(has_uri_scheme("nocolon"));
}

TEST(Uri, RejectsMalformed) {
    Uri u;
    for (const char* s : {"", "sip:", "sip:@host", "sip:user@", "sip:host:", "sip:host:65536",
                          "sip:host:12a", "sip:a b@c", "sip:host;;lr", "sip:host;", "sip:ho st",
                          "sip:<host>", ":host", "x:", "other:a b", "tel:", "tel:xyz;x"})
        EXPECT_FALSE(parse_uri(s, u)) << s;
}

}  // namespace
}  // namespace ser::sip
