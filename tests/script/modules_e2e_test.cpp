// The modules of issue #4 through the whole engine (real loader, compiler,
// modules and builders), checked on what would go on the wire:
// modules.md checklist items for sl, maxfwd, textops and uri.
#include <gtest/gtest.h>

#include "tests/script/harness.hpp"

using namespace ser;
using namespace ser::test;

namespace {

const char* kHead =
    "listen=udp:127.0.0.1:5060\n"
    "loadmodule \"sl.so\"\nloadmodule \"maxfwd.so\"\nloadmodule \"textops.so\"\nloadmodule \"uri.so\"\n";

// The checklist's INV from the UAC at 127.0.0.1:5080.
std::string inv(const std::string& extra = "", const std::string& ruri = "sip:bob@127.0.0.1:5070",
                const std::string& to_tag = "") {
    std::string body = "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    return "INVITE " + ruri + " SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1\r\n" + extra +
           "From: <sip:alice@example.com>;tag=ft1\r\n"
           "To: <sip:bob@example.com>" + to_tag + "\r\n"
           "Call-ID: c1\r\nCSeq: 1 INVITE\r\n"
           "Contact: <sip:alice@10.0.0.5:5060>\r\n"
           "Content-Type: application/sdp\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct Outcome {
    std::vector<Sent> sent;
    std::string errors;
};

Outcome run(const std::string& route, const std::string& msg, const std::string& head = "") {
    Harness h;
    Outcome r;
    if (!h.load(std::string(kHead) + head + "route{ " + route + " }\n")) {
        r.errors = h.errors;
        ADD_FAILURE() << h.errors;
        return r;
    }
    h.receive(msg, "127.0.0.1", 5080);
    r.sent = h.tx.sent;
    return r;
}

std::string line_after_request_line(const std::string& m) {
    size_t a = m.find("\r\n") + 2;
    return m.substr(a, m.find("\r\n", a) - a);
}

std::string hdr(const std::string& m, const std::string& name) {
    size_t p = m.find("\r\n" + name + ":");
    if (p == std::string::npos) return "<none>";
    p += 2;
    return m.substr(p, m.find("\r\n", p) - p);
}

std::string last_header(const std::string& m) {
    size_t end = m.find("\r\n\r\n");
    size_t start = m.rfind("\r\n", end - 1) + 2;
    return m.substr(start, end - start);
}

const char* kMf = "if (!mf_process_maxfwd_header(\"10\")) { sl_send_reply(\"483\",\"Too Many Hops\"); break; };"
                  " forward(127.0.0.1,5070);";

}  // namespace

TEST(SlE2E, Item1_404WithTagToSource) {
    Outcome r = run("sl_send_reply(\"404\",\"Not Here\");", inv());
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(r.sent[0].to_port, 5080);
    const std::string& m = r.sent[0].data;
    EXPECT_EQ(m.rfind("SIP/2.0 404 Not Here\r\n", 0), 0u);
    std::string to = hdr(m, "To");
    ASSERT_NE(to.find(";tag="), std::string::npos) << to;
    std::string tag = to.substr(to.find(";tag=") + 5);
    EXPECT_EQ(tag.size(), 32u + 1 + 4) << tag;
    EXPECT_EQ(tag[32], '.');
    EXPECT_EQ(hdr(m, "Via"), "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1");
    EXPECT_EQ(hdr(m, "Call-ID"), "Call-ID: c1");
    EXPECT_EQ(hdr(m, "CSeq"), "CSeq: 1 INVITE");
}

TEST(SlE2E, Item2_3_TagRules) {
    Outcome r = run("sl_send_reply(\"100\",\"Trying\");", inv());
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(hdr(r.sent[0].data, "To"), "To: <sip:bob@example.com>");
    r = run("sl_send_reply(\"404\",\"Not Here\");", inv("", "sip:bob@127.0.0.1:5070", ";tag=x"));
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(hdr(r.sent[0].data, "To"), "To: <sip:bob@example.com>;tag=x");
}

