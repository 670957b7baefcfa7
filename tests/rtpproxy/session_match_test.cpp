// Matching a command to a session and choosing its side (spec
// rtpproxy-protocol §4.1, §4.2), rtpproxy/session_match.hpp.
#include <gtest/gtest.h>

#include "rtpproxy/session_match.hpp"

using namespace ser::rtpp;

TEST(RtppMatch, CompareTags) {
    EXPECT_EQ(compare_tags("abc", "abc"), TagMatch::exact);
    EXPECT_EQ(compare_tags("abc;1", "abc"), TagMatch::stream);
    EXPECT_EQ(compare_tags("abc;1", "abc;1"), TagMatch::exact);
    EXPECT_EQ(compare_tags("abc;12", "abc;1"), TagMatch::none);   // ";1" is no prefix ending at ';'
    EXPECT_EQ(compare_tags("abcd", "abc"), TagMatch::none);
    EXPECT_EQ(compare_tags("ab", "abc"), TagMatch::none);
    EXPECT_EQ(compare_tags("abc;2", "abc;1"), TagMatch::none);
    // The 0.9 nathelper sends no media number; a stored "x;1" (2005 client) still matches.
    EXPECT_EQ(compare_tags("1928301774;1", "1928301774"), TagMatch::stream);
}

TEST(RtppMatch, FromTagIsTriedFirst) {
    TagHit h = match_tags("A;1", "A;1", std::string_view("B"));
    EXPECT_EQ(h.how, TagMatch::exact);
    EXPECT_FALSE(h.via_to_tag);
    TagHit t = match_tags("A;1", "B", std::string_view("A"));
    EXPECT_EQ(t.how, TagMatch::stream);
    EXPECT_TRUE(t.via_to_tag);
    EXPECT_EQ(match_tags("A", "B", std::nullopt).how, TagMatch::none);
    EXPECT_EQ(match_tags("A", "B", std::string_view("C")).how, TagMatch::none);
}

// §4.2: U from-tag -> 0, U to-tag -> 1, L from-tag -> 1, L to-tag -> 0; the
// pre-filled side is always the other one.
TEST(RtppMatch, SideSelectionTable) {
    EXPECT_EQ(reply_side(Verb::update, false), 0);
    EXPECT_EQ(reply_side(Verb::update, true), 1);
    EXPECT_EQ(reply_side(Verb::lookup, false), 1);
    EXPECT_EQ(reply_side(Verb::lookup, true), 0);
    // D, P, S, R, Q select as L does.
    for (Verb v : {Verb::remove, Verb::play, Verb::stop_play, Verb::record, Verb::query}) {
        EXPECT_EQ(reply_side(v, false), 1);
        EXPECT_EQ(reply_side(v, true), 0);
    }
}
