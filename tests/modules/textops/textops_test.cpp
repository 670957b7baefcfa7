// textops: search/replace family, header functions, reply lumps
// (modules.md §13, checklist 130-141).
#include <gtest/gtest.h>

#include <regex>

#include "modules/textops/textops.hpp"
#include "tests/fakes/module_harness.hpp"
#include "tests/modules/messages.hpp"

namespace ser::test {
namespace {

class TextopsTest : public ::testing::Test {
protected:
    ModuleHarness h;
    void SetUp() override { ASSERT_TRUE(h.init()); }
    int run(const std::string& f, std::vector<std::string> args, TestMsg& m) {
        int r = h.run(f, std::move(args), m.msg);
        EXPECT_NE(r, -1000) << h.last_error;
        return r;
    }
    bool fixup_fails(const std::string& f, std::vector<std::string> args) {
        ModuleHarness::Call c;
        std::string err;
        bool ok = h.prepare(f, std::move(args), c, err);
        if (!ok) last_fixup_error = err;
        return !ok;
    }
    std::string last_fixup_error;
};

size_t count(const std::string& hay, const std::string& needle) {
    size_t n = 0;
    for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

TEST_F(TextopsTest, Descriptor) {
    EXPECT_STREQ(h.exports.name, "textops");
    EXPECT_EQ(h.exports.param_count, 0u);
    const unsigned rof = kRequestRoute | kOnReplyRoute | kFailureRoute;
    struct Row { const char* name; int arity; unsigned mask; };
    const Row rows[] = {
        {"search", 1, rof}, {"search_append", 2, rof}, {"replace", 2, rof}, {"replace_all", 2, rof},
        {"subst", 1, rof}, {"subst_uri", 1, rof}, {"subst_user", 1, rof}, {"append_hf", 1, rof},
        {"append_urihf", 2, kRequestRoute | kFailureRoute}, {"append_to_reply", 1, kRequestRoute},
        {"append_time", 0, kRequestRoute}, {"remove_hf", 1, rof}, {"is_present_hf", 1, rof},
    };
    for (const auto& r : rows) {
        const CmdExport* c = h.find(r.name, r.arity);
        ASSERT_NE(c, nullptr) << r.name;
        EXPECT_EQ(c->route_mask, r.mask) << r.name;
    }
    EXPECT_EQ(h.exports.cmd_count, std::size(rows));
}

// Checklist 130.
TEST_F(TextopsTest, SearchIsCaseInsensitiveAndLineAnchored) {
    TestMsg m(inv());
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run("search", {R"(^Contact:.*10\.0\.0\.5)"}, m), 1);
    EXPECT_EQ(run("search", {"^contact"}, m), 1);
    EXPECT_EQ(run("search", {"^INVITE"}, m), 1);
    EXPECT_EQ(run("replace", {"^INVITE", "X"}, m), -1);   // after the first line only
    EXPECT_TRUE(m.msg.lumps.empty());
    EXPECT_EQ(run("search", {"^m=audio 4000"}, m), 1);      // the body too
    EXPECT_EQ(run("search", {"^Via: SIP/2.0/TCP"}, m), -1);
}

TEST_F(TextopsTest, SearchContactStarAnywhereInHeaders) {
    std::string reg =
        "REGISTER sip:example.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-r\r\n"
        "From: <sip:alice@example.com>;tag=1\r\n"
        "To: <sip:alice@example.com>\r\n"
        "Call-ID: r1\r\n"
        "CSeq: 1 REGISTER\r\n"
        "Contact: *\r\n"
        "Expires: 0\r\n"
        "Content-Length: 0\r\n\r\n";
    TestMsg m(reg);
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run("search", {R"(^Contact:[ ]*\*)"}, m), 1);
    TestMsg inv_m(inv());
    EXPECT_EQ(run("search", {R"(^Contact:[ ]*\*)"}, inv_m), -1);
}

// [quirk] '$' matches before "\n" only, so after the '\r'.
TEST_F(TextopsTest, DollarNeedsTheCarriageReturn) {
    TestMsg m(inv());
    EXPECT_EQ(run("search", {"CSeq: 1 INVITE$"}, m), -1);
    EXPECT_EQ(run("search", {"CSeq: 1 INVITE\r$"}, m), 1);
}

TEST_F(TextopsTest, DotDoesNotCrossLines) {
    TestMsg m(inv());
    EXPECT_EQ(run("search", {"Call-ID: c1.CSeq"}, m), -1);
    EXPECT_EQ(run("search", {"Call-ID: c1[^x]*CSeq"}, m), -1);   // nor does [^...]
    EXPECT_EQ(run("search", {"Call-ID: c1\r\nCSeq"}, m), 1);     // an explicit newline does
}

// Matching uses the received buffer: earlier lumps are invisible, in-place
// edits (maxfwd) are visible.
TEST_F(TextopsTest, SearchSeesReceivedBufferOnly) {
    TestMsg m(inv("Max-Forwards: 70\r\n"));
    EXPECT_EQ(run("append_hf", {"X-New: 1\r\n"}, m), 1);
    EXPECT_EQ(run("search", {"X-New"}, m), -1);
    std::string buf(m.msg.buffer());
    size_t p = buf.find("Max-Forwards: 70");
    ASSERT_NE(p, std::string::npos);
    m.msg.data()[p + 14] = '1';
    m.msg.data()[p + 15] = '6';
    EXPECT_EQ(run("search", {"Max-Forwards: 16"}, m), 1);
}

TEST_F(TextopsTest, SearchReachesPastNulInBody) {
    std::string body = std::string("abc\0def", 7) + "\r\nneedle\r\n";
    std::string msg = inv();
    msg = msg.substr(0, msg.find("Content-Length:")) + "Content-Length: " + std::to_string(body.size()) +
          "\r\n\r\n" + body;
    // Replace the SDP content type so nothing else needs the body.
    TestMsg m(msg);
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run("search", {"^needle"}, m), 1);
}