TEST(SlE2E, Item5_ReplyErrorWithoutKnownError) {
    Outcome r = run("sl_reply_error();", inv());
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(r.sent[0].data.rfind("SIP/2.0 500 I'm terribly sorry, server error occurred (1/SL)\r\n", 0), 0u)
        << r.sent[0].data;
}

TEST(SlE2E, Item6_AckToOwnReplyAbsorbedBeforeScript) {
    Harness h;
    ASSERT_TRUE(h.load(std::string(kHead) +
                       "route{ if (method==\"ACK\") { forward(127.0.0.1,5070); break; }; sl_send_reply(\"404\",\"x\"); }"))
        << h.errors;
    h.receive(inv(), "127.0.0.1", 5080);
    ASSERT_EQ(h.tx.sent.size(), 1u);
    std::string to = hdr(h.tx.sent[0].data, "To");
    std::string ack = "ACK sip:bob@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1\r\n"
                      "From: <sip:alice@example.com>;tag=ft1\r\n" + to + "\r\nCall-ID: c1\r\nCSeq: 1 ACK\r\n"
                      "Content-Length: 0\r\n\r\n";
    h.receive(ack, "127.0.0.1", 5080);
    EXPECT_EQ(h.tx.sent.size(), 1u) << "the ACK was forwarded";
    // An ACK with another To tag is not ours: it reaches the script.
    std::string other = ack;
    other.replace(other.find(";tag=", other.find("\r\nTo:")) + 5, 4, "zzzz");
    h.receive(other, "127.0.0.1", 5080);
    EXPECT_EQ(h.tx.sent.size(), 2u);
}

TEST(MaxfwdE2E, Item8_InsertedAsFirstHeaderAboveOurVia) {
    Outcome r = run(kMf, inv());
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(line_after_request_line(r.sent[0].data), "Max-Forwards: 10");
    EXPECT_NE(r.sent[0].data.find("Max-Forwards: 10\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=0\r\n"), std::string::npos)
        << r.sent[0].data;
}

TEST(MaxfwdE2E, Items9to13_Values) {
    struct Case { const char* in; const char* out; };
    for (Case c : {Case{"70", "Max-Forwards: 16"}, Case{"10", "Max-Forwards:  9"}, Case{"1", "Max-Forwards: 0"},
                   Case{"abc", "Max-Forwards: abc"}}) {
        Outcome r = run(kMf, inv(std::string("Max-Forwards: ") + c.in + "\r\n"));
        ASSERT_EQ(r.sent.size(), 1u) << c.in;
        EXPECT_EQ(hdr(r.sent[0].data, "Max-Forwards"), c.out) << c.in;
        EXPECT_EQ(r.sent[0].to_port, 5070);
    }
}

TEST(MaxfwdE2E, Item11_ZeroGets483) {
    Outcome r = run(kMf, inv("Max-Forwards: 0\r\n"));
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(r.sent[0].to_port, 5080);
    EXPECT_EQ(r.sent[0].data.rfind("SIP/2.0 483 Too Many Hops\r\n", 0), 0u);
}

TEST(MaxfwdE2E, Items14_15_Limits) {
    Harness h1;
    EXPECT_FALSE(h1.load(std::string(kHead) + "route{ mf_process_maxfwd_header(\"70\"); }"));
    EXPECT_NE(h1.errors.find("max_limit"), std::string::npos) << h1.errors;
    Harness h2;
    EXPECT_TRUE(h2.load(std::string(kHead) + "modparam(\"maxfwd\",\"max_limit\",70)\nroute{ mf_process_maxfwd_header(\"70\"); }"))
        << h2.errors;
    Harness h3;
    EXPECT_FALSE(h3.load(std::string(kHead) + "modparam(\"maxfwd\",\"max_limit\",256)\nroute{ drop; }"));
}

