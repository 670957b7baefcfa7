// The metrics registry: families, series, shards summed at scrape time,
// callbacks, and what it refuses.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "ser/metrics.hpp"

using namespace ser::metrics;

namespace {

const FamilySnapshot* find(const std::vector<FamilySnapshot>& all, const std::string& name) {
    for (const auto& f : all)
        if (f.name == name) return &f;
    return nullptr;
}

double value(const Registry& r, const std::string& name, const Labels& values = {}) {
    auto all = r.snapshot();
    const FamilySnapshot* f = find(all, name);
    if (!f) return -1;
    for (const auto& s : f->series)
        if (s.values == values) return s.value;
    return -1;
}

struct ShardGuard {
    ~ShardGuard() { set_this_shard(0); }
};

}  // namespace

TEST(MetricsRegistry, CounterStartsAtZeroAndCounts) {
    Registry r;
    Counter c = r.counter("x_total", "help");
    ASSERT_TRUE(c.bound());
    EXPECT_EQ(value(r, "x_total"), 0);
    c.inc();
    c.inc(41);
    EXPECT_EQ(value(r, "x_total"), 42);
}

TEST(MetricsRegistry, ShardsOfEveryWorkerAreSummed) {
    Registry r;
    Counter c = r.counter("work_total", "help");
    std::vector<std::thread> ts;
    // Indexes beyond kShards share a shard: still no update is lost.
    for (int w = 0; w < int(kShards) + 8; ++w)
        ts.emplace_back([w, c] {
            set_this_shard(w);
            for (int i = 0; i < 1000; ++i) c.inc();
        });
    for (auto& t : ts) t.join();
    EXPECT_EQ(value(r, "work_total"), double((kShards + 8) * 1000));
}

TEST(MetricsRegistry, SameFamilyAndLabelsIsTheSameSeries) {
    Registry r;
    Counter a = r.counter("req_total", "by method", {"method"}, {"INVITE"});
    Counter b = r.counter("req_total", "other help is ignored", {"method"}, {"INVITE"});
    Counter c = r.counter("req_total", "by method", {"method"}, {"BYE"});
    a.inc();
    b.inc();
    c.inc();
    EXPECT_EQ(value(r, "req_total", {"INVITE"}), 2);
    EXPECT_EQ(value(r, "req_total", {"BYE"}), 1);
    EXPECT_EQ(find(r.snapshot(), "req_total")->help, "by method");
}

TEST(MetricsRegistry, RefusesMismatchesAndBadNames) {
    Registry r;
    r.counter("a_total", "h", {"method"}, {"INVITE"});
    EXPECT_FALSE(r.gauge("a_total", "h", {"method"}, {"INVITE"}).bound());     // another type
    EXPECT_FALSE(r.counter("a_total", "h", {"class"}, {"2xx"}).bound());       // other label names
    EXPECT_FALSE(r.counter("a_total", "h", {"method"}, {}).bound());           // value count
    EXPECT_FALSE(r.counter("1abc", "h").bound());
    EXPECT_FALSE(r.counter("a-b", "h").bound());
    EXPECT_FALSE(r.counter("ok_total", "h", {"__reserved"}, {"x"}).bound());
    EXPECT_FALSE(r.histogram("h_seconds", "h", {0.1}, {"le"}, {"x"}).bound());
    EXPECT_FALSE(r.histogram("h2_seconds", "h", {}).bound());
    EXPECT_FALSE(r.histogram("h3_seconds", "h", {1, 0.5}).bound());
    EXPECT_TRUE(r.counter("ns:name_total", "h").bound());   // colons are allowed in metric names
    Counter unbound;
    unbound.inc();   // does nothing, does not crash
}

TEST(MetricsRegistry, GaugeGoesUpAndDown) {
    Registry r;
    Gauge g = r.gauge("open", "h");
    ShardGuard guard;
    set_this_shard(3);
    g.inc();
    g.inc();
    set_this_shard(5);
    g.dec();
    g.dec();
    g.dec();   // the shards' signed sum: -1
    EXPECT_EQ(value(r, "open"), -1);
    g.add(10);
    EXPECT_EQ(value(r, "open"), 9);
}

