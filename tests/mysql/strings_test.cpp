// Strings through mysql.so stored and found literally (modules.md §1.4:
// values escaped by the client library for the connection): quotes,
// backslashes, NUL bytes, statement fragments, UTF-8 in a latin1 and in a
// utf8mb4 database, every byte in a blob, the server's NO_BACKSLASH_ESCAPES
// mode, escape() for raw statements, values longer than their column.
#include <string>
#include <vector>

#include "tests/mysql/mysql_env.hpp"

namespace ser::test::mysql {
namespace {

using MysqlStrings = MysqlTest;

// Strings no statement text may be confused by, and text beyond ASCII.
const std::vector<std::string>& hostile_strings() {
    static const std::vector<std::string> v = {"o'brien",
                                               "back\\slash",
                                               "trailing\\",
                                               std::string("nul\0inside", 10),
                                               "x'; DROP TABLE t; --",
                                               "\"quoted\"",
                                               "\\'; DROP TABLE t; -- ",
                                               "%_wild",
                                               "\r\n\t\x1a",
                                               "Grüße, 日本語, \xF0\x9F\x98\x80"};   // 2-, 3- and 4-byte UTF-8
    return v;
}

// Writes each string into `table` (id, name, data) and finds it by itself.
void store_and_find(db::Connection& conn, std::string_view table, const std::vector<std::string>& values) {
    int id = 10;
    for (const auto& n : values) {
        db::Field f[] = {{"id", db::Value::of_int(id++)}, {"name", db::Value::of_str(n)}, {"data", db::Value::of_blob(n)}};
        ASSERT_TRUE(conn.insert({.table = table, .fields = f, .purpose = "test: insert"})) << n;
    }
    id = 10;
    for (const auto& n : values) {
        db::Where w[] = {{"name", db::Value::of_str(n)}};
        std::string_view cols[] = {"id", "name", "data"};
        db::Result r;
        ASSERT_TRUE(conn.query({.table = table, .where = w, .columns = cols, .purpose = "test: select"}, r)) << n;
        ASSERT_EQ(r.rows.size(), 1u) << n;
        EXPECT_EQ(r.rows[0][0].i, id++);
        EXPECT_EQ(r.rows[0][1].s, n);
        EXPECT_EQ(r.rows[0][2].s, n);
    }
}

TEST_F(MysqlStrings, HostileStringsStoredLiterally) {
    // The tool's database has the server's default character set (latin1
    // here, as on MySQL 4): every byte is kept, valid UTF-8 or not.
    std::vector<std::string> v = hostile_strings();
    v.push_back("caf\xE9 \xFF\x80");   // latin1, not UTF-8
    store_and_find(*c, "t", v);
    EXPECT_EQ(rows(), long(v.size()));   // the table is still there
}

TEST_F(MysqlStrings, HostileStringsStoredLiterallyInAUtf8Database) {
    std::string err;
    auto u8 = connect(utf8_database(), err);
    ASSERT_NE(u8, nullptr) << err;
    ASSERT_TRUE(u8->raw("drop table if exists t", nullptr, "test: fresh table"));
    ASSERT_TRUE(u8->raw("create table t (id int, name varchar(64), data blob)", nullptr, "test: fresh table"));
    store_and_find(*u8, "t", hostile_strings());
    db::Result r;
    ASSERT_TRUE(u8->raw("select char_length(name) from t where id=19", &r, "test: characters"));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].i, 13);   // stored as characters, not as their UTF-8 bytes
}

TEST_F(MysqlStrings, Utf8InTheToolsTables) {
    // A user agent and a user name beyond latin1 in the location table.
    const std::string user = "用户", agent = "Phone \xF0\x9F\x93\x9E v1", contact = "sip:" + user + "@10.0.0.1";
    db::Field f[] = {{"username", db::Value::of_str(user)},
                     {"domain", db::Value::of_str("example.com")},
                     {"contact", db::Value::of_str(contact)},
                     {"expires", db::Value::of_time(1767225600)},
                     {"q", db::Value::of_double(1)},
                     {"user_agent", db::Value::of_str(agent)}};
    ASSERT_TRUE(c->insert({.table = "location", .fields = f, .purpose = "usrloc: insert"}));
    db::Where w[] = {{"username", db::Value::of_str(user)}, {"domain", db::Value::of_str("example.com")}};
    std::string_view cols[] = {"contact", "user_agent"};
    db::Result r;
    ASSERT_TRUE(c->query({.table = "location", .where = w, .columns = cols, .purpose = "usrloc: load"}, r));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].s, contact);
    EXPECT_EQ(r.rows[0][1].s, agent);
    ASSERT_TRUE(c->remove({.table = "location", .where = w}));
}

TEST_F(MysqlStrings, BlobKeepsEveryByte) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(char(i));
    all += all;   // each byte also after each other byte's neighbours
    ASSERT_TRUE(put(1, "bytes", 0, all));
    db::Where w[] = {{"data", db::Value::of_blob(all)}};
    std::string_view cols[] = {"data"};
    db::Result r = select_where(*c, w, cols);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].s, all);
}

TEST_F(MysqlStrings, EscapingFollowsTheServersMode) {
    // With NO_BACKSLASH_ESCAPES a backslash is a plain character: the client
    // library escapes by the mode the server reports.
    ASSERT_TRUE(c->raw("set session sql_mode='NO_BACKSLASH_ESCAPES'", nullptr, "test: mode"));
    const std::string s = "a\\'b''\\";
    ASSERT_TRUE(put(1, s));
    db::Where w[] = {{"name", db::Value::of_str(s)}};
    std::string_view cols[] = {"name"};
    db::Result r = select_where(*c, w, cols);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].s, s);
    ASSERT_TRUE(c->raw("insert into t (id, name) values (2, '" + c->escape(s) + "')", nullptr, "test: escaped"));
    EXPECT_EQ(rows("name='" + c->escape(s) + "'"), 2);
}

TEST_F(MysqlStrings, TooLongValuesAreCutNotRefused) {
    // SER's tables assume MySQL 4: strict mode is off on every connection.
    const std::string longer(100, 'x');
    ASSERT_TRUE(put(1, longer));
    db::Result r;
    std::string_view cols[] = {"name"};
    ASSERT_TRUE(c->query({.table = "t", .columns = cols}, r));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].s, std::string(64, 'x'));
}

TEST_F(MysqlStrings, EscapeIsTheBodyOfAQuotedLiteral) {
    const std::string s = std::string("q'uo\"te\\ nul\0 \n end", 19);
    const std::string e = c->escape(s);
    EXPECT_EQ(e.find('\0'), std::string::npos);
    EXPECT_EQ(c->escape(""), "");
    db::Result r;
    ASSERT_TRUE(c->raw("select '" + e + "'", &r, "test: escape"));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].s, s);
}

}  // namespace
}  // namespace ser::test::mysql
