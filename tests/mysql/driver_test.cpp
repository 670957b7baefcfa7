// The real mysql.so, loaded by the real loader, on a database made by
// tools/ser-db on a private MariaDB: every statement kind, every value type
// both ways and the column typing of modules.md §1.4, NULLs, operators,
// order, refused requests, raw statements, table versions.
#include <ctime>
#include <string>
#include <vector>

#include "tests/mysql/mysql_env.hpp"

namespace ser::test::mysql {
namespace {

using MysqlDriver = MysqlTest;

TEST_F(MysqlDriver, EveryTypeBothWays) {
    const time_t at = 1767225600 + 3723;   // 2026-01-01 01:02:03 UTC
    std::string blob("a\0b\xff\x01'", 6);
    db::Field f[] = {{"id", db::Value::of_int(-7)},
                     {"name", db::Value::of_str("alice")},
                     {"q", db::Value::of_double(0.25)},
                     {"f", db::Value::of_double(-1)},
                     {"at", db::Value::of_time(at)},
                     {"data", db::Value::of_blob(blob)},
                     {"flags", db::Value::of_bitmap(0xFFFFFFFFu)},
                     {"big", db::Value::of_int(int64_t(1) << 40)},
                     {"ts", db::Value::of_time(at)},
                     {"txt", db::Value::of_str("text column")},
                     {"opts", db::Value::of_bitmap(5)}};
    ASSERT_TRUE(c->insert({.table = "t", .fields = f, .purpose = "test: insert"}));

    db::Result r;
    ASSERT_TRUE(c->query({.table = "t", .purpose = "test: select"}, r));
    ASSERT_EQ(r.rows.size(), 1u);
    ASSERT_EQ(r.columns, (std::vector<std::string>{"id", "name", "q", "f", "at", "data", "flags", "big", "ts", "txt",
                                                   "opts"}));
    const auto& row = r.rows[0];
    for (const auto& v : row) EXPECT_FALSE(v.null);
    EXPECT_EQ(row[0].type, db::Type::Int);
    EXPECT_EQ(row[0].i, -7);
    EXPECT_EQ(row[1].type, db::Type::String);
    EXPECT_EQ(row[1].s, "alice");
    EXPECT_EQ(row[2].type, db::Type::Double);
    EXPECT_DOUBLE_EQ(row[2].d, 0.25);
    EXPECT_EQ(row[3].type, db::Type::Double);
    EXPECT_DOUBLE_EQ(row[3].d, -1);
    EXPECT_EQ(row[4].type, db::Type::DateTime);
    EXPECT_EQ(row[4].t, at);
    EXPECT_EQ(row[5].type, db::Type::Blob);
    EXPECT_EQ(row[5].s, blob);
    // An int column reads as Int, whatever was written into it.
    EXPECT_EQ(row[6].type, db::Type::Int);
    EXPECT_EQ(row[6].i, 0xFFFFFFFFll);
    // bigint is none of the int types of §1.4: a string (as SER).
    EXPECT_EQ(row[7].type, db::Type::String);
    EXPECT_EQ(row[7].s, "1099511627776");
    // timestamp -> Int holding the UNIX time.
    EXPECT_EQ(row[8].type, db::Type::Int);
    EXPECT_EQ(row[8].i, int64_t(at));
    // text is a blob type on the wire.
    EXPECT_EQ(row[9].type, db::Type::Blob);
    EXPECT_EQ(row[9].s, "text column");
    // A set written as a bitmap (bits 0 and 2) reads as its members' names.
    EXPECT_EQ(row[10].type, db::Type::String);
    EXPECT_EQ(row[10].s, "a,c");
}

TEST_F(MysqlDriver, DoublesAreWrittenWithTwoDecimals) {
    // printf("%-10.2f") as SER [quirk]: the third decimal is rounded away.
    db::Field f[] = {{"id", db::Value::of_int(1)}, {"q", db::Value::of_double(1.234)},
                     {"f", db::Value::of_double(123456.789)}};
    ASSERT_TRUE(c->insert({.table = "t", .fields = f}));
    db::Where w[] = {{"q", db::Value::of_double(1.23)}};
    std::string_view cols[] = {"q", "f"};
    db::Result r = select_where(*c, w, cols);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_DOUBLE_EQ(r.rows[0][0].d, 1.23);
    EXPECT_DOUBLE_EQ(r.rows[0][1].d, 123456.79);

    LogCapture log;
    db::Field inf[] = {{"q", db::Value::of_double(1.0 / 0.0)}};
    EXPECT_FALSE(c->insert({.table = "t", .fields = inf, .purpose = "test: infinite"}));
    EXPECT_NE(log.text().find("test: infinite (table 't')"), std::string::npos) << log.text();
}

TEST_F(MysqlDriver, NullsOfEveryTypeBothWays) {
    db::Field f[] = {{"id", db::Value::null_of(db::Type::Int)},
                     {"name", db::Value::null_of(db::Type::String)},
                     {"q", db::Value::null_of(db::Type::Double)},
                     {"at", db::Value::null_of(db::Type::DateTime)},
                     {"data", db::Value::null_of(db::Type::Blob)},
                     {"flags", db::Value::null_of(db::Type::Bitmap)}};
    ASSERT_TRUE(c->insert({.table = "t", .fields = f}));
    db::Result r;
    ASSERT_TRUE(c->query({.table = "t"}, r));
    ASSERT_EQ(r.rows.size(), 1u);
    const db::Type want[] = {db::Type::Int,  db::Type::String, db::Type::Double, db::Type::Double,
                             db::Type::DateTime, db::Type::Blob, db::Type::Int,  db::Type::String,
                             db::Type::Int,  db::Type::Blob,   db::Type::Bitmap};
    ASSERT_EQ(r.rows[0].size(), std::size(want));
    for (size_t i = 0; i < std::size(want); ++i) {
        EXPECT_TRUE(r.rows[0][i].null) << r.columns[i];
        EXPECT_EQ(r.rows[0][i].type, want[i]) << r.columns[i];
    }
    // A NULL in a where clause is "=NULL": it matches no row (SQL), no error.
    db::Where w[] = {{"name", db::Value::null_of(db::Type::String)}};
    EXPECT_TRUE(select_where(*c, w).rows.empty());
}

TEST_F(MysqlDriver, WhereOperatorsAndOrder) {
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(put(i, "n" + std::to_string(6 - i), i / 10.0));
    auto ids = [&](std::string_view op, int v, std::string_view order = "id") {
        db::Where w[] = {{"id", db::Value::of_int(v), op}};
        std::string_view cols[] = {"id"};
        std::vector<int64_t> out;
        for (const auto& row : select_where(*c, w, cols, order).rows) out.push_back(row[0].i);
        return out;
    };
    using V = std::vector<int64_t>;
    EXPECT_EQ(ids("", 3), V{3});
    EXPECT_EQ(ids("=", 3), V{3});
    EXPECT_EQ(ids("<", 3), (V{1, 2}));
    EXPECT_EQ(ids(">", 3), (V{4, 5}));
    EXPECT_EQ(ids("<=", 3), (V{1, 2, 3}));
    EXPECT_EQ(ids(">=", 3), (V{3, 4, 5}));
    EXPECT_EQ(ids("!=", 3), (V{1, 2, 4, 5}));
    EXPECT_EQ(ids("!=", 3, "name"), (V{5, 4, 2, 1}));   // n1 < n2 < n4 < n5

    // Several conditions are ANDed; a double compares by value.
    db::Where two[] = {{"id", db::Value::of_int(2), ">="}, {"q", db::Value::of_double(0.4), "<"}};
    std::string_view cols[] = {"id"};
    db::Result r = select_where(*c, two, cols, "id");
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0][0].i, 2);
    EXPECT_EQ(r.rows[1][0].i, 3);
}

