// The driver's own reconnect (modules.md §1.1, modules/mysql/session.cpp):
// the MariaDB server is stopped under an open Connection and started again
// on the same port; statements fail (logged, never a crash) while it is
// away, once per burst in the log, and the same Connection works again
// without the caller reconnecting.
#include <chrono>
#include <thread>

#include "tests/mysql/mysql_env.hpp"

namespace ser::test::mysql {
namespace {

// After a failed reconnect the session refuses statements for this long
// (Session::kReconnectPause) and PerWorker retries a failed connect after
// 1000 ms of core time; the test waits it out instead of racing it.
constexpr auto kPastReconnectPause = std::chrono::milliseconds(1100);

class MysqlReconnect : public MysqlTest {
protected:
    bool select_ids(db::Connection& conn, db::Result& r, std::string_view purpose) {
        std::string_view cols[] = {"id"};
        return conn.query({.table = "t", .columns = cols, .order_by = "id", .purpose = purpose}, r);
    }
};

TEST_F(MysqlReconnect, IdleConnectionSurvivesARestartWithoutAFailure) {
    ASSERT_TRUE(put(1, "before"));
    server->stop();
    ASSERT_TRUE(server->start()) << server->error;
    LogCapture log;
    db::Result r;
    // auto_reconnect (default on): the lost connection is noticed, opened
    // again and the statement re-run, all in this call.
    ASSERT_TRUE(select_ids(*c, r, "reconnect test: after restart"));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].i, 1);
    EXPECT_TRUE(put(2, "after"));
    EXPECT_EQ(rows(), 2);
    const std::string& text = log.text();
    EXPECT_EQ(count_of(text, "was lost"), 1) << text;
    EXPECT_EQ(count_of(text, "connected again"), 1) << text;
}

// The server ends the connection (KILL, as an administrator or a timeout
// would) while it keeps running: the next statement simply works.
TEST_F(MysqlReconnect, KilledConnectionIsOpenedAgain) {
    ASSERT_TRUE(put(1, "before"));
    std::string err;
    auto admin = connect(url_of(*server, database, "authtest", "authpw"), err);
    ASSERT_NE(admin, nullptr) << err;
    db::Result r;
    ASSERT_TRUE(c->raw("select connection_id()", &r, "test: id"));
    const int64_t before = r.rows[0][0].i;
    ASSERT_TRUE(admin->raw("kill " + std::to_string(before), nullptr, "test: kill"));
    LogCapture log;
    ASSERT_TRUE(select_ids(*c, r, "reconnect test: after kill"));
    EXPECT_EQ(r.rows.size(), 1u);
    ASSERT_TRUE(c->raw("select connection_id()", &r, "test: id"));
    EXPECT_NE(r.rows[0][0].i, before);
    EXPECT_EQ(count_of(log.text(), "was lost"), 1) << log.text();
}

TEST_F(MysqlReconnect, CrashedServerIsSurvivedToo) {
    ASSERT_TRUE(put(1, "before"));
    server->stop(/*abrupt=*/true);   // SIGKILL: the socket just breaks
    ASSERT_TRUE(server->start()) << server->error;
    LogCapture log;
    EXPECT_TRUE(put(2, "after"));
    EXPECT_EQ(rows(), 2);   // InnoDB kept the committed row
    EXPECT_EQ(count_of(log.text(), "was lost"), 1) << log.text();
}

TEST_F(MysqlReconnect, FailuresWhileDownAreLoggedOncePerBurst) {
    ASSERT_TRUE(put(1, "before"));
    std::chrono::steady_clock::time_point last_failure;
    server->stop();
    {
        LogCapture log;
        db::Result r;
        for (int i = 0; i < 5; ++i) {
            EXPECT_FALSE(select_ids(*c, r, "reconnect test: while down"));
            EXPECT_TRUE(r.rows.empty());
        }
        EXPECT_FALSE(put(3, "lost"));
        EXPECT_FALSE(c->raw("select 1", &r, "reconnect test: raw while down"));
        last_failure = std::chrono::steady_clock::now();
        const std::string& text = log.text();
        EXPECT_EQ(count_of(text, "reconnect test: while down"), 1) << text;
        EXPECT_EQ(count_of(text, "not logged until it works again"), 1) << text;
        EXPECT_EQ(count_of(text, "test: insert"), 0) << text;
        EXPECT_EQ(count_of(text, "raw while down"), 0) << text;
        EXPECT_NE(text.find("table 't'"), std::string::npos) << text;
        EXPECT_FALSE(c->last_error().empty());
    }
    // Escaping needs no server: a value escaped now is safe once it is back.
    const std::string hostile = "o'brien \\ \"x\"; drop table t; --";
    const std::string escaped = c->escape(hostile);

    ASSERT_TRUE(server->start()) << server->error;
    std::this_thread::sleep_until(last_failure + kPastReconnectPause);
    {
        LogCapture log;
        db::Result r;
        ASSERT_TRUE(select_ids(*c, r, "reconnect test: back"));
        ASSERT_EQ(r.rows.size(), 1u);
        const std::string& text = log.text();
        EXPECT_EQ(count_of(text, "works again (7 statement(s) failed meanwhile)"), 1) << text;
    }
    ASSERT_TRUE(c->raw("insert into t (id, name) values (4, '" + escaped + "')", nullptr, "test: escaped"));
    db::Result r;
    db::Where w[] = {{"id", db::Value::of_int(4)}};
    std::string_view cols[] = {"name"};
    ASSERT_TRUE(c->query({.table = "t", .where = w, .columns = cols}, r));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0].s, hostile);

    // A second outage (a crash this time) is a new burst: logged again, once.
    server->stop(/*abrupt=*/true);
    {
        LogCapture log;
        for (int i = 0; i < 3; ++i) EXPECT_FALSE(select_ids(*c, r, "reconnect test: second outage"));
        last_failure = std::chrono::steady_clock::now();
        ASSERT_TRUE(server->start()) << server->error;
        std::this_thread::sleep_until(last_failure + kPastReconnectPause);
        EXPECT_TRUE(select_ids(*c, r, "reconnect test: back again"));
        const std::string& text = log.text();
        EXPECT_EQ(count_of(text, "reconnect test: second outage"), 1) << text;
        EXPECT_EQ(count_of(text, "works again (3 statement(s) failed meanwhile)"), 1) << text;
    }
}

