// nathelper's pure parts: the SDP edits of fix_nated_sdp and
// force_rtp_proxy, the proxy's answer, force_rtp_proxy's flag letters and
// the rtpproxy_sock list (modules.md §12.5, §12.6, §12.8).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

#include "modules/nathelper/nathelper.hpp"
#include "modules/nathelper/rtpp_set.hpp"
#include "modules/nathelper/sdp_rewrite.hpp"
#include "tests/fakes/fake_core.hpp"

namespace ser::mod::nathelper {
namespace {

// The body with the edits applied (offsets relative to the text).
std::string applied(const std::string& text, std::vector<Edit> edits) {
    std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.offset < b.offset; });
    std::string out;
    uint32_t pos = 0;
    for (const auto& e : edits) {
        EXPECT_GE(e.offset, pos) << "overlapping edits";
        out.append(text, pos, e.offset - pos);
        out += e.text;
        pos = e.offset + e.len;
    }
    out.append(text, pos);
    return out;
}

struct Parsed {
    std::string text;
    sip::Sdp sdp;
    BodyEnd end;
    explicit Parsed(std::string t) : text(std::move(t)) {
        EXPECT_TRUE(sip::parse_sdp_text(text, sdp));
        end = {uint32_t(text.size()), !text.empty() && text.back() == '\n'};
    }
};

const std::string kSdp =
    "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

TEST(FixNatedSdp, ReplacesAddressesAndKeepsTheOldOne) {
    Parsed p(kSdp);
    std::vector<Edit> e;
    ASSERT_TRUE(plan_fix_nated_sdp(p.sdp, p.end, 2, "203.0.113.5", e));
    EXPECT_EQ(applied(p.text, e),
              "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
              "a=oldmediaip:10.0.0.5\r\n");
}

TEST(FixNatedSdp, FlagsOneAndFour) {
    Parsed p(kSdp);
    std::vector<Edit> e;
    ASSERT_TRUE(plan_fix_nated_sdp(p.sdp, p.end, 1 | 4, "203.0.113.5", e));
    EXPECT_EQ(applied(p.text, e), kSdp + "a=direction:active\r\na=nortpproxy:yes\r\n");
}

TEST(FixNatedSdp, NullAndEqualAddressesStayAndMixedFamiliesFail) {
    Parsed hold("v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 203.0.113.5\r\n");
    std::vector<Edit> e;
    ASSERT_TRUE(plan_fix_nated_sdp(hold.sdp, hold.end, 2, "203.0.113.5", e));
    EXPECT_TRUE(e.empty());
    Parsed mixed("v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP6 fd00::1\r\n");
    EXPECT_FALSE(plan_fix_nated_sdp(mixed.sdp, mixed.end, 2, "203.0.113.5", e));
    Parsed v6("v=0\r\nc=IN IP6 fd00::1\r\nm=audio 4000 RTP/AVP 0\r\n");
    e.clear();
    ASSERT_TRUE(plan_fix_nated_sdp(v6.sdp, v6.end, 2, "203.0.113.5", e));   // not IPv4: nothing, still true
    EXPECT_TRUE(e.empty());
}

TEST(FixNatedSdp, BodyWithoutFinalLineEnd) {
    Parsed p("v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 0");
    std::vector<Edit> e;
    ASSERT_TRUE(plan_fix_nated_sdp(p.sdp, p.end, 1, "", e));
    EXPECT_EQ(applied(p.text, e), p.text + "\r\na=direction:active\r\n");
}

TEST(MediaStreams, NumberedAcrossTheBodyWithTheirConnection) {
    Parsed p("v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n"
             "m=image 4004 udptl t38\r\nc=IN IP4 10.0.0.6/127\r\n");
    std::vector<Stream> s;
    std::string why;
    ASSERT_TRUE(media_streams(p.sdp, s, why)) << why;
    ASSERT_EQ(s.size(), 2u);   // the disabled video stream (port 0) is left alone
    EXPECT_EQ(s[0].number, 1u);
    EXPECT_EQ(s[0].address, "10.0.0.5");
    EXPECT_EQ(s[1].number, 3u);
    EXPECT_EQ(s[1].address, "10.0.0.6");   // without the multicast /ttl
}

TEST(MediaStreams, RefusesWhatCannotBeRelayed) {
    std::vector<Stream> s;
    std::string why;
    Parsed no_c("v=0\r\nm=audio 4000 RTP/AVP 0\r\n");
    EXPECT_FALSE(media_streams(no_c.sdp, s, why));
    Parsed srtp("v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/SAVP 0\r\n");
    EXPECT_FALSE(media_streams(srtp.sdp, s, why));
    Parsed atm("v=0\r\nc=ATM NSAP 47.0091\r\nm=audio 4000 RTP/AVP 0\r\n");
    EXPECT_FALSE(media_streams(atm.sdp, s, why));
    Parsed none("v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 0 RTP/AVP 0\r\n");
    EXPECT_FALSE(media_streams(none.sdp, s, why));
}