TEST(TextopsE2E, Item130_Search) {
    Outcome r = run("if (search(\"^Contact:.*10\\.0\\.0\\.5\")) append_hf(\"X-1: y\\r\\n\");"
                " if (search(\"^contact\")) append_hf(\"X-2: y\\r\\n\");"
                " if (search(\"^INVITE\")) append_hf(\"X-3: y\\r\\n\");"
                " if (replace(\"^INVITE\",\"X\")) append_hf(\"X-4: y\\r\\n\"); forward(127.0.0.1,5070);",
                inv());
    ASSERT_EQ(r.sent.size(), 1u);
    const std::string& m = r.sent[0].data;
    EXPECT_NE(m.find("X-1: y"), std::string::npos);
    EXPECT_NE(m.find("X-2: y"), std::string::npos);
    EXPECT_NE(m.find("X-3: y"), std::string::npos);
    EXPECT_EQ(m.find("X-4: y"), std::string::npos);
}

TEST(TextopsE2E, Item131_AppendHfIsLastHeader) {
    Outcome r = run("append_hf(\"P-hint: x\\r\\n\"); forward(127.0.0.1,5070);", inv());
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(last_header(r.sent[0].data), "P-hint: x");
}

TEST(TextopsE2E, Item133_ReplaceAndReplaceAllFixContentLength) {
    Outcome r = run("replace(\"10\\.0\\.0\\.5\",\"1.2.3.4\"); forward(127.0.0.1,5070);", inv());
    ASSERT_EQ(r.sent.size(), 1u);
    const std::string& m = r.sent[0].data;
    EXPECT_EQ(hdr(m, "Contact"), "Contact: <sip:alice@1.2.3.4:5060>");
    EXPECT_NE(m.find("c=IN IP4 10.0.0.5"), std::string::npos);

    r = run("replace_all(\"10\\.0\\.0\\.5\",\"1.2.3.4\"); forward(127.0.0.1,5070);", inv());
    ASSERT_EQ(r.sent.size(), 1u);
    const std::string& m2 = r.sent[0].data;
    EXPECT_EQ(hdr(m2, "Contact"), "Contact: <sip:alice@1.2.3.4:5060>");
    EXPECT_EQ(m2.find("10.0.0.5"), std::string::npos);
    size_t body = m2.find("\r\n\r\n") + 4;
    EXPECT_EQ(hdr(m2, "Content-Length"), "Content-Length: " + std::to_string(m2.size() - body));
}

TEST(TextopsE2E, Item134_135_SearchAppendAndSubst) {
    Outcome r = run("search_append(\"^Subject:[^\\r]*\",\" [x]\"); subst(\"/(User-Agent: )[^\\r]*/\\1hidden/\");"
                " forward(127.0.0.1,5070);",
                inv("Subject: hello\r\nUser-Agent: phone 1.0\r\n"));
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(hdr(r.sent[0].data, "Subject"), "Subject: hello [x]");
    EXPECT_EQ(hdr(r.sent[0].data, "User-Agent"), "User-Agent: hidden");
}

TEST(TextopsE2E, Item136_137_SubstUriAndUser) {
    Outcome r = run("subst_uri(\"/^sip:([0-9]+)@.*$/sip:\\1@gw.example.com/\"); forward(127.0.0.1,5070);", inv("", "sip:123@127.0.0.1"));
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(r.sent[0].data.rfind("INVITE sip:123@gw.example.com SIP/2.0\r\n", 0), 0u) << r.sent[0].data;
    r = run("subst_user(\"/^0/+49/\"); forward(127.0.0.1,5070);", inv("", "sip:030123@127.0.0.1"));
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(r.sent[0].data.rfind("INVITE sip:+4930123@127.0.0.1 SIP/2.0\r\n", 0), 0u) << r.sent[0].data;
}

TEST(TextopsE2E, Item138_139_ReplyHeaders) {
    Outcome r = run("append_to_reply(\"X-Why: test\\r\\n\"); sl_send_reply(\"403\",\"No\");", inv());
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(hdr(r.sent[0].data, "X-Why"), "X-Why: test");
    r = run("append_time(); sl_send_reply(\"200\",\"ok\");", inv());
    ASSERT_EQ(r.sent.size(), 1u);
    std::string date = hdr(r.sent[0].data, "Date");
    EXPECT_EQ(date.size(), std::string("Date: Www, DD Mon YYYY HH:MM:SS GMT").size()) << date;
}

