#include <gtest/gtest.h>

#include "ser/sip/name_addr.hpp"
#include "ser/sip/params.hpp"

namespace ser::sip {
namespace {

TEST(NameAddr, Forms) {
    NameAddr n;
    ASSERT_TRUE(parse_name_addr("\"Bob B\" <sip:bob@example.com>;tag=abc;x=1", n));
    EXPECT_EQ(n.display, "\"Bob B\"");
    EXPECT_EQ(n.uri, "sip:bob@example.com");
    EXPECT_EQ(n.uri_offset, 9u);
    EXPECT_EQ(n.params, "tag=abc;x=1");
    EXPECT_EQ(*n.tag, "abc");
    EXPECT_TRUE(n.angle);

    ASSERT_TRUE(parse_name_addr("Bob  Smith<sip:bob@example.com>", n));
    EXPECT_EQ(n.display, "Bob  Smith");
    EXPECT_FALSE(n.tag);

    ASSERT_TRUE(parse_name_addr("sip:bob@example.com;tag=9", n));
    EXPECT_EQ(n.display, "");
    EXPECT_EQ(n.uri, "sip:bob@example.com");
    EXPECT_EQ(*n.tag, "9");
    EXPECT_FALSE(n.angle);

    // unquoted UTF-8 / parentheses: not RFC tokens, accepted like SER does
    ASSERT_TRUE(parse_name_addr("M\xc3\xbcller (mobile) <sip:m@example.com>", n));
    EXPECT_EQ(n.display, "M\xc3\xbcller (mobile)");

    ASSERT_TRUE(parse_name_addr("<sip:a@b;lr>", n));
    EXPECT_EQ(n.uri, "sip:a@b;lr");
    EXPECT_EQ(n.params, "");

    ASSERT_TRUE(parse_name_addr("sip:a@b ;\r\n  TAG = x1 ; q=\"quoted;,\"", n));
    EXPECT_EQ(*n.tag, "x1");
    EXPECT_EQ(*find_param(n.params, "q"), "quoted;,");
}

TEST(NameAddr, Rejects) {
    NameAddr n;
    for (const char* s : {
             "",
             "\"unterminated <sip:a@b>",          // quotbal
             "Watson, Thomas <sip:a@b>",           // baddn: ',' in display
             "< sip:a@b >",                        // badaspec
             "<sip:a@b",                           // no '>'
             "sip:a@b?Route=x",                    // regbadct: '?' outside <>
             "nouri",                              // no scheme
             "<sip:a@b>;;",                        // empty param
             "<sip:a@b>;tag=",                     // empty value
             "<sip:a@b>, <sip:c@d>",               // two values
             "<sip:a@b> junk",
             "\"x\" sip:a@b",                      // quoted display without <>
         })
        EXPECT_FALSE(parse_name_addr(s, n)) << s;
}

TEST(NameAddr, ContactLists) {
    std::vector<NameAddr> v;
    ASSERT_TRUE(parse_name_addr_list(
        "<sip:a@10.0.0.1:5060>;expires=60, \"B\" <sip:b@h>;q=0.5 ,sip:c@h;expires=0", v));
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(*find_param(v[0].params, "expires"), "60");
    EXPECT_EQ(v[1].display, "\"B\"");
    EXPECT_EQ(*find_param(v[1].params, "Q"), "0.5");
    EXPECT_EQ(v[2].uri, "sip:c@h");
    std::string_view text = "<sip:a@10.0.0.1:5060>;expires=60, x";
    std::vector<NameAddr> w;
    EXPECT_FALSE(parse_name_addr_list(text, w));

    std::vector<NameAddr> s;
    ASSERT_TRUE(parse_name_addr_list(" * ", s));
    ASSERT_EQ(s.size(), 1u);
    EXPECT_TRUE(s[0].is_star());
    std::vector<NameAddr> s2;
    EXPECT_FALSE(parse_name_addr_list("*, <sip:a@b>", s2));
    std::vector<NameAddr> e;
    EXPECT_FALSE(parse_name_addr_list("", e));
    EXPECT_FALSE(parse_name_addr_list("<sip:a@b>,", e));
}

TEST(NameAddr, OffsetsLocateEntries) {
    std::string_view t = "<sip:a@b>, \"X\" <sip:c@d>;p=1";
    std::vector<NameAddr> v;
    ASSERT_TRUE(parse_name_addr_list(t, v));
    EXPECT_EQ(t.substr(v[1].offset, v[1].length), "\"X\" <sip:c@d>;p=1");
    EXPECT_EQ(t.substr(v[1].uri_offset, v[1].uri.size()), "sip:c@d");
}

TEST(Params, Iteration) {
    size_t pos = 0;
    Param p;
    std::string_view l = "a=1; b ;c=\"x y\"";
    ASSERT_TRUE(next_param(l, pos, p));
    EXPECT_EQ(p.name, "a");
    EXPECT_EQ(p.value, "1");
    ASSERT_TRUE(next_param(l, pos, p));
    EXPECT_EQ(p.name, "b");
    EXPECT_FALSE(p.has_value);
    ASSERT_TRUE(next_param(l, pos, p));
    EXPECT_TRUE(p.quoted);
    EXPECT_EQ(p.value, "x y");
    EXPECT_FALSE(next_param(l, pos, p));
    EXPECT_NE(pos, std::string_view::npos);
    pos = 0;
    std::string_view bad = "a=1;";
    EXPECT_TRUE(next_param(bad, pos, p));
    EXPECT_FALSE(next_param(bad, pos, p));
    EXPECT_EQ(pos, std::string_view::npos);
}

}  // namespace
}  // namespace ser::sip
