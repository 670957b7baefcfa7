#include <gtest/gtest.h>

#include "test_util.hpp"

namespace ser::sip {
namespace {

using test::Parsed;

TEST(HeaderType, LongCompactAndCase) {
    EXPECT_EQ(header_type("Via"), HdrType::Via);
    EXPECT_EQ(header_type("vIA"), HdrType::Via);
    EXPECT_EQ(header_type("v"), HdrType::Via);
    EXPECT_EQ(header_type("V"), HdrType::Via);
    EXPECT_EQ(header_type("f"), HdrType::From);
    EXPECT_EQ(header_type("t"), HdrType::To);
    EXPECT_EQ(header_type("i"), HdrType::CallId);
    EXPECT_EQ(header_type("call-id"), HdrType::CallId);
    EXPECT_EQ(header_type("m"), HdrType::Contact);
    EXPECT_EQ(header_type("l"), HdrType::ContentLength);
    EXPECT_EQ(header_type("c"), HdrType::ContentType);
    EXPECT_EQ(header_type("k"), HdrType::Supported);
    EXPECT_EQ(header_type("s"), HdrType::Subject);
    EXPECT_EQ(header_type("e"), HdrType::ContentEncoding);
    EXPECT_EQ(header_type("o"), HdrType::Event);
    EXPECT_EQ(header_type("u"), HdrType::AllowEvents);
    EXPECT_EQ(header_type("r"), HdrType::ReferTo);
    EXPECT_EQ(header_type("MAX-FORWARDS"), HdrType::MaxForwards);
    EXPECT_EQ(header_type("record-route"), HdrType::RecordRoute);
    EXPECT_EQ(header_type("Proxy-Authorization"), HdrType::ProxyAuthorization);
    EXPECT_EQ(header_type("www-authenticate"), HdrType::WwwAuthenticate);
    EXPECT_EQ(header_type("User-Agent"), HdrType::UserAgent);
    EXPECT_EQ(header_type("C%6Fntact"), HdrType::Other);
    EXPECT_EQ(header_type("X-Foo"), HdrType::Other);
    EXPECT_EQ(header_type("q"), HdrType::Other);
    EXPECT_EQ(header_type(""), HdrType::Other);
    // every kind round-trips through its canonical name
    for (size_t i = 1; i < kHdrTypeCount; ++i) {
        auto t = static_cast<HdrType>(i);
        EXPECT_EQ(header_type(header_name(t)), t) << header_name(t);
    }
}

constexpr const char* kInvite =
    "INVITE sip:bob@example.com SIP/2.0\n"
    "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\n"
    "Max-Forwards : 70\n"
    "f:\t\"Alice\" <sip:alice@example.com>;tag=a1\n"
    "t: <sip:bob@example.com>\n"
    "i: abc@10.0.0.1\n"
    "CSeq: 1\n"
    "  INVITE\n"
    "Route: <sip:p1.example.com;lr>,\n"
    " <sip:p2.example.com;lr>\n"
    "Route: <sip:p3.example.com;lr>\n"
    "X-Custom:   spaced value   \n"
    "c: application/sdp\n"
    "l: 4\n"
    "\n"
    "v=0\n";

TEST(Headers, CompactFoldingAndLws) {
    Parsed p(kInvite);
    ASSERT_TRUE(p.ok) << p.m.error();
    const Msg& m = p.m;
    EXPECT_EQ(m.headers().size(), 11u);
    EXPECT_EQ(m.headers()[0].type, HdrType::Via);
    EXPECT_EQ(m.headers()[0].name, "v");
    EXPECT_EQ(m.header(HdrType::MaxForwards)->name, "Max-Forwards");
    EXPECT_EQ(m.header(HdrType::MaxForwards)->value, "70");
    EXPECT_EQ(*m.max_forwards_raw(), 70);
    EXPECT_EQ(m.from()->display, "\"Alice\"");
    EXPECT_EQ(m.call_id(), "abc@10.0.0.1");
    EXPECT_EQ(m.cseq()->num, 1u);
    EXPECT_EQ(m.cseq()->method_id, Method::Invite);
    const HeaderField* cs = m.header(HdrType::CSeq);
    EXPECT_EQ(cs->value, "1\r\n  INVITE");
    EXPECT_EQ(m.buffer().substr(cs->offset, cs->length), "CSeq: 1\r\n  INVITE\r\n");
    EXPECT_EQ(m.header("x-custom")->value, "spaced value");
    EXPECT_EQ(m.header("Content-Length"), m.header(HdrType::ContentLength));
    EXPECT_EQ(m.header("l"), m.header(HdrType::ContentLength));
    EXPECT_EQ(m.header("X-Missing"), nullptr);
    EXPECT_EQ(*m.content_length(), 4u);
    EXPECT_EQ(m.body(), "v=0\r");   // Content-Length 4 of "v=0\r\n"
    EXPECT_EQ(m.headers_end() + 2, m.body_offset());
    EXPECT_EQ(m.buffer().substr(m.headers_end(), 2), "\r\n");
}

TEST(Headers, MultiValueAndNextHeader) {
    Parsed p(kInvite);
    ASSERT_TRUE(p.ok);
    const HeaderField* r = p.m.header(HdrType::Route);
    ASSERT_TRUE(r);
    std::vector<NameAddr> routes;
    ASSERT_TRUE(parse_name_addr_list(r->value, routes));
    const HeaderField* r2 = p.m.next_header(r);
    ASSERT_TRUE(r2);
    ASSERT_TRUE(parse_name_addr_list(r2->value, routes));
    ASSERT_EQ(routes.size(), 3u);
    EXPECT_EQ(routes[1].uri, "sip:p2.example.com;lr");
    EXPECT_EQ(p.m.next_header(r2), nullptr);
    EXPECT_EQ(p.m.header_count(HdrType::Route), 2u);
}

std::string base(const std::string& extra, const std::string& body = "") {
    return "OPTIONS sip:a@b SIP/2.0\n"
           "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\n"
           "From: <sip:a@b>;tag=1\n"
           "To: <sip:c@d>\n"
           "Call-ID: x@y\n"
           "CSeq: 1 OPTIONS\n" +
           extra + "\n" + body;
}

TEST(Headers, SingleValuedHeadersOnce) {
    for (const char* dup : {"To: <sip:e@f>\n", "From: <sip:e@f>;tag=2\n", "i: z@y\n",
                            "CSeq: 2 OPTIONS\n", "Max-Forwards: 1\nMax-Forwards: 2\n",
                            "l: 0\nContent-Length: 0\n"}) {
        Parsed p(base(dup));
        EXPECT_FALSE(p.ok) << dup;
        EXPECT_EQ(p.m.error_status(), 400);
    }
    Parsed two_values(base("").replace(base("").find("To: <sip:c@d>"), 13,
                                      "To: <sip:c@d>, <sip:e@f>"));
    EXPECT_FALSE(two_values.ok);
    Parsed cid("OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h\nFrom: <sip:a@b>\nTo: <sip:c@d>\n"
               "Call-ID: a b\nCSeq: 1 OPTIONS\n\n");
    EXPECT_FALSE(cid.ok);
}

TEST(Headers, RequiredHeaders) {
    const char* names[] = {"Via:", "From:", "To:", "Call-ID:", "CSeq:"};
    for (const char* n : names) {
        std::string s = base("");
        size_t at = s.find(n);
        s.erase(at, s.find('\n', at) - at + 1);
        Parsed p(s);
        EXPECT_FALSE(p.ok) << n;
        EXPECT_EQ(p.m.error_status(), 400) << n;
    }
    // Max-Forwards is not required (RFC 2543 clients, RFC 4475 inv2543)
    Parsed ok(base(""));
    EXPECT_TRUE(ok.ok) << ok.m.error();
    // replies only need a Via
    Parsed r("SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n\n");
    EXPECT_TRUE(r.ok) << r.m.error();
}

TEST(Headers, ContentLengthDelimitsTheMessage) {
    Parsed p(base("Content-Length: 5\n", "hello world"));
    ASSERT_TRUE(p.ok) << p.m.error();
    EXPECT_EQ(p.m.body(), "hello");
    EXPECT_EQ(p.m.length(), p.m.body_offset() + 5u);
    Parsed none(base("", "hello world"));
    ASSERT_TRUE(none.ok);
    EXPECT_EQ(none.m.body(), "hello world");
    EXPECT_FALSE(none.m.content_length());
    for (const char* cl : {"Content-Length: 12\n", "Content-Length: -1\n", "Content-Length: 1x\n",
                           "Content-Length:\n", "Content-Length: 99999999999\n"}) {
        Parsed bad(base(cl, "hello world"));
        EXPECT_FALSE(bad.ok) << cl;
    }
}

TEST(Headers, MalformedLines) {
    for (const char* extra : {"NoColonHere\n", ": novalue\n", "Bad Name: x\n", "X(y): z\n"}) {
        Parsed p(base(extra));
        EXPECT_FALSE(p.ok) << extra;
    }
    // continuation before any header
    Parsed c("OPTIONS sip:a@b SIP/2.0\n folded\nVia: SIP/2.0/UDP h\n\n");
    EXPECT_FALSE(c.ok);
    // truncated: no empty line
    std::string t = test::crlf(base(""));
    t.resize(t.size() - 2);
    Msg m;
    EXPECT_FALSE(m.parse(t.data(), t.size()));
    EXPECT_EQ(m.error_status(), 400);
}

TEST(Headers, TooManyHeaders) {
    std::string extra;
    for (size_t i = 0; i < kMaxHeaders; ++i) extra += "X: y\n";
    Parsed p(base(extra));
    EXPECT_FALSE(p.ok);
    EXPECT_STREQ(p.m.error(), "too many header fields");
}

TEST(Headers, ResetKeepsCapacityAndClone) {
    Parsed p(base("Content-Length: 5\n", "helloEXTRA"));
    ASSERT_TRUE(p.ok);
    Msg& m = p.m;
    m.flags = 6;
    m.new_uri = "sip:new@example.net";
    m.uri_changed();
    m.branches.push_back({"sip:b@c", "", 500});
    m.lumps.insert(0, "X");
    m.force_rport = true;
    auto c = m.clone();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->parse_result(), Msg::ParseResult::Ok);
    EXPECT_NE(c->data(), m.data());
    EXPECT_EQ(c->buffer(), m.buffer());
    EXPECT_EQ(c->body(), "hello");
    EXPECT_EQ(c->call_id(), "x@y");
    EXPECT_EQ(c->flags, 6u);
    EXPECT_EQ(c->current_uri(), "sip:new@example.net");
    EXPECT_EQ(c->parsed_uri()->user, "new");
    EXPECT_EQ(c->branches.size(), 1u);
    EXPECT_EQ(c->lumps.size(), 1u);
    EXPECT_TRUE(c->force_rport);

