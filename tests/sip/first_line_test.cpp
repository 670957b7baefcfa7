#include <gtest/gtest.h>

#include "test_util.hpp"

namespace ser::sip {
namespace {

using test::Parsed;

constexpr const char* kHdrs =
    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\n"
    "From: <sip:a@b>;tag=1\n"
    "To: <sip:c@d>\n"
    "Call-ID: x@y\n"
    "CSeq: 1 %s\n"
    "Content-Length: 0\n"
    "\n";

std::string req(const std::string& line, const std::string& method) {
    char hdrs[512];
    snprintf(hdrs, sizeof hdrs, kHdrs, method.c_str());
    return line + "\n" + hdrs;
}

TEST(FirstLine, Request) {
    Parsed p(req("INVITE sip:alice@example.com SIP/2.0", "INVITE"));
    ASSERT_TRUE(p.ok) << p.m.error();
    EXPECT_TRUE(p.m.is_request());
    EXPECT_EQ(p.m.method(), "INVITE");
    EXPECT_EQ(p.m.method_id(), Method::Invite);
    EXPECT_EQ(p.m.ruri(), "sip:alice@example.com");
    EXPECT_EQ(p.m.ruri_offset(), 7u);
    EXPECT_EQ(p.m.version(), "SIP/2.0");
    EXPECT_EQ(p.m.first_line(), "INVITE sip:alice@example.com SIP/2.0");
    EXPECT_EQ(p.m.current_uri(), p.m.ruri());
}

TEST(FirstLine, MethodIds) {
    const std::pair<const char*, Method> ms[] = {
        {"ACK", Method::Ack},         {"CANCEL", Method::Cancel},   {"BYE", Method::Bye},
        {"REGISTER", Method::Register}, {"OPTIONS", Method::Options}, {"INFO", Method::Info},
        {"UPDATE", Method::Update},   {"PRACK", Method::Prack},     {"SUBSCRIBE", Method::Subscribe},
        {"NOTIFY", Method::Notify},   {"MESSAGE", Method::Message}, {"REFER", Method::Refer},
        {"PUBLISH", Method::Publish}, {"FOO", Method::Other},       {"invite", Method::Invite},
    };
    for (auto [name, id] : ms) {
        Parsed p(req(std::string(name) + " sip:x@y SIP/2.0", name));
        ASSERT_TRUE(p.ok) << name << p.m.error();
        EXPECT_EQ(p.m.method_id(), id) << name;
    }
}

TEST(FirstLine, StatusLine) {
    Parsed p("SIP/2.0 486 Busy Here\nVia: SIP/2.0/UDP 1.2.3.4\n\n");
    ASSERT_TRUE(p.ok) << p.m.error();
    EXPECT_FALSE(p.m.is_request());
    EXPECT_EQ(p.m.status(), 486);
    EXPECT_EQ(p.m.status_text(), "486");
    EXPECT_EQ(p.m.reason(), "Busy Here");
    EXPECT_EQ(p.m.method(), "");
}

TEST(FirstLine, BadStatusCodesAreDropped) {
    for (const char* l : {"SIP/2.0 99 x", "SIP/2.0 700 x", "SIP/2.0 2000 x", "SIP/2.0 20a x",
                          "SIP/2.0", "SIP/3.0 200 OK", "SIP/2.0  200 OK"}) {
        Parsed p(std::string(l) + "\nVia: SIP/2.0/UDP 1.2.3.4\n\n");
        EXPECT_FALSE(p.ok) << l;
        EXPECT_EQ(p.m.error_status(), 0) << l;   // replies are never answered
    }
    Parsed ok("SIP/2.0 180\nVia: SIP/2.0/UDP 1.2.3.4\n\n");   // missing reason tolerated
    EXPECT_TRUE(ok.ok);
}

TEST(FirstLine, StrictRequestLine) {
    const char* bad[] = {
        "INVITE  sip:a@b SIP/2.0",     // two SP
        "INVITE sip:a@b  SIP/2.0",     // two SP
        "INVITE sip:a@b SIP/2.0 ",     // trailing SP
        "INVITE <sip:a@b> SIP/2.0",    // <> around URI
        "INVITE sip:a@b;x y SIP/2.0",  // LWS in URI
        "INVITE sip:a@b",              // no version
        "INVITE\tsip:a@b SIP/2.0",     // HT as separator
        "INV@TE sip:a@b SIP/2.0",      // non-token method
        "INVITE sip:a@b SIP/2.0x",     // garbage version
        "INVITE sip:a@b?h=v SIP/2.0",  // headers in a SIP Request-URI
        "INVITE sip: SIP/2.0",         // bad URI
    };
    for (const char* l : bad) {
        Parsed p(req(l, "INVITE"));
        EXPECT_FALSE(p.ok) << l;
        EXPECT_EQ(p.m.error_status(), 400) << l;
    }
}

TEST(FirstLine, OtherVersionIs505) {
    Parsed p(req("OPTIONS sip:a@b SIP/3.0", "OPTIONS"));
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(p.m.error_status(), 505);
    ASSERT_TRUE(p.m.via1());   // answerable: headers were scanned
}

TEST(FirstLine, LeadingCrlfSkippedAndBareLf) {
    std::string s = "\r\n\r\n" + test::crlf(req("OPTIONS sip:a@b SIP/2.0", "OPTIONS"));
    Msg m;
    ASSERT_TRUE(m.parse(s.data(), s.size())) << m.error();
    EXPECT_EQ(m.start_offset(), 4u);
    EXPECT_EQ(m.method(), "OPTIONS");
    Parsed lf(req("OPTIONS sip:a@b SIP/2.0", "OPTIONS"), false);   // bare LF line ends
    ASSERT_TRUE(lf.ok) << lf.m.error();
    EXPECT_EQ(lf.m.call_id(), "x@y");
    EXPECT_EQ(lf.m.first_line(), "OPTIONS sip:a@b SIP/2.0");
}

TEST(FirstLine, GarbageRejected) {
    const std::string bad[] = {
        std::string(""),
        std::string("\r\n\r\n"),
        std::string("hello"),
        std::string("INVITE sip:a@b SIP/2.0"),   // no line end
        std::string("\x01\x02\x03\xff\n\n", 6),
        std::string("INVITE sip:a@b\0 SIP/2.0\n\n", 25),
    };
    for (const auto& b : bad) {
        std::string copy = b;
        Msg m;
        EXPECT_FALSE(m.parse(copy.data(), copy.size()));
    }
    std::string big(kMaxMessageSize + 1, 'a');
    Msg m;
    EXPECT_FALSE(m.parse(big.data(), big.size()));
    EXPECT_STREQ(m.error(), "message too large");
}

}  // namespace
}  // namespace ser::sip