TEST(TextopsE2E, Item140_AppendUrihfUsesOriginalUri) {
    Outcome r = run("rewriteuri(\"sip:x@127.0.0.1:5070\"); append_urihf(\"X-Orig: <\", \">\\r\\n\"); forward(127.0.0.1,5070);",
                inv());
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(hdr(r.sent[0].data, "X-Orig"), "X-Orig: <sip:bob@127.0.0.1:5070>");
}

TEST(TextopsE2E, Item141_BadExpressionsAreStartupErrors) {
    Harness h1;
    EXPECT_FALSE(h1.load(std::string(kHead) + "route{ search(\"(\"); }"));
    Harness h2;
    EXPECT_FALSE(h2.load(std::string(kHead) + "route{ subst(\"/a/b/x\"); }"));
}

TEST(UriE2E, Items101to103) {
    Outcome r = run("if (has_totag()) append_hf(\"X-T: 1\\r\\n\"); if (uri_param(\"transport\",\"udp\")) append_hf(\"X-P1: 1\\r\\n\");"
                " if (uri_param(\"transport\")) append_hf(\"X-P2: 1\\r\\n\"); if (uri_param(\"lr\")) append_hf(\"X-P3: 1\\r\\n\");"
                " if (uri_param(\"Transport\",\"udp\")) append_hf(\"X-P4: 1\\r\\n\"); forward(127.0.0.1,5070);",
                inv("", "sip:a@127.0.0.1;transport=udp;lr", ";tag=tt1"));
    ASSERT_EQ(r.sent.size(), 1u);
    const std::string& m = r.sent[0].data;
    EXPECT_NE(m.find("X-T: 1"), std::string::npos);
    EXPECT_NE(m.find("X-P1: 1"), std::string::npos);
    EXPECT_EQ(m.find("X-P2: 1"), std::string::npos);
    EXPECT_NE(m.find("X-P3: 1"), std::string::npos);
    EXPECT_EQ(m.find("X-P4: 1"), std::string::npos);
    r = run("add_uri_param(\"user=phone\"); forward(127.0.0.1,5070);", inv("", "sip:1234@127.0.0.1"));
    ASSERT_EQ(r.sent.size(), 1u);
    EXPECT_EQ(r.sent[0].data.rfind("INVITE sip:1234@127.0.0.1;user=phone SIP/2.0\r\n", 0), 0u);
}

TEST(Composition, MaxfwdInsertTextopsEditsAndBodyChangeTogether) {
    // An insert at the first header (maxfwd), a replace inside Contact, an
    // append at the end of the headers and a body edit, with our Via and
    // received= on the client's Via: one pass, correct Content-Length.
    Outcome r = run("mf_process_maxfwd_header(\"10\"); subst('/^(Contact: <sip:alice@)10\\.0\\.0\\.5/\\11.2.3.4/');"
                " append_hf(\"P-A: 1\\r\\n\"); subst(\"/^c=IN IP4 10\\.0\\.0\\.5/c=IN IP4 192.0.2.99/\");"
                " forward(127.0.0.1,5070);",
                inv(), "");
    ASSERT_EQ(r.sent.size(), 1u);
    const std::string& m = r.sent[0].data;
    EXPECT_EQ(line_after_request_line(m), "Max-Forwards: 10");
    EXPECT_NE(m.find("Max-Forwards: 10\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1\r\n"),
              std::string::npos)
        << m;
    EXPECT_EQ(hdr(m, "Contact"), "Contact: <sip:alice@1.2.3.4:5060>");
    EXPECT_EQ(last_header(m), "P-A: 1");
    size_t body = m.find("\r\n\r\n") + 4;
    EXPECT_NE(m.find("c=IN IP4 192.0.2.99\r\n", body), std::string::npos);
    EXPECT_EQ(hdr(m, "Content-Length"), "Content-Length: " + std::to_string(m.size() - body));
}