    size_t cap = m.headers().capacity();
    m.reset();
    EXPECT_EQ(m.headers().size(), 0u);
    EXPECT_EQ(m.headers().capacity(), cap);
    EXPECT_EQ(m.flags, 0u);
    EXPECT_TRUE(m.new_uri.empty());
    EXPECT_TRUE(m.lumps.empty());
    EXPECT_EQ(m.via1(), nullptr);
    // the clone outlives the original buffer
    p.buf.assign(p.buf.size(), 'z');
    EXPECT_EQ(c->from()->uri, "sip:a@b");
}

TEST(Headers, ParsedUriFollowsNewUri) {
    Parsed p(base(""));
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.m.parsed_uri()->user, "a");
    p.m.new_uri = "sip:x@y.example";
    EXPECT_EQ(p.m.parsed_uri()->host, "y.example");   // location changed: noticed
    p.m.new_uri = "sip:zz@y.example";
    p.m.uri_changed();
    EXPECT_EQ(p.m.parsed_uri()->user, "zz");
    p.m.new_uri = "garbage";
    p.m.uri_changed();
    EXPECT_EQ(p.m.parsed_uri(), nullptr);
}

TEST(Headers, RoutingStateSurvivesParse) {
    // The transport may fill rcv before parse().
    std::string s = test::crlf(base(""));
    Msg m;
    IpAddr::parse("192.0.2.1", m.rcv.src_ip);
    m.rcv.src_port = 5096;
    ASSERT_TRUE(m.parse(s.data(), s.size()));
    EXPECT_EQ(m.rcv.src_port, 5096);
    EXPECT_EQ(m.rcv.src_ip.to_string(), "192.0.2.1");
}

}  // namespace
}  // namespace ser::sip
