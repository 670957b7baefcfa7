#include <gtest/gtest.h>

#include <string>

#include "ser/sip/msg.hpp"
#include "ser/sip/sdp.hpp"

using namespace ser::sip;

namespace {

std::string with_body(const std::string& ct, const std::string& body) {
    return "INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK-s\r\n"
           "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: s1\r\nCSeq: 1 INVITE\r\n" +
           (ct.empty() ? std::string() : "Content-Type: " + ct + "\r\n") +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

const char* kSdp =
    "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
    "m=video 5000/2 RTP/AVP 31\r\nc=IN IP4 10.0.0.6\r\na=nortpproxy:yes\r\n";

}  // namespace

TEST(Sdp, ConnectionsMediaPortsAndOffsets) {
    std::string text = with_body("application/sdp", kSdp);
    Msg m;
    ASSERT_TRUE(m.parse(text.data(), text.size()));
    Sdp s;
    ASSERT_TRUE(parse_sdp(m, s));
    ASSERT_TRUE(s.connection);
    EXPECT_EQ(s.connection->address, "10.0.0.5");
    EXPECT_EQ(text.substr(s.connection->address_offset, 8), "10.0.0.5");
    ASSERT_EQ(s.media.size(), 2u);
    EXPECT_EQ(s.media[0].media, "audio");
    EXPECT_EQ(s.media[0].port, 4000);
    EXPECT_EQ(text.substr(s.media[0].port_offset, 4), "4000");
    EXPECT_EQ(s.media[0].formats, "0 8");
    EXPECT_EQ(s.media[1].port, 5000);
    EXPECT_EQ(s.media[1].port_text, "5000");
    EXPECT_EQ(s.connection_for(0)->address, "10.0.0.5");
    EXPECT_EQ(s.connection_for(1)->address, "10.0.0.6");
    EXPECT_EQ(s.attribute("sendrecv", 0).value(), "");
    EXPECT_EQ(s.attribute("rtpmap", 0).value(), "0 PCMU/8000");
    EXPECT_EQ(s.attribute("nortpproxy", 1).value(), "yes");
    EXPECT_FALSE(s.attribute("nortpproxy", 0));
    EXPECT_FALSE(s.attribute("nortpproxy"));
}

TEST(Sdp, NotSdpOrMalformed) {
    Sdp s;
    std::string text = with_body("text/plain", kSdp);
    Msg m;
    ASSERT_TRUE(m.parse(text.data(), text.size()));
    EXPECT_FALSE(parse_sdp(m, s));
    EXPECT_FALSE(parse_sdp_text("o=missing v\r\n", s));
    EXPECT_FALSE(parse_sdp_text("v=0\r\nm=audio x RTP/AVP 0\r\n", s));
    EXPECT_FALSE(parse_sdp_text("v=0\r\nc=IN\r\n", s));
    EXPECT_FALSE(parse_sdp_text("v=0\r\nm=audio 70000 RTP/AVP 0\r\n", s));
    EXPECT_TRUE(parse_sdp_text("v=0\nc=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\n", s));  // bare LF
    EXPECT_EQ(s.media.at(0).port, 1);
}
