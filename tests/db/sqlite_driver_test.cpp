// The real sqlite.so, loaded by the real loader, on a database made by
// tools/ser-db: every statement kind, every value type both ways, NULLs,
// hostile strings stored literally, operators, order, raw statements,
// table versions, two threads writing one file, PerWorker.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "ser/db.hpp"
#include "tests/script/harness.hpp"

namespace fs = std::filesystem;
using namespace ser;

namespace {

class SqliteDriver : public ::testing::Test {
protected:
    test::Harness h;
    fs::path dir;
    std::string url;
    db::Driver* driver = nullptr;
    std::unique_ptr<db::Connection> c;

    // One database made by the tool for the suite, copied for each test.
    static inline fs::path made;
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/ser-db-made-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        made = fs::path(tmpl) / "ser.db";
        std::string cmd = std::string(SER_SOURCE_DIR) + "/tools/ser-db create sqlite " + made.string() + " > /dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0);
    }
    static void TearDownTestSuite() { fs::remove_all(made.parent_path()); }

    void SetUp() override {
        char tmpl[] = "/tmp/ser-db-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        fs::copy_file(made, dir / "ser.db");
        url = "sqlite://" + (dir / "ser.db").string();
        ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5060\nloadmodule \"sqlite.so\"\nroute { break; }\n")) << h.errors;
        std::string err;
        driver = db::find_driver(h.server, url, err);
        ASSERT_NE(driver, nullptr) << err;
        db::Url u;
        ASSERT_TRUE(db::parse_url(url, u, err));
        c = driver->connect(u, err);
        ASSERT_NE(c, nullptr) << err;
        ASSERT_TRUE(c->raw("create table t (id int(11), name varchar(64), q float(10,2), at datetime, data blob)",
                           nullptr, "test table"));
    }
    void TearDown() override {
        c.reset();
        fs::remove_all(dir);
    }

    bool put(int id, std::string_view name, double q, time_t at, std::string_view data) {
        db::Field f[] = {{"id", db::Value::of_int(id)}, {"name", db::Value::of_str(name)},
                         {"q", db::Value::of_double(q)}, {"at", db::Value::of_time(at)},
                         {"data", db::Value::of_blob(data)}};
        return c->insert({.table = "t", .fields = f, .purpose = "test insert"});
    }
};

TEST_F(SqliteDriver, InsertSelectTypesBothWays) {
    const time_t at = 1767225600;   // 2026-01-01 00:00:00 UTC
    std::string blob("a\0b\xff", 4);
    ASSERT_TRUE(put(1, "alice", 0.5, at, blob));
    db::Result r;
    db::Where w[] = {{"id", db::Value::of_int(1)}};
    ASSERT_TRUE(c->query({.table = "t", .where = w, .purpose = "test select"}, r));
    ASSERT_EQ(r.rows.size(), 1u);
    ASSERT_EQ(r.columns, (std::vector<std::string>{"id", "name", "q", "at", "data"}));
    const auto& row = r.rows[0];
    EXPECT_EQ(row[0].type, db::Type::Int);
    EXPECT_EQ(row[0].i, 1);
    EXPECT_EQ(row[1].type, db::Type::String);
    EXPECT_EQ(row[1].s, "alice");
    EXPECT_EQ(row[2].type, db::Type::Double);
    EXPECT_DOUBLE_EQ(row[2].d, 0.5);
    EXPECT_EQ(row[3].type, db::Type::DateTime);
    EXPECT_EQ(row[3].t, at);
    EXPECT_EQ(row[4].type, db::Type::Blob);
    EXPECT_EQ(row[4].s, blob);
}

TEST_F(SqliteDriver, NullsBothWays) {
    db::Field f[] = {{"id", db::Value::of_int(2)}, {"name", db::Value::null_of(db::Type::String)}};
    ASSERT_TRUE(c->insert({.table = "t", .fields = f}));
    db::Result r;
    std::string_view cols[] = {"name", "at"};
    ASSERT_TRUE(c->query({.table = "t", .columns = cols}, r));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_TRUE(r.rows[0][0].null);
    EXPECT_TRUE(r.rows[0][1].null);
}

