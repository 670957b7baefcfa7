// The core's SIP counters, and the metrics_listen setting, through the real
// config loader and server (messages in, recorded sends out).
#include <gtest/gtest.h>

#include "runtime/metrics/sip_meters.hpp"
#include "tests/script/harness.hpp"

using namespace ser;
using namespace ser::test;

namespace {

double value(rt::Server& s, const std::string& name, const metrics::Labels& values = {}) {
    for (const auto& f : s.metrics().snapshot())
        if (f.name == name)
            for (const auto& v : f.series)
                if (v.values == values) return v.value;
    return -1;
}

std::string reply_200() {
    return "SIP/2.0 200 OK\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5096;branch=z9hG4bK-1\r\n"
           "From: <sip:bob@example.org>;tag=1\r\nTo: <sip:alice@example.com>;tag=2\r\n"
           "Call-ID: c1@127.0.0.1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
}

}  // namespace

TEST(SipMeters, ReceivedAndSentByMethodAndClass) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("forward(127.0.0.1, 5098);"))) << h.errors;
    EXPECT_EQ(value(h.server, "ser_sip_received_requests_total", {"INVITE"}), 0);   // present from the start
    h.receive(invite());
    h.receive(invite());
    h.receive(reply_200(), "127.0.0.1", 5098);
    ASSERT_EQ(h.tx.sent.size(), 3u);
    EXPECT_EQ(value(h.server, "ser_sip_received_requests_total", {"INVITE"}), 2);
    EXPECT_EQ(value(h.server, "ser_sip_received_requests_total", {"BYE"}), 0);
    EXPECT_EQ(value(h.server, "ser_sip_received_replies_total", {"2xx"}), 1);
    EXPECT_EQ(value(h.server, "ser_sip_sent_requests_total", {"INVITE"}), 2);
    EXPECT_EQ(value(h.server, "ser_sip_sent_replies_total", {"2xx"}), 1);
}

TEST(SipMeters, LocalRepliesMalformedAndUnknownMethods) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("forward(127.0.0.1, 5098);"))) << h.errors;
    h.receive("garbage that is no SIP message at all\r\n\r\n");
    EXPECT_EQ(value(h.server, "ser_sip_received_malformed_total"), 1);
    // A request with a bad version is answered 505 by the core.
    std::string bad = invite();
    bad.replace(bad.find("SIP/2.0\r\n"), 7, "SIP/3.0");
    h.receive(bad);
    EXPECT_EQ(value(h.server, "ser_sip_received_malformed_total"), 2);
    EXPECT_EQ(value(h.server, "ser_sip_sent_replies_total", {"5xx"}), 1);
    std::string odd = invite();
    odd.replace(0, 6, "FOOBAR");
    odd.replace(odd.find("CSeq: 1 INVITE"), 14, "CSeq: 1 FOOBAR");
    h.receive(odd);
    EXPECT_EQ(value(h.server, "ser_sip_received_requests_total", {"OTHER"}), 1);
    EXPECT_EQ(value(h.server, "ser_sip_sent_requests_total", {"OTHER"}), 1);
}

TEST(SipMeters, MethodLabels) {
    EXPECT_EQ(metrics::SipMeters::method_label(sip::Method::Invite), "INVITE");
    EXPECT_EQ(metrics::SipMeters::method_label(sip::Method::Publish), "PUBLISH");
    EXPECT_EQ(metrics::SipMeters::method_label(sip::Method::Other), "OTHER");
}

TEST(MetricsSetting, AcceptedAndOffByDefault) {
    Harness off;
    ASSERT_TRUE(off.load(base_cfg("break;"))) << off.errors;
    EXPECT_EQ(off.server.settings().metrics_listen, "");
    Harness on;
    ASSERT_TRUE(on.load(base_cfg("break;", "metrics_listen = \"127.0.0.1:9464\"\n"))) << on.errors;
    EXPECT_EQ(on.server.settings().metrics_listen, "127.0.0.1:9464");
}

TEST(MetricsSetting, BadValueIsAConfigErrorWithItsPlace) {
    Harness h;
    EXPECT_FALSE(h.load(base_cfg("break;", "metrics_listen = \"localhost:9464\"\n")));
    EXPECT_NE(h.errors.find("test.cfg:3:18: error: metrics_listen: 'localhost' is not an IP address"),
              std::string::npos) << h.errors;
    Harness p;
    EXPECT_FALSE(p.load(base_cfg("break;", "metrics_listen = \"127.0.0.1:99999\"\n")));
    EXPECT_NE(p.errors.find("port '99999' is not a number from 1 to 65535"), std::string::npos) << p.errors;
    Harness n;
    EXPECT_FALSE(n.load(base_cfg("break;", "metrics_listen = 9090\n")));   // a string, in quotes
    EXPECT_NE(n.errors.find("a string value"), std::string::npos) << n.errors;
}

TEST(MetricsSetting, EndsAListenListLikeEveryKeyword) {
    // A listen= line takes every address that follows; a keyword ends it.
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099\nmetrics_listen=\"127.0.0.1:9464\"\nloadmodule \"M.so\"\n"
                       "route{ break; }\n")) << h.errors;
    EXPECT_EQ(h.server.settings().metrics_listen, "127.0.0.1:9464");
    EXPECT_EQ(h.server.sockets().size(), 1u);
}
