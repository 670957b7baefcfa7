// The Prometheus text format (version 0.0.4) as the registry renders it.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/metrics/exposition.hpp"
#include "runtime/metrics/listen_address.hpp"

using namespace ser::metrics;

TEST(MetricsText, CounterGaugeAndLabels) {
    Registry r;
    r.counter("ser_req_total", "Requests, by method", {"method"}, {"INVITE"}).inc(3);
    r.counter("ser_req_total", "Requests, by method", {"method"}, {"BYE"});
    r.gauge("ser_open", "Open things").add(-2);
    EXPECT_EQ(r.render(),
              "# HELP ser_open Open things\n"
              "# TYPE ser_open gauge\n"
              "ser_open -2\n"
              "# HELP ser_req_total Requests, by method\n"
              "# TYPE ser_req_total counter\n"
              "ser_req_total{method=\"BYE\"} 0\n"
              "ser_req_total{method=\"INVITE\"} 3\n");
}

TEST(MetricsText, EscapesHelpAndLabelValues) {
    Registry r;
    r.collect(Type::Gauge, "node_up", "a \\ and\na newline", {"node", "kind"}, [](std::vector<Sample>& out) {
        out.push_back({{"say \"hi\"\\", "x\ny"}, 1});
    });
    EXPECT_EQ(r.render(),
              "# HELP node_up a \\\\ and\\na newline\n"
              "# TYPE node_up gauge\n"
              "node_up{node=\"say \\\"hi\\\"\\\\\",kind=\"x\\ny\"} 1\n");
}

TEST(MetricsText, Histogram) {
    Registry r;
    Histogram h = r.histogram("db_seconds", "Query time", {0.005, 0.5}, {"driver"}, {"sqlite"});
    h.observe(0.00390625);
    h.observe(0.25);
    h.observe(3);
    EXPECT_EQ(r.render(),
              "# HELP db_seconds Query time\n"
              "# TYPE db_seconds histogram\n"
              "db_seconds_bucket{driver=\"sqlite\",le=\"0.005\"} 1\n"
              "db_seconds_bucket{driver=\"sqlite\",le=\"0.5\"} 2\n"
              "db_seconds_bucket{driver=\"sqlite\",le=\"+Inf\"} 3\n"
              "db_seconds_sum{driver=\"sqlite\"} 3.25390625\n"
              "db_seconds_count{driver=\"sqlite\"} 3\n");
}

TEST(MetricsText, HistogramWithoutLabels) {
    Registry r;
    r.histogram("t_seconds", "h", {1}).observe(0.5);
    EXPECT_EQ(r.render(),
              "# HELP t_seconds h\n# TYPE t_seconds histogram\n"
              "t_seconds_bucket{le=\"1\"} 1\nt_seconds_bucket{le=\"+Inf\"} 1\n"
              "t_seconds_sum 0.5\nt_seconds_count 1\n");
}

TEST(MetricsText, Values) {
    EXPECT_EQ(format_value(0), "0");
    EXPECT_EQ(format_value(12345678901234.0), "12345678901234");
    EXPECT_EQ(format_value(-3), "-3");
    EXPECT_EQ(format_value(0.25), "0.25");
    EXPECT_EQ(format_value(INFINITY), "+Inf");
    EXPECT_EQ(format_value(-INFINITY), "-Inf");
    EXPECT_EQ(format_value(NAN), "NaN");
    EXPECT_EQ(format_value(1e300), "1e+300");
}

TEST(MetricsListenAddress, Accepted) {
    ListenAddress a;
    std::string e;
    ASSERT_TRUE(parse_listen_address("127.0.0.1:9090", a, e)) << e;
    EXPECT_EQ(a.ip.to_string(), "127.0.0.1");
    EXPECT_EQ(a.port, 9090);
    ASSERT_TRUE(parse_listen_address("[::1]:9100", a, e)) << e;
    EXPECT_TRUE(a.ip.is_v6());
    EXPECT_EQ(a.port, 9100);
    ASSERT_TRUE(parse_listen_address("0.0.0.0:65535", a, e)) << e;
}

TEST(MetricsListenAddress, Refused) {
    ListenAddress a;
    std::string e;
    for (const char* bad : {"", "9090", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                            "127.0.0.1:90a", "localhost:9090", "::1:9090", "[::1]9090", "[::1:9090", "1.2.3:80"}) {
        EXPECT_FALSE(parse_listen_address(bad, a, e)) << bad;
        EXPECT_FALSE(e.empty()) << bad;
    }
    parse_listen_address("localhost:9090", a, e);
    EXPECT_NE(e.find("not an IP address"), std::string::npos) << e;
}