TEST_F(MysqlDriver, InvalidRequestsAreRefusedBeforeTheServer) {
    ASSERT_TRUE(put(1, "a"));
    LogCapture log;
    db::Result r;
    db::Where like[] = {{"id", db::Value::of_int(1), "LIKE"}};
    EXPECT_FALSE(c->query({.table = "t", .where = like, .purpose = "test: bad operator"}, r));
    db::Where injected[] = {{"id=1 or 1", db::Value::of_int(1)}};
    EXPECT_FALSE(c->query({.table = "t", .where = injected, .purpose = "test: bad column"}, r));
    EXPECT_FALSE(c->query({.table = "t; drop table t", .purpose = "test: bad table"}, r));
    EXPECT_FALSE(c->query({.table = "t", .order_by = "id desc", .purpose = "test: bad order"}, r));
    EXPECT_FALSE(c->insert({.table = "t", .fields = {}, .purpose = "test: empty insert"}));
    db::Where one[] = {{"id", db::Value::of_int(1)}};
    EXPECT_FALSE(c->update({.table = "t", .where = one, .set = {}, .purpose = "test: empty update"}));
    const std::string& text = log.text();
    for (const char* p : {"test: bad operator (table 't')", "operator 'LIKE' is not allowed", "test: bad column",
                          "invalid column name 'id=1 or 1'", "test: bad table", "test: bad order",
                          "test: empty insert", "test: empty update"})
        EXPECT_NE(text.find(p), std::string::npos) << p << "\n" << text;
    EXPECT_EQ(rows(), 1);
}

