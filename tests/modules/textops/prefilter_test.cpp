// The line prefilter of textops regexes gives exactly regexec's answers.
#include <gtest/gtest.h>

#include <random>

#include "modules/textops/regex.hpp"

using ser::mod::textops::Regex;

TEST(RegexPrefilter, RequiredLiteral) {
    EXPECT_EQ(Regex::required_literal("^Contact:[ ]*\\*"), "Contact:");
    EXPECT_EQ(Regex::required_literal("^User-Agent:.*sipp"), "User-Agent:");
    EXPECT_EQ(Regex::required_literal("10\\.0\\.0\\.5"), "10.0.0.5");
    EXPECT_EQ(Regex::required_literal("(180)|(183)|2[0-9][0-9]"), "");
    EXPECT_EQ(Regex::required_literal("abcd?ef"), "abc");
    EXPECT_EQ(Regex::required_literal("xy+zzzz"), "zzzz");
    EXPECT_EQ(Regex::required_literal("(To:.*)sip:"), "sip:");
    EXPECT_EQ(Regex::required_literal("a(b|c)d"), "a");
    EXPECT_EQ(Regex::required_literal("[[:alpha:]]+Via"), "Via");
    EXPECT_EQ(Regex::required_literal("\\w+Contact"), "Contact");
}

TEST(RegexPrefilter, SameResultsAsPlainRegexec) {
    const char* patterns[] = {"^Contact:[ ]*\\*", "^User-Agent:.*sipp", "10\\.0\\.0\\.5", "foo$", "^c=IN IP4 ([0-9.]+)",
                              "Via: SIP/2\\.0/UDP [^;]*;branch", "tag=[a-z0-9]+abc", "^$", "LEN:[ ]*0"};
    std::mt19937 rng(4475);
    const char* words[] = {"Contact: *", "contact:   *", "User-Agent: x sipp", "user-agent: SIPP", "10.0.0.5",
                           "foo", "foo\r", "c=IN IP4 1.2.3.4", "Via: SIP/2.0/UDP h;branch", "tag=zz1abc",
                           "len: 0", "LEN:0", "x", ""};
    for (int round = 0; round < 2000; ++round) {
        std::string text;
        int lines = int(rng() % 8);
        for (int i = 0; i < lines; ++i) {
            text += words[rng() % (sizeof words / sizeof *words)];
            text += (rng() % 3) ? "\r\n" : "\n";
        }
        for (const char* pat : patterns) {
            for (int icase = 0; icase < 2; ++icase) {
                int flags = REG_EXTENDED | REG_NEWLINE | (icase ? REG_ICASE : 0);
                Regex fast;
                std::string err;
                ASSERT_TRUE(fast.compile(pat, flags, err)) << err;
                regex_t plain;
                ASSERT_EQ(regcomp(&plain, pat, flags), 0);
                for (int notbol = 0; notbol < 2; ++notbol) {
                    int ef = notbol ? REG_NOTBOL : 0;
                    regmatch_t a[2], b[2];
                    b[0].rm_so = 0;
                    b[0].rm_eo = regoff_t(text.size());
                    bool ra = fast.exec(text.data(), text.size(), 2, a, ef);
                    bool rb = regexec(&plain, text.data(), 2, b, ef | REG_STARTEND) == 0;
                    ASSERT_EQ(ra, rb) << pat << " on [" << text << "]";
                    if (ra) {
                        EXPECT_EQ(a[0].rm_so, b[0].rm_so) << pat;
                        EXPECT_EQ(a[0].rm_eo, b[0].rm_eo) << pat;
                        EXPECT_EQ(a[1].rm_so, b[1].rm_so) << pat;
                    }
                }
                regfree(&plain);
            }
        }
    }
}