TEST(MetricsRegistry, HistogramBucketsAreCumulative) {
    Registry r;
    Histogram h = r.histogram("lat_seconds", "h", {0.1, 1, 10}, {"driver"}, {"sqlite"});
    ShardGuard guard;
    for (double v : {0.05, 0.1, 0.5, 2.0, 20.0}) h.observe(v);
    set_this_shard(7);
    h.observe(0.01);
    auto all = r.snapshot();
    const FamilySnapshot* f = find(all, "lat_seconds");
    ASSERT_TRUE(f);
    ASSERT_EQ(f->series.size(), 1u);
    const SeriesSnapshot& s = f->series[0];
    EXPECT_EQ(s.buckets, (std::vector<uint64_t>{3, 4, 5, 6}));   // le=0.1 includes 0.1 itself
    EXPECT_DOUBLE_EQ(s.sum, 0.05 + 0.1 + 0.5 + 2.0 + 20.0 + 0.01);
    // Other bounds for the same name are refused.
    EXPECT_FALSE(r.histogram("lat_seconds", "h", {0.2, 1, 10}, {"driver"}, {"mysql"}).bound());
    EXPECT_TRUE(r.histogram("lat_seconds", "h", {0.1, 1, 10}, {"driver"}, {"mysql"}).bound());
}

TEST(MetricsRegistry, ManySeriesAcrossBlocksKeepTheirOwnSlots) {
    Registry r;
    std::vector<Counter> cs;
    for (int i = 0; i < 300; ++i) cs.push_back(r.counter("many_total", "h", {"i"}, {std::to_string(i)}));
    // A histogram that does not fit the rest of a row starts a new one.
    Histogram h = r.histogram("wide_seconds", "h", latency_buckets());
    for (int i = 0; i < 300; ++i) cs[size_t(i)].inc(uint64_t(i));
    h.observe(100);
    for (int i = 0; i < 300; ++i) ASSERT_EQ(value(r, "many_total", {std::to_string(i)}), i) << i;
    auto all = r.snapshot();
    EXPECT_EQ(find(all, "wide_seconds")->series[0].buckets.back(), 1u);
}

TEST(MetricsRegistry, CallbacksRunAtScrapeAndCanBeRemoved) {
    Registry r;
    double table = 3;
    uint64_t id = r.collect(Type::Gauge, "table_size", "h", [&] { return table; });
    ASSERT_NE(id, 0u);
    EXPECT_EQ(value(r, "table_size"), 3);
    table = 5;
    EXPECT_EQ(value(r, "table_size"), 5);
    r.collect(Type::Gauge, "node_up", "h", {"node"}, [](std::vector<Sample>& out) {
        out.push_back({{"udp:10.0.0.1:7890"}, 1});
        out.push_back({{"unix:/run/x"}, 0});
        out.push_back({{"a", "b"}, 7});   // wrong label count: dropped
    });
    EXPECT_EQ(value(r, "node_up", {"udp:10.0.0.1:7890"}), 1);
    EXPECT_EQ(value(r, "node_up", {"unix:/run/x"}), 0);
    EXPECT_EQ(find(r.snapshot(), "node_up")->series.size(), 2u);
    r.remove(id);
    EXPECT_TRUE(find(r.snapshot(), "table_size")->series.empty());   // still described
    r.remove_callbacks();
    EXPECT_TRUE(find(r.snapshot(), "node_up")->series.empty());
    EXPECT_EQ(r.collect(Type::Histogram, "no_seconds", "h", [] { return 1.0; }), 0u);
    EXPECT_EQ(r.collect(Type::Counter, "table_size", "h", [] { return 1.0; }), 0u);   // it is a gauge
}

TEST(MetricsRegistry, SnapshotIsSortedByName) {
    Registry r;
    r.counter("b_total", "h");
    r.counter("a_total", "h");
    r.gauge("c", "h");
    auto all = r.snapshot();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].name, "a_total");
    EXPECT_EQ(all[1].name, "b_total");
    EXPECT_EQ(all[2].name, "c");
}
