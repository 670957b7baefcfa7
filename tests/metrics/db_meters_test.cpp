// Database metrics: every statement through db::PerWorker is timed and its
// failures counted, per driver, on the real sqlite.so.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "ser/db.hpp"
#include "tests/script/harness.hpp"

namespace fs = std::filesystem;
using namespace ser;

namespace {

const metrics::SeriesSnapshot* series(rt::Server& s, const std::string& name, const metrics::Labels& values) {
    static std::vector<metrics::FamilySnapshot> keep;
    keep = s.metrics().snapshot();
    for (const auto& f : keep)
        if (f.name == name)
            for (const auto& v : f.series)
                if (v.values == values) return &v;
    return nullptr;
}

class DbMeters : public ::testing::Test {
protected:
    test::Harness h;
    fs::path dir;
    std::string url;

    void SetUp() override {
        char tmpl[] = "/tmp/ser-metrics-db-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        std::string cmd = std::string(SER_SOURCE_DIR) + "/tools/ser-db create sqlite " + (dir / "ser.db").string() +
                          " > /dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0);
        url = "sqlite://" + (dir / "ser.db").string();
        ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5060\nloadmodule \"sqlite.so\"\nroute { break; }\n")) << h.errors;
    }
    void TearDown() override { fs::remove_all(dir); }
};

}  // namespace

TEST_F(DbMeters, StatementsAreTimedAndFailuresCounted) {
    db::PerWorker pool;
    std::string err;
    ASSERT_TRUE(pool.init(h.server, url, "test", err)) << err;
    // Described before the first statement.
    auto* s = series(h.server, "ser_db_query_duration_seconds", {"sqlite", "select"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->buckets.back(), 0u);
    db::Connection* c = pool.get();
    ASSERT_TRUE(c);
    EXPECT_GE(db::table_version(*c, "subscriber"), 3);
    db::Result r;
    EXPECT_FALSE(c->query({.table = "no_such_table", .purpose = "a failing select"}, r));
    db::Field f[] = {{"table_name", db::Value::of_str("x")}, {"table_version", db::Value::of_int(1)}};
    EXPECT_TRUE(c->insert({.table = "version", .fields = f, .purpose = "an insert"}));
    EXPECT_TRUE(c->raw("select 1", nullptr, "a raw statement"));

    s = series(h.server, "ser_db_query_duration_seconds", {"sqlite", "select"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->buckets.back(), 2u);   // count
    EXPECT_GT(s->sum, 0);
    EXPECT_EQ(series(h.server, "ser_db_query_duration_seconds", {"sqlite", "insert"})->buckets.back(), 1u);
    EXPECT_EQ(series(h.server, "ser_db_query_duration_seconds", {"sqlite", "raw"})->buckets.back(), 1u);
    EXPECT_EQ(series(h.server, "ser_db_errors_total", {"sqlite", "select"})->value, 1);
    EXPECT_EQ(series(h.server, "ser_db_errors_total", {"sqlite", "insert"})->value, 0);
    // The wrapper passes the driver's own answers through.
    EXPECT_EQ(c->escape("a'b"), "a''b");
}

TEST_F(DbMeters, ConnectFailuresAreCounted) {
    db::PerWorker pool;
    std::string err;
    ASSERT_TRUE(pool.init(h.server, "sqlite:///nonexistent-dir-for-metrics/x.db", "test", err)) << err;
    EXPECT_EQ(pool.get(), nullptr);
    EXPECT_EQ(series(h.server, "ser_db_connect_failures_total", {"sqlite"})->value, 1);
}
