// Local replies: core-runtime §6.7 and §12 items 6-8.
#include <gtest/gtest.h>

#include "ser/sip/build.hpp"
#include "test_util.hpp"

namespace ser::sip {
namespace {

std::string request(const std::string& via, const std::string& to = "To: <sip:alice@example.com>\n") {
    return "INVITE sip:alice@example.com SIP/2.0\n"
           "Record-Route: <sip:rr.example.com;lr>\n"
           "v: SIP/2.0/UDP " + via + "\n"
           "Max-Forwards: 70\n"
           "From: \"Bob\" <sip:bob@example.org>;tag=1\n" + to +
           "Call-ID: call1@127.0.0.1\n"
           "CSeq: 1 INVITE\n"
           "Contact: <sip:bob@127.0.0.1:5096>\n"
           "Content-Length: 0\n"
           "\n";
}

void from_local(Msg& m) {
    IpAddr::parse("127.0.0.1", m.rcv.src_ip);
    m.rcv.src_port = 5096;
}

TEST(LocalReply, FullText) {
    test::Parsed p(request("127.0.0.1:5096;branch=z9hG4bKc1"));
    ASSERT_TRUE(p.ok) << p.m.error();
    from_local(p.m);
    p.m.reply_lumps.push_back("Contact: <sip:moved@example.net>\r\n");
    LocalReplyOpts o;
    o.to_tag = "abc";
    o.extra_headers = "Allow: INVITE, ACK\r\n";
    o.server = "Sip EXpress router (0.9.6 (x86_64/linux))";
    o.warning = "392 127.0.0.1:5099 \"Noisy feedback tells:  pid=1 req_src_ip=127.0.0.1 "
                "req_src_port=5096 in_uri=sip:alice@example.com out_uri=sip:alice@example.com "
                "via_cnt==1\"";
    std::string out = build_local_reply(p.m, 302, "Moved Temporarily", o);
    EXPECT_EQ(out, test::crlf(
                       "SIP/2.0 302 Moved Temporarily\n"
                       "v: SIP/2.0/UDP 127.0.0.1:5096;branch=z9hG4bKc1\n"
                       "From: \"Bob\" <sip:bob@example.org>;tag=1\n"
                       "To: <sip:alice@example.com>;tag=abc\n"
                       "Call-ID: call1@127.0.0.1\n"
                       "CSeq: 1 INVITE\n"
                       "Allow: INVITE, ACK\n"
                       "Contact: <sip:moved@example.net>\n"
                       "Server: Sip EXpress router (0.9.6 (x86_64/linux))\n"
                       "Content-Length: 0\n"
                       "Warning: 392 127.0.0.1:5099 \"Noisy feedback tells:  pid=1 "
                       "req_src_ip=127.0.0.1 req_src_port=5096 in_uri=sip:alice@example.com "
                       "out_uri=sip:alice@example.com via_cnt==1\"\n"
                       "\n"));
}

TEST(LocalReply, RecordRouteOnlyFor180To299AndBody) {
    test::Parsed p(request("127.0.0.1:5096;branch=z"));
    ASSERT_TRUE(p.ok);
    from_local(p.m);
    LocalReplyOpts o;
    o.body = "hello";
    for (int code : {100, 179, 180, 200, 299, 300, 486}) {
        std::string out = build_local_reply(p.m, code, "X", o);
        bool rr = out.find("Record-Route: <sip:rr.example.com;lr>\r\n") != std::string::npos;
        EXPECT_EQ(rr, code >= 180 && code < 300) << code;
        EXPECT_EQ(out.substr(out.size() - 26), "Content-Length: 5\r\n\r\nhello");
        EXPECT_EQ(out.find("Server:"), std::string::npos);
        EXPECT_EQ(out.find("Warning:"), std::string::npos);
        EXPECT_EQ(out.find("Contact:"), std::string::npos);
        EXPECT_EQ(out.find("Max-Forwards"), std::string::npos);
    }
}

// §12 item 6: existing received kept, rport and received appended [quirk].
TEST(LocalReply, Item6ForceRportAppends) {
    test::Parsed p(request("sip.example.net;received=1.2.3.4;branch=z9hG4bKx"));
    ASSERT_TRUE(p.ok);
    from_local(p.m);
    p.m.force_rport = true;
    std::string out = build_local_reply(p.m, 100, "Trying", {});
    EXPECT_NE(out.find("\r\nv: SIP/2.0/UDP sip.example.net;received=1.2.3.4;branch=z9hG4bKx;"
                       "rport=5096;received=127.0.0.1\r\n"),
              std::string::npos)
        << out;
    // without force_rport: only received
    p.m.force_rport = false;
    out = build_local_reply(p.m, 100, "Trying", {});
    EXPECT_NE(out.find("\r\nv: SIP/2.0/UDP sip.example.net;received=1.2.3.4;branch=z9hG4bKx;"
                       "received=127.0.0.1\r\n"),
              std::string::npos)
        << out;
}

// §12 item 7: rport value replaced in place.
TEST(LocalReply, Item7RportReplacedInPlace) {
    test::Parsed p(request("127.0.0.1:5096;rport=1234;branch=z9hG4bKy"));
    ASSERT_TRUE(p.ok);
    from_local(p.m);
    std::string out = build_local_reply(p.m, 100, "Trying", {});
    EXPECT_NE(out.find("\r\nv: SIP/2.0/UDP 127.0.0.1:5096;rport=5096;branch=z9hG4bKy\r\n"),
              std::string::npos)
        << out;
}

TEST(LocalReply, AllViaLinesAndMultiBodyTopVia) {
    std::string r = request("10.0.0.1;branch=a;rport, SIP/2.0/UDP 10.0.0.2;branch=b");
    r.insert(r.find("Max-Forwards"), "Via: SIP/2.0/TCP 10.0.0.3;branch=c\n");
    test::Parsed p(r);
    ASSERT_TRUE(p.ok) << p.m.error();
    from_local(p.m);
    std::string out = build_local_reply(p.m, 200, "OK", {});
    EXPECT_NE(out.find("v: SIP/2.0/UDP 10.0.0.1;branch=a;rport=5096;received=127.0.0.1, "
                       "SIP/2.0/UDP 10.0.0.2;branch=b\r\n"
                       "Via: SIP/2.0/TCP 10.0.0.3;branch=c\r\n"),
              std::string::npos)
        << out;
}

TEST(LocalReply, ToTag) {
    test::Parsed has(request("127.0.0.1:5096;branch=z", "To: <sip:alice@example.com> ;tag=old\n"));
    ASSERT_TRUE(has.ok);
    from_local(has.m);
    LocalReplyOpts o;
    o.to_tag = "new";
    std::string out = build_local_reply(has.m, 200, "OK", o);
    EXPECT_NE(out.find("\r\nTo: <sip:alice@example.com> ;tag=old\r\n"), std::string::npos) << out;
    o.replace_to_tag = true;
    out = build_local_reply(has.m, 200, "OK", o);
    EXPECT_NE(out.find("\r\nTo: <sip:alice@example.com> ;tag=new\r\n"), std::string::npos) << out;
    test::Parsed none(request("127.0.0.1:5096;branch=z", "t: sip:alice@example.com\n"));
    ASSERT_TRUE(none.ok);
    from_local(none.m);
    out = build_local_reply(none.m, 404, "Not Found", {});
    EXPECT_NE(out.find("\r\nt: sip:alice@example.com\r\n"), std::string::npos) << out;
}

TEST(LocalReply, AnswerableAfterParseFailure) {
    // mismatching CSeq: the parser rejects with 400 but keeps the headers.
    std::string r = request("127.0.0.1:5096;branch=z");
    r.replace(r.find("CSeq: 1 INVITE"), 14, "CSeq: 1 BYE");
    test::Parsed p(r);
    ASSERT_FALSE(p.ok);
    ASSERT_EQ(p.m.error_status(), 400);
    from_local(p.m);
    std::string out = build_local_reply(p.m, 400, "Bad Request", {});
    EXPECT_NE(out.find("\r\nCSeq: 1 BYE\r\n"), std::string::npos);
    EXPECT_NE(out.find("\r\nv: SIP/2.0/UDP 127.0.0.1:5096;branch=z\r\n"), std::string::npos);
}

}  // namespace
}  // namespace ser::sip