// Checklist 141.
TEST_F(TextopsTest, BadRegexIsAFixupError) {
    EXPECT_TRUE(fixup_fails("search", {"("}));
    EXPECT_NE(last_fixup_error.find("("), std::string::npos);
    EXPECT_TRUE(fixup_fails("replace", {"a[", "x"}));
    EXPECT_TRUE(fixup_fails("search_append", {"*(", "x"}));
    EXPECT_TRUE(fixup_fails("replace_all", {"(", "x"}));
    // The second argument is text, never compiled.
    EXPECT_FALSE(fixup_fails("replace", {"a", "("}));
    EXPECT_TRUE(fixup_fails("subst", {"/a/b/x"}));
    EXPECT_NE(last_fixup_error.find("flag"), std::string::npos) << last_fixup_error;
}

// Checklist 131.
TEST_F(TextopsTest, AppendHfIsLastHeader) {
    TestMsg m(inv());
    EXPECT_EQ(run("append_hf", {"P-hint: x\r\n"}, m), 1);
    std::string out = m.edited();
    EXPECT_NE(out.find("Content-Length: " + std::to_string(kInvSdp.size()) + "\r\nP-hint: x\r\n\r\nv=0"),
              std::string::npos)
        << out;
}

// Checklist 132.
TEST_F(TextopsTest, RemoveHfRemovesEveryMatchingLine) {
    TestMsg m(inv("User-Agent: a\r\nSubject: s\r\nuser-agent: b\r\n"));
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run("remove_hf", {"User-Agent"}, m), 1);
    std::string out = m.edited();
    EXPECT_EQ(out.find("User-Agent"), std::string::npos);
    EXPECT_EQ(out.find("user-agent"), std::string::npos);
    EXPECT_NE(out.find("Contact: <sip:alice@10.0.0.5:5060>\r\nSubject: s\r\nContent-Type"), std::string::npos);

    TestMsg none(inv());
    EXPECT_EQ(run("remove_hf", {"User-Agent"}, none), -1);
    EXPECT_TRUE(none.msg.lumps.empty());
}

TEST_F(TextopsTest, HeaderNamesMatchExactly) {
    std::string msg = inv();
    size_t p = msg.find("Contact: ");
    msg.replace(p, 9, "m: ");
    TestMsg m(msg);
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run("is_present_hf", {"Contact"}, m), -1);
    EXPECT_EQ(run("is_present_hf", {"m"}, m), 1);
    EXPECT_EQ(run("is_present_hf", {"M"}, m), 1);
    EXPECT_EQ(run("remove_hf", {"Contact"}, m), -1);
    EXPECT_EQ(run("is_present_hf", {"call-id"}, m), 1);
    EXPECT_EQ(run("is_present_hf", {"Call"}, m), -1);
    EXPECT_EQ(run("is_present_hf", {"Call-ID "}, m), -1);
}