TEST_F(SqliteDriver, HostileStringsStoredLiterally) {
    const std::string names[] = {"o'brien", "back\\slash", std::string("nul\0inside", 10), "x'; drop table t; --",
                                 "\"quoted\"", "%_wild"};
    int id = 10;
    for (const auto& n : names) ASSERT_TRUE(put(id++, n, 1, 0, ""));
    id = 10;
    for (const auto& n : names) {
        db::Result r;
        db::Where w[] = {{"name", db::Value::of_str(n)}};
        std::string_view cols[] = {"id", "name"};
        ASSERT_TRUE(c->query({.table = "t", .where = w, .columns = cols}, r));
        ASSERT_EQ(r.rows.size(), 1u) << n;
        EXPECT_EQ(r.rows[0][0].i, id++);
        EXPECT_EQ(r.rows[0][1].s, n);
    }
}

TEST_F(SqliteDriver, OperatorsOrderUpdateDelete) {
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(put(i, "n" + std::to_string(6 - i), i / 10.0, 0, ""));
    db::Result r;
    db::Where w[] = {{"id", db::Value::of_int(2), ">="}, {"id", db::Value::of_int(4), "<"}};
    std::string_view cols[] = {"id"};
    ASSERT_TRUE(c->query({.table = "t", .where = w, .columns = cols, .order_by = "name"}, r));
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0][0].i, 3);   // n3 before n4
    EXPECT_EQ(r.rows[1][0].i, 2);

    db::Where bad[] = {{"id", db::Value::of_int(1), "LIKE"}};
    EXPECT_FALSE(c->query({.table = "t", .where = bad}, r));
    EXPECT_FALSE(c->query({.table = "t; drop table t", .where = w}, r));

    db::Where one[] = {{"id", db::Value::of_int(1)}};
    db::Field set[] = {{"name", db::Value::of_str("renamed")}};
    ASSERT_TRUE(c->update({.table = "t", .where = one, .set = set}));
    ASSERT_TRUE(c->query({.table = "t", .where = one}, r));
    EXPECT_EQ(r.rows[0][1].s, "renamed");

    ASSERT_TRUE(c->remove({.table = "t", .where = one}));
    ASSERT_TRUE(c->query({.table = "t"}, r));
    EXPECT_EQ(r.rows.size(), 4u);
    ASSERT_TRUE(c->remove({.table = "t"}));
    ASSERT_TRUE(c->query({.table = "t"}, r));
    EXPECT_TRUE(r.rows.empty());
}

TEST_F(SqliteDriver, RawAndEscape) {
    ASSERT_TRUE(put(1, "it's", 1, 0, ""));
    db::Result r;
    ASSERT_TRUE(c->raw("select count(*) from t where name='" + c->escape("it's") + "'", &r, "test raw"));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].i, 1);
    EXPECT_FALSE(c->raw("select * from no_such_table", &r, "test raw error"));
}

TEST_F(SqliteDriver, TableVersions) {
    EXPECT_EQ(db::table_version(*c, "location"), 6);
    EXPECT_EQ(db::table_version(*c, "subscriber"), 5);
    EXPECT_EQ(db::table_version(*c, "no_such"), 0);
    ASSERT_TRUE(c->raw("insert into version values ('location', 7)", nullptr, "test"));
    EXPECT_EQ(db::table_version(*c, "location"), -1);   // two rows
}

TEST_F(SqliteDriver, TwoThreadsWriteOneFile) {
    constexpr int kRows = 300;
    auto writer = [&](int base) {
        std::string err;
        db::Url u;
        db::parse_url(url, u, err);
        auto own = driver->connect(u, err);
        ASSERT_NE(own, nullptr) << err;
        for (int i = 0; i < kRows; ++i) {
            db::Field f[] = {{"id", db::Value::of_int(base + i)}};
            ASSERT_TRUE(own->insert({.table = "t", .fields = f, .purpose = "concurrent insert"}));
        }
    };
    std::thread a(writer, 0), b(writer, 100000);
    a.join();
    b.join();
    db::Result r;
    ASSERT_TRUE(c->raw("select count(*) from t", &r, "count"));
    EXPECT_EQ(r.rows[0][0].i, 2 * kRows);
}

TEST_F(SqliteDriver, PerWorkerAndMissingFile) {
    db::PerWorker pw;
    std::string err;
    ASSERT_TRUE(pw.init(h.server, url, "test", err)) << err;
    db::Connection* a = pw.get();
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(pw.get(), a);   // one per worker, kept

    db::PerWorker missing;
    ASSERT_TRUE(missing.init(h.server, "sqlite://" + (dir / "nope.db").string(), "test", err));
    EXPECT_EQ(missing.get(), nullptr);

    db::PerWorker nodriver;
    EXPECT_FALSE(nodriver.init(h.server, "postgres://a/b", "test", err));
    EXPECT_NE(err.find("postgres"), std::string::npos);
}

}  // namespace