class MysqlNoAutoReconnect : public MysqlReconnect {
protected:
    std::string modparams() const override { return "modparam(\"mysql\", \"auto_reconnect\", 0)\n"; }
};

TEST_F(MysqlNoAutoReconnect, FirstStatementAfterARestartFailsTheNextWorks) {
    ASSERT_TRUE(put(1, "before"));
    server->stop();
    ASSERT_TRUE(server->start()) << server->error;
    db::Result r;
    {
        LogCapture log;
        EXPECT_FALSE(select_ids(*c, r, "reconnect test: one try"));   // one try, on the dead connection
        EXPECT_EQ(count_of(log.text(), "reconnect test: one try"), 1) << log.text();
    }
    LogCapture log;
    ASSERT_TRUE(select_ids(*c, r, "reconnect test: next"));   // connects again first
    EXPECT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(count_of(log.text(), "works again (1 statement(s) failed meanwhile)"), 1) << log.text();
}

class MysqlKeepAlive : public MysqlReconnect {
protected:
    std::string modparams() const override { return "modparam(\"mysql\", \"ping_interval\", 1)\n"; }
};

TEST_F(MysqlKeepAlive, PingOfAnIdleConnectionNoticesTheRestart) {
    ASSERT_TRUE(put(1, "before"));
    const auto last_use = std::chrono::steady_clock::now();
    server->stop();
    ASSERT_TRUE(server->start()) << server->error;
    std::this_thread::sleep_until(last_use + kPastReconnectPause);   // idle longer than ping_interval
    LogCapture log;
    db::Result r;
    ASSERT_TRUE(select_ids(*c, r, "reconnect test: after ping"));
    EXPECT_EQ(r.rows.size(), 1u);
    const std::string& text = log.text();
    EXPECT_EQ(count_of(text, "keep-alive ping"), 1) << text;
    // The reconnect's notice says why (the ping's error), not "lost ()".
    EXPECT_EQ(count_of(text, "was lost ("), 1) << text;
    EXPECT_EQ(count_of(text, "was lost ()"), 0) << text;
}

// PerWorker opens nothing at init; a worker whose first connect fails (the
// server is down) gets null, logged once, and connects at a use a second
// (core time) later once the server is back.
TEST_F(MysqlReconnect, PerWorkerConnectsOnceTheServerIsUp) {
    c.reset();   // else the worker would share its session (same URL, same thread)
    server->stop();
    db::PerWorker pw;
    std::string err;
    ASSERT_TRUE(pw.init(mod.h.server, url, "usrloc", err)) << err;
    {
        LogCapture log;
        EXPECT_EQ(pw.get(), nullptr);
        EXPECT_EQ(pw.get(), nullptr);   // no new try before a second passed
        mod.h.server.timer_wheel().advance(1000);
        EXPECT_EQ(pw.get(), nullptr);   // tried again, still down: not logged again
        const std::string& text = log.text();
        EXPECT_EQ(count_of(text, "usrloc: cannot connect to the database"), 1) << text;
    }
    ASSERT_TRUE(server->start()) << server->error;
    EXPECT_EQ(pw.get(), nullptr);   // the retry time has not come
    mod.h.server.timer_wheel().advance(1000);
    LogCapture log;
    db::Connection* conn = pw.get();
    ASSERT_NE(conn, nullptr);
    EXPECT_NE(log.text().find("usrloc: database connection open again"), std::string::npos) << log.text();
    db::Result r;
    EXPECT_TRUE(select_ids(*conn, r, "reconnect test: per worker"));
}

}  // namespace
}  // namespace ser::test::mysql