// Checklist 133.
TEST_F(TextopsTest, ReplaceFirstVersusAll) {
    TestMsg one(inv());
    EXPECT_EQ(run("replace", {R"(10\.0\.0\.5)", "1.2.3.4"}, one), 1);
    std::string out = one.edited();
    EXPECT_NE(out.find("Contact: <sip:alice@1.2.3.4:5060>"), std::string::npos);
    EXPECT_EQ(count(out, "10.0.0.5"), 2u);   // o= and c= untouched
    EXPECT_EQ(count(out, "1.2.3.4"), 1u);

    TestMsg all(inv());
    EXPECT_EQ(run("replace_all", {R"(10\.0\.0\.5)", "1.2.3.4"}, all), 1);
    out = all.edited();
    EXPECT_EQ(count(out, "10.0.0.5"), 0u);
    EXPECT_EQ(count(out, "1.2.3.4"), 3u);
    EXPECT_NE(out.find("c=IN IP4 1.2.3.4\r\n"), std::string::npos);

    TestMsg none(inv());
    EXPECT_EQ(run("replace_all", {"192\\.168", "x"}, none), -1);
}

TEST_F(TextopsTest, ReplaceNeverTouchesTheRequestLine) {
    TestMsg m(inv());
    EXPECT_EQ(run("replace", {"sip:bob", "sip:carol"}, m), 1);
    std::string out = m.edited();
    EXPECT_EQ(out.rfind("INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\n", 0), 0u);
    EXPECT_NE(out.find("To: <sip:carol@example.com>"), std::string::npos);
}

// [quirk] after the first replacement REG_NOTBOL is set, so a line that
// starts right where the previous match ended does not match '^'.
TEST_F(TextopsTest, ReplaceAllCaretQuirk) {
    TestMsg m(inv("X-A: 1\r\nX-A: 1\r\nX-A: 1\r\n"));
    EXPECT_EQ(run("replace_all", {"^X-A: 1\r\n", ""}, m), 1);
    std::string out = m.edited();
    EXPECT_EQ(count(out, "X-A: 1\r\n"), 1u) << out;
}

// [fix] an empty match ends replace_all instead of looping forever.
TEST_F(TextopsTest, ReplaceAllStopsAtEmptyMatch) {
    TestMsg m(inv());
    EXPECT_EQ(run("replace_all", {"q*", "Y"}, m), 1);
    std::string out = m.edited();
    EXPECT_EQ(count(out, "Y"), 1u);
    EXPECT_NE(out.find("\r\nYVia: "), std::string::npos) << out;
}

// Checklist 134.
TEST_F(TextopsTest, SearchAppend) {
    TestMsg m(inv("Subject: hello\r\n"));
    EXPECT_EQ(run("search_append", {"^Subject:[^\r]*", " [x]"}, m), 1);
    EXPECT_NE(m.edited().find("Subject: hello [x]\r\n"), std::string::npos);
    TestMsg none(inv());
    EXPECT_EQ(run("search_append", {"^Subject:[^\r]*", " [x]"}, none), -1);
}

// Checklist 135.
TEST_F(TextopsTest, Subst) {
    TestMsg m(inv("User-Agent: phone 1.0\r\n"));
    EXPECT_EQ(run("subst", {"/(User-Agent: )[^\r]*/\\1hidden/"}, m), 1);
    EXPECT_NE(m.edited().find("User-Agent: hidden\r\n"), std::string::npos) << m.edited();
}

// Without 'i' subst is case-sensitive (§13.1).
TEST_F(TextopsTest, SubstCaseSensitivity) {
    TestMsg m(inv("User-Agent: phone\r\n"));
    EXPECT_EQ(run("subst", {"/user-agent: phone/X: y/"}, m), -1);
    EXPECT_EQ(run("subst", {"/user-agent: phone/X: y/i"}, m), 1);
    EXPECT_NE(m.edited().find("\r\nX: y\r\n"), std::string::npos);
}

TEST_F(TextopsTest, SubstGlobalAndFirst) {
    TestMsg first(inv());
    EXPECT_EQ(run("subst", {R"(/10\.0\.0\.5/1.2.3.4/)"}, first), 1);
    EXPECT_EQ(count(first.edited(), "1.2.3.4"), 1u);
    TestMsg all(inv());
    EXPECT_EQ(run("subst", {R"(/10\.0\.0\.5/1.2.3.4/g)"}, all), 1);
    EXPECT_EQ(count(all.edited(), "1.2.3.4"), 3u);
    // Never the first line.
    TestMsg ruri(inv());
    EXPECT_EQ(run("subst", {"/^INVITE/X/"}, ruri), -1);
}