TEST_F(MysqlDriver, ServerErrorsNameThePurposeAndTable) {
    LogCapture log;
    db::Result r;
    EXPECT_FALSE(c->query({.table = "no_such_table", .purpose = "registrar: contacts of a user"}, r));
    EXPECT_NE(c->last_error().find("doesn't exist"), std::string::npos) << c->last_error();
    db::Field f[] = {{"no_such_column", db::Value::of_int(1)}};
    EXPECT_FALSE(c->insert({.table = "t", .fields = f, .purpose = "test: unknown column"}));
    EXPECT_NE(c->last_error().find("no_such_column"), std::string::npos) << c->last_error();
    EXPECT_TRUE(put(1, "still works"));   // a refused statement leaves the connection usable
    const std::string& text = log.text();
    EXPECT_NE(text.find("registrar: contacts of a user (table 'no_such_table') on ser@127.0.0.1:"), std::string::npos)
        << text;
    EXPECT_NE(text.find("doesn't exist"), std::string::npos) << text;
    EXPECT_NE(text.find("test: unknown column (table 't')"), std::string::npos) << text;
}

TEST_F(MysqlDriver, InsertUpdateRemoveCounts) {
    for (int i = 1; i <= 6; ++i) ASSERT_TRUE(put(i, i % 2 ? "odd" : "even", i));
    EXPECT_EQ(rows(), 6);

    db::Where big[] = {{"id", db::Value::of_int(3), ">"}};
    db::Field set[] = {{"name", db::Value::of_str("renamed")}, {"flags", db::Value::of_bitmap(9)}};
    ASSERT_TRUE(c->update({.table = "t", .where = big, .set = set, .purpose = "test: update"}));
    EXPECT_EQ(rows("name='renamed' and flags=9"), 3);
    EXPECT_EQ(rows("name='odd'"), 2);

    db::Where none[] = {{"id", db::Value::of_int(99)}};
    EXPECT_TRUE(c->update({.table = "t", .where = none, .set = set}));   // no row: not an error
    EXPECT_TRUE(c->remove({.table = "t", .where = none}));

    db::Field every[] = {{"q", db::Value::of_double(7)}};
    ASSERT_TRUE(c->update({.table = "t", .where = {}, .set = every}));   // no where: every row
    EXPECT_EQ(rows("q=7"), 6);

    db::Where odd[] = {{"name", db::Value::of_str("odd")}};
    ASSERT_TRUE(c->remove({.table = "t", .where = odd, .purpose = "test: delete"}));
    EXPECT_EQ(rows(), 4);
    ASSERT_TRUE(c->remove({.table = "t", .purpose = "test: delete all"}));
    EXPECT_EQ(rows(), 0);
}

TEST_F(MysqlDriver, RawStatements) {
    ASSERT_TRUE(put(1, "it's"));
    db::Result r;
    ASSERT_TRUE(c->raw("select id, name from t where name='" + c->escape("it's") + "'", &r, "test: raw"));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.columns, (std::vector<std::string>{"id", "name"}));
    EXPECT_EQ(r.rows[0][0].i, 1);
    EXPECT_EQ(r.rows[0][1].s, "it's");

    // A statement without rows, with and without a result wanted.
    ASSERT_TRUE(c->raw("insert into t (id) values (2)", &r, "test: raw insert"));
    EXPECT_TRUE(r.rows.empty());
    EXPECT_TRUE(r.columns.empty());
    ASSERT_TRUE(c->raw("insert into t (id) values (3)", nullptr, "test: raw insert"));
    // Rows nobody wants are read anyway: the next statement works.
    ASSERT_TRUE(c->raw("select * from t", nullptr, "test: raw unread"));
    EXPECT_EQ(rows(), 3);

    LogCapture log;
    EXPECT_FALSE(c->raw("select * from no_such_table", &r, "test: raw error"));
    EXPECT_TRUE(r.rows.empty());
    // One statement per call: a second one is a syntax error, not run.
    EXPECT_FALSE(c->raw("select 1; drop table t", &r, "test: two statements"));
    EXPECT_EQ(rows(), 3);
    EXPECT_NE(log.text().find("test: raw error (raw statement)"), std::string::npos) << log.text();
    EXPECT_NE(log.text().find("test: two statements (raw statement)"), std::string::npos) << log.text();
}

TEST_F(MysqlDriver, TableVersions) {
    EXPECT_EQ(db::table_version(*c, "location"), 6);
    EXPECT_EQ(db::table_version(*c, "subscriber"), 5);
    EXPECT_EQ(db::table_version(*c, "aliases"), 6);
    EXPECT_EQ(db::table_version(*c, "uri"), 1);
    EXPECT_EQ(db::table_version(*c, "no_such"), 0);
    EXPECT_EQ(db::table_version(*c, "x' or '1'='1"), 0);
    ASSERT_TRUE(c->raw("insert into version values ('location', 7)", nullptr, "test"));
    {
        LogCapture log;
        EXPECT_EQ(db::table_version(*c, "location"), -1);   // two rows
        EXPECT_NE(log.text().find("'location' has 2 rows"), std::string::npos) << log.text();
    }
    ASSERT_TRUE(c->raw("delete from version where table_name='location' and table_version=7", nullptr, "test"));
    EXPECT_EQ(db::table_version(*c, "location"), 6);
}

}  // namespace
}  // namespace ser::test::mysql
