// Opening connections by db_url (modules.md §1.2, §1.3): TCP to the private
// server, clear errors for a wrong password, an unknown database, a port
// nobody listens on and an incomplete URL, each logged once per outage;
// identical URLs of one thread share one server connection.
#include <thread>

#include "tests/mysql/mysql_env.hpp"

namespace ser::test::mysql {
namespace {

using MysqlConnect = MysqlTest;

// The server's id of the connection under `c` (an int column).
std::string connection_id(db::Connection& c) {
    db::Result r;
    if (!c.raw("select connection_id()", &r, "test: connection id") || r.rows.size() != 1) return {};
    return std::to_string(r.rows[0][0].i);
}

TEST_F(MysqlConnect, ByDbUrlOverTcp) {
    db::Result r;
    ASSERT_TRUE(c->raw("select database(), current_user(), @@port", &r, "test: who"));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].s, database);
    EXPECT_EQ(std::string(r.rows[0][1].s).rfind("ser@", 0), 0u) << r.rows[0][1].s;
    EXPECT_EQ(r.rows[0][2].s, std::to_string(server->port));   // a bigint: text (§1.4)
    // Every connection runs without strict mode (SER's tables need it).
    ASSERT_TRUE(c->raw("select @@session.sql_mode", &r, "test: mode"));
    EXPECT_EQ(std::string(r.rows[0][0].s).find("STRICT"), std::string::npos) << r.rows[0][0].s;
}

// utf8mb4, except on a latin1 database (SER's tables where the server's
// default is latin1): there latin1, so that bytes are stored as given.
TEST_F(MysqlConnect, ConnectionSpeaksTheDatabasesCharacterSet) {
    const char* sql = "select @@character_set_database, @@character_set_client, @@character_set_connection, "
                      "@@character_set_results";
    db::Result r;
    ASSERT_TRUE(c->raw(sql, &r, "test: charset"));
    ASSERT_EQ(r.rows.size(), 1u);
    const std::string_view want = r.rows[0][0].s == "latin1" ? "latin1" : "utf8mb4";
    for (size_t i = 1; i < 4; ++i) EXPECT_EQ(r.rows[0][i].s, want) << r.columns[i];

    std::string err;
    auto u8 = connect(utf8_database(), err);
    ASSERT_NE(u8, nullptr) << err;
    ASSERT_TRUE(u8->raw(sql, &r, "test: charset"));
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(r.rows[0][i].s, "utf8mb4") << r.columns[i];
}

TEST_F(MysqlConnect, WrongPasswordIsLoggedOnceWithTheServer) {
    const std::string bad = url_of(*server, database, kUser, "wrong");
    LogCapture log;
    std::string err;
    EXPECT_EQ(connect(bad, err), nullptr);
    EXPECT_NE(err.find("cannot connect to ser@127.0.0.1:" + std::to_string(server->port) + "/" + database),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("Access denied"), std::string::npos) << err;
    EXPECT_EQ(err.find("wrong"), std::string::npos) << "the password is not shown: " << err;
    err.clear();
    EXPECT_EQ(connect(bad, err), nullptr);   // the same outage: not logged again
    EXPECT_NE(err.find("Access denied"), std::string::npos) << err;
    const std::string& text = log.text();
    EXPECT_EQ(count_of(text, "Access denied"), 1) << text;
}

TEST_F(MysqlConnect, UnknownDatabaseNamesIt) {
    LogCapture log;
    std::string err;
    EXPECT_EQ(connect(url_of(*server, "no_such_db", "authtest", "authpw"), err), nullptr);
    EXPECT_NE(err.find("Unknown database 'no_such_db'"), std::string::npos) << err;
    // A login without rights on it is told so (it cannot know whether it exists).
    EXPECT_EQ(connect(url_of(*server, "no_such_db"), err), nullptr);
    EXPECT_NE(err.find("Access denied for user 'ser'"), std::string::npos) << err;
    EXPECT_NE(err.find("no_such_db"), std::string::npos) << err;
    EXPECT_EQ(count_of(log.text(), "cannot connect to"), 2) << log.text();   // one per login
}

TEST_F(MysqlConnect, NobodyListeningFailsAtOnce) {
    // Our own server's port with the server away is a port nobody listens on.
    c.reset();
    server->stop();
    LogCapture log;
    std::string err;
    EXPECT_EQ(connect(url, err), nullptr);
    EXPECT_NE(err.find("Can't connect"), std::string::npos) << err;
    EXPECT_EQ(connect(url, err), nullptr);   // still down: not logged again
    ASSERT_TRUE(server->start()) << server->error;
    auto again = connect(url, err);
    ASSERT_NE(again, nullptr) << err;
    const std::string& text = log.text();
    EXPECT_EQ(count_of(text, "Can't connect"), 1) << text;
    EXPECT_NE(text.find("connected to ser@127.0.0.1:" + std::to_string(server->port) + "/" + database + " again"),
              std::string::npos)
        << text;
}

TEST_F(MysqlConnect, UrlWithoutDatabaseIsRefused) {
    db::Url u;
    std::string err;
    ASSERT_TRUE(db::parse_url("mysql://ser:heslo@127.0.0.1:1/x", u, err)) << err;
    u.database.clear();
    LogCapture log;
    EXPECT_EQ(mod.driver->connect(u, err), nullptr);
    EXPECT_NE(log.text().find("needs a host and a database"), std::string::npos) << log.text();
    EXPECT_NE(err.find("needs a host and a database"), std::string::npos) << err;
}

TEST_F(MysqlConnect, PerWorkerNamesItsOwnerWhenTheLoginFails) {
    db::PerWorker pw;
    std::string err;
    ASSERT_TRUE(pw.init(mod.h.server, url_of(*server, database, kUser, "wrong"), "auth_db", err)) << err;
    LogCapture log;
    EXPECT_EQ(pw.get(), nullptr);
    EXPECT_EQ(pw.get(), nullptr);
    const std::string& text = log.text();
    EXPECT_EQ(count_of(text, "auth_db: cannot connect to the database: mysql: cannot connect to ser@"), 1) << text;

    db::PerWorker nodriver;
    EXPECT_FALSE(nodriver.init(mod.h.server, "postgres://a/b", "auth_db", err));
    EXPECT_NE(err.find("auth_db"), std::string::npos) << err;
    EXPECT_NE(err.find("postgres"), std::string::npos) << err;
}

TEST_F(MysqlConnect, OneServerConnectionPerThreadAndUrl) {
    std::string err;
    auto same = connect(url, err);
    ASSERT_NE(same, nullptr) << err;
    const std::string mine = connection_id(*c);
    ASSERT_FALSE(mine.empty());
    EXPECT_EQ(connection_id(*same), mine);   // shared within the thread (SER's pool)

    // Another login is another connection.
    auto other = connect(url_of(*server, database, "authtest", "authpw"), err);
    ASSERT_NE(other, nullptr) << err;
    EXPECT_NE(connection_id(*other), mine);

    std::string theirs;
    std::thread([&] {
        std::string e;
        auto own = connect(url, e);
        ASSERT_NE(own, nullptr) << e;
        theirs = connection_id(*own);
    }).join();
    EXPECT_FALSE(theirs.empty());
    EXPECT_NE(theirs, mine);   // threads never share one

    // The shared session lives as long as its last Connection.
    c.reset();
    EXPECT_EQ(connection_id(*same), mine);
}

}  // namespace
}  // namespace ser::test::mysql