TEST_F(TextopsTest, SubstDotAllFlag) {
    TestMsg m(inv());
    EXPECT_EQ(run("subst", {"/c1.*CSeq/X/"}, m), -1);
    EXPECT_EQ(run("subst", {"/c1.*CSeq/X/s"}, m), 1);
}

TEST_F(TextopsTest, SubstEscapes) {
    TestMsg m(inv("Subject: hello\r\n"));
    // \u = current URI, \/ = the separator, \t, \\ and an unknown \q -> q.
    EXPECT_EQ(run("subst", {"/Subject: (hello)/Subject: \\u\\/\\1\\t\\\\\\q/"}, m), 1);
    EXPECT_NE(m.edited().find("Subject: sip:bob@127.0.0.1:5070/hello\t\\q\r\n"), std::string::npos)
        << m.edited();
    TestMsg m2(inv("Subject: hello\r\n"));
    m2.msg.new_uri = "sip:new@h";
    EXPECT_EQ(run("subst", {"#Subject: hello#Subject: \\u\\n\\r#"}, m2), 1);
    EXPECT_NE(m2.edited().find("Subject: sip:new@h\n\r\r\n"), std::string::npos);
}

TEST_F(TextopsTest, SubstRegexMayContainEscapedSeparator) {
    TestMsg m(inv());
    EXPECT_EQ(run("subst", {"/RTP\\/AVP/RTP\\/SAVP/"}, m), 1);
    EXPECT_NE(m.edited().find("m=audio 4000 RTP/SAVP 0"), std::string::npos);
}

TEST_F(TextopsTest, SubstSyntaxErrors) {
    EXPECT_TRUE(fixup_fails("subst", {"/a"}));          // too short
    EXPECT_TRUE(fixup_fails("subst", {"\\a\\b\\"}));    // backslash separator
    EXPECT_TRUE(fixup_fails("subst", {"/abc"}));        // no end of regex
    EXPECT_TRUE(fixup_fails("subst", {"/a/b"}));        // missing separator
    EXPECT_TRUE(fixup_fails("subst", {"/(/b/"}));       // bad regex
    EXPECT_TRUE(fixup_fails("subst", {"/a/b/gx"}));     // unknown flag
    EXPECT_TRUE(fixup_fails("subst_uri", {"/a/b/x"}));
    EXPECT_TRUE(fixup_fails("subst_user", {"/a/b/x"}));
    EXPECT_FALSE(fixup_fails("subst", {"/a/b/gis"}));
    EXPECT_FALSE(fixup_fails("subst", {"/a//"}));       // empty replacement
    std::string many = "/a/";
    for (int i = 0; i < 100; ++i) many += "\\n";
    EXPECT_FALSE(fixup_fails("subst", {many + "/"}));
    EXPECT_TRUE(fixup_fails("subst", {many + "\\n/"}));
}

TEST_F(TextopsTest, SubstEmptyReplacementRemoves) {
    TestMsg m(inv("User-Agent: x\r\n"));
    EXPECT_EQ(run("subst", {"/User-Agent: x\r\n//"}, m), 1);
    EXPECT_EQ(m.edited().find("User-Agent"), std::string::npos);
}

// Checklist 136.
TEST_F(TextopsTest, SubstUri) {
    TestMsg m(inv("", "sip:123@127.0.0.1"));
    EXPECT_EQ(run("subst_uri", {"/^sip:([0-9]+)@.*$/sip:\\1@gw.example.com/"}, m), 1);
    EXPECT_EQ(m.msg.new_uri, "sip:123@gw.example.com");
    ASSERT_NE(m.msg.parsed_uri(), nullptr);
    EXPECT_EQ(m.msg.parsed_uri()->host, "gw.example.com");
    // Works on the new URI from now on; no match -> false, URI kept.
    EXPECT_EQ(run("subst_uri", {"/^sip:123@gw/sip:9@gw/"}, m), 1);
    EXPECT_EQ(m.msg.new_uri, "sip:9@gw.example.com");
    EXPECT_EQ(run("subst_uri", {"/^tel:/sip:/"}, m), -1);
    EXPECT_EQ(m.msg.new_uri, "sip:9@gw.example.com");
    // The request line itself is never edited.
    EXPECT_EQ(m.msg.ruri(), "sip:123@127.0.0.1");
}