TEST(RtpRewrite, SharedConnectionRewrittenOnceAndMarked) {
    Parsed p("v=0\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 31\r\n");
    std::vector<Stream> s;
    std::string why;
    ASSERT_TRUE(media_streams(p.sdp, s, why));
    std::vector<ProxyAnswer> a(2);
    ASSERT_TRUE(parse_proxy_answer("35000 192.0.2.50", a[0]));
    ASSERT_TRUE(parse_proxy_answer("35002 192.0.2.50\n", a[1]));
    std::vector<Edit> e;
    plan_rtp_rewrite(p.sdp, s, a, "127.0.0.1", false, false, p.end, e);
    EXPECT_EQ(applied(p.text, e), "v=0\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\nm=audio 35000 RTP/AVP 0\r\n"
                                  "m=video 35002 RTP/AVP 31\r\na=nortpproxy:yes\r\n");
}

TEST(RtpRewrite, HoldFallbackAndFamilyChange) {
    Parsed hold("v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n");
    std::vector<Stream> s;
    std::string why;
    ASSERT_TRUE(media_streams(hold.sdp, s, why));
    std::vector<ProxyAnswer> a(1);
    ASSERT_TRUE(parse_proxy_answer("35000", a[0]));
    std::vector<Edit> e;
    plan_rtp_rewrite(hold.sdp, s, a, "10.9.9.9", false, true, hold.end, e);
    EXPECT_EQ(applied(hold.text, e), "v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 35000 RTP/AVP 0\r\n");

    Parsed v6("v=0\r\nc=IN IP6 fd00::5\r\nm=audio 4000 RTP/AVP 0\r\n");
    ASSERT_TRUE(media_streams(v6.sdp, s, why));
    ASSERT_TRUE(parse_proxy_answer("35000 192.0.2.50", a[0]));
    e.clear();
    plan_rtp_rewrite(v6.sdp, s, a, "", false, true, v6.end, e);
    EXPECT_EQ(applied(v6.text, e), "v=0\r\nc=IN IP4 192.0.2.50\r\nm=audio 35000 RTP/AVP 0\r\n");

    Parsed v4(kSdp);
    ASSERT_TRUE(media_streams(v4.sdp, s, why));
    ASSERT_TRUE(parse_proxy_answer("35000 2001:db8::50 6", a[0]));
    EXPECT_TRUE(a[0].v6);
    e.clear();
    plan_rtp_rewrite(v4.sdp, s, a, "", false, true, v4.end, e);
    EXPECT_NE(applied(v4.text, e).find("c=IN IP6 2001:db8::50\r\n"), std::string::npos);
}

TEST(ProxyAnswer, PortMustBeValid) {
    ProxyAnswer a;
    EXPECT_FALSE(parse_proxy_answer("E8", a));
    EXPECT_FALSE(parse_proxy_answer("0", a));
    EXPECT_FALSE(parse_proxy_answer("65536", a));
    EXPECT_FALSE(parse_proxy_answer("", a));
    EXPECT_FALSE(parse_proxy_answer("35000x", a));
    ASSERT_TRUE(parse_proxy_answer("  40000 127.0.0.1 4\n", a));   // rtpengine's form
    EXPECT_EQ(a.port, 40000);
    EXPECT_EQ(a.address, "127.0.0.1");
    EXPECT_FALSE(a.v6);
}

TEST(ForceFlags, Letters) {
    ForceFlags f;
    ASSERT_TRUE(parse_force_flags("aIe l", f));
    EXPECT_TRUE(f.asymmetric);
    EXPECT_TRUE(f.lookup_only);
    EXPECT_EQ(f.iface, "IE");
    ASSERT_TRUE(parse_force_flags("frn12", f));
    EXPECT_TRUE(f.force);
    EXPECT_TRUE(f.trust_sdp);
    EXPECT_EQ(f.node, 12);
    EXPECT_FALSE(parse_force_flags("x", f));
    EXPECT_EQ(f.invalid, "unknown option 'x'");
    EXPECT_FALSE(parse_force_flags("n", f));
}

TEST(RtpproxySock, EntriesWeightsAndErrors) {
    test::FakeCore core;
    std::vector<std::unique_ptr<RtppNode>> n;
    std::string err;
    ASSERT_TRUE(parse_rtpproxy_sock(core, " udp:127.0.0.1:7890=2\tunix:/var/run/rtpp.sock /tmp/bare.sock udp:10.0.0.1 ",
                                    n, err))
        << err;
    ASSERT_EQ(n.size(), 4u);
    EXPECT_EQ(n[0]->kind, RtppNode::Kind::Udp);
    EXPECT_EQ(n[0]->weight, 2u);
    EXPECT_EQ(ntohs(reinterpret_cast<sockaddr_in&>(n[0]->addr).sin_port), 7890);
    EXPECT_EQ(n[1]->path, "/var/run/rtpp.sock");
    EXPECT_EQ(n[2]->path, "/tmp/bare.sock");
    EXPECT_EQ(ntohs(reinterpret_cast<sockaddr_in&>(n[3]->addr).sin_port), 22222);
    n.clear();
    EXPECT_FALSE(parse_rtpproxy_sock(core, "udp:127.0.0.1:0", n, err));
    EXPECT_FALSE(parse_rtpproxy_sock(core, "unix:/x=0", n, err));
    EXPECT_FALSE(parse_rtpproxy_sock(core, "udp:no.such.host.invalid", n, err));
    EXPECT_FALSE(parse_rtpproxy_sock(core, "   ", n, err));
    n.clear();
    ASSERT_TRUE(parse_rtpproxy_sock(core, "udp6:[::1]:22223", n, err)) << err;
    EXPECT_EQ(n[0]->kind, RtppNode::Kind::Udp6);
}

}  // namespace
}  // namespace ser::mod::nathelper