// Checklist 137.
TEST_F(TextopsTest, SubstUser) {
    TestMsg m(inv("", "sip:030123@127.0.0.1"));
    EXPECT_EQ(run("subst_user", {"/^0/+49/"}, m), 1);
    EXPECT_EQ(m.msg.new_uri, "sip:+4930123@127.0.0.1");
    TestMsg no_match(inv("", "sip:4930123@127.0.0.1"));
    EXPECT_EQ(run("subst_user", {"/^0/+49/"}, no_match), -1);
    EXPECT_TRUE(no_match.msg.new_uri.empty());
}

TEST_F(TextopsTest, SubstUserKeepsTheRestOfTheUri) {
    TestMsg m(inv());
    // A Request-URI with headers is refused by the parser; a rewritten one may have them.
    m.msg.new_uri = "sip:0301:pw@127.0.0.1:5070;transport=udp?subject=x";
    EXPECT_EQ(run("subst_user", {"/^0/+49/"}, m), 1);
    EXPECT_EQ(m.msg.new_uri, "sip:+49301:pw@127.0.0.1:5070;transport=udp?subject=x");
    // No user part: the user is "" and "@" appears only with a user.
    TestMsg host_only(inv("", "sip:127.0.0.1"));
    EXPECT_EQ(run("subst_user", {"/^$/alice/"}, host_only), 1);
    EXPECT_EQ(host_only.msg.new_uri, "sip:alice@127.0.0.1");
    TestMsg emptied(inv("", "sip:0@127.0.0.1"));
    EXPECT_EQ(run("subst_user", {"/0//"}, emptied), 1);
    EXPECT_EQ(emptied.msg.new_uri, "sip:127.0.0.1");
}

// Checklist 138.
TEST_F(TextopsTest, AppendToReply) {
    TestMsg m(inv());
    EXPECT_EQ(run("append_to_reply", {"X-Why: test\r\n"}, m), 1);
    EXPECT_EQ(m.msg.reply_lumps, std::vector<std::string>{"X-Why: test\r\n"});
    EXPECT_TRUE(m.msg.lumps.empty());
    LocalReply r;
    r.code = 403;
    r.reason = "No";
    EXPECT_NE(FakeCore::render(m.msg, r).find("X-Why: test\r\n"), std::string::npos);
}

// Checklist 139.
TEST_F(TextopsTest, AppendTime) {
    TestMsg m(inv());
    EXPECT_EQ(run("append_time", {}, m), 1);
    ASSERT_EQ(m.msg.reply_lumps.size(), 1u);
    EXPECT_TRUE(std::regex_match(m.msg.reply_lumps[0],
                                 std::regex("Date: (Sun|Mon|Tue|Wed|Thu|Fri|Sat), [0-9]{2} "
                                            "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
                                            "[0-9]{2}:[0-9]{2}:[0-9]{2} GMT\r\n")))
        << m.msg.reply_lumps[0];
}

TEST(TextopsDate, Format) {
    using mod::textops::date_header;
    EXPECT_EQ(date_header(0), "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
    EXPECT_EQ(date_header(1136073600 + 3 * 3600 + 4 * 60 + 5), "Date: Sun, 01 Jan 2006 03:04:05 GMT\r\n");
}

// Checklist 140: the ORIGINAL Request-URI, not the rewritten one.
TEST_F(TextopsTest, AppendUriHf) {
    TestMsg m(inv());
    m.msg.new_uri = "sip:x@127.0.0.1:5070";
    EXPECT_EQ(run("append_urihf", {"X-Orig: <", ">\r\n"}, m), 1);
    EXPECT_NE(m.edited().find("X-Orig: <sip:bob@127.0.0.1:5070>\r\n\r\n"), std::string::npos);
}

TEST_F(TextopsTest, WorksOnReplies) {
    std::string rpl =
        "SIP/2.0 200 OK\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1\r\n"
        "From: <sip:alice@example.com>;tag=ft1\r\n"
        "To: <sip:bob@example.com>;tag=b\r\n"
        "Call-ID: c1\r\n"
        "CSeq: 1 INVITE\r\n"
        "Server: x\r\n"
        "Content-Length: 0\r\n\r\n";
    TestMsg m(rpl);
    ASSERT_TRUE(m.parsed()) << m.msg.error();
    EXPECT_EQ(run("search", {"^SIP/2.0 200"}, m), 1);
    EXPECT_EQ(run("remove_hf", {"Server"}, m), 1);
    EXPECT_EQ(run("subst", {"/tag=b/tag=c/"}, m), 1);
    std::string out = m.edited();
    EXPECT_EQ(out.find("Server:"), std::string::npos);
    EXPECT_NE(out.find("To: <sip:bob@example.com>;tag=c\r\n"), std::string::npos);
}

}  // namespace
}  // namespace ser::test
