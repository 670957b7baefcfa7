// Connections in threads (modules.md §1.3, ser/db.hpp PerWorker): two
// threads with a connection each write at the same time; PerWorker gives
// each worker its own connection, opened at its first use.
#include <thread>

#include "runtime/core/server.hpp"
#include "tests/mysql/mysql_env.hpp"

namespace ser::test::mysql {
namespace {

using MysqlThreads = MysqlTest;

// Connections of the login `user` open on the server (its process list).
long sessions_of_login(db::Connection& admin, const std::string& user) {
    db::Result r;
    if (!admin.raw("select count(*) from information_schema.processlist where user='" + admin.escape(user) + "'", &r,
                   "test: sessions"))
        return -1;
    return std::atol(std::string(r.rows[0][0].s).c_str());
}

TEST_F(MysqlThreads, TwoThreadsWriteAtTheSameTime) {
    constexpr int kRows = 200;
    auto writer = [&](int base, std::string& error) {
        std::string e;
        auto own = connect(url, e);
        if (!own) {
            error = e;
            return;
        }
        for (int i = 0; i < kRows; ++i) {
            const std::string name = "w" + std::to_string(base + i) + "'s";
            db::Field f[] = {{"id", db::Value::of_int(base + i)}, {"name", db::Value::of_str(name)}};
            if (!own->insert({.table = "t", .fields = f, .purpose = "test: concurrent insert"})) {
                error = "insert " + std::to_string(base + i) + ": " + own->last_error();
                return;
            }
            db::Where w[] = {{"id", db::Value::of_int(base + i)}};
            db::Result r;
            if (!own->query({.table = "t", .where = w, .purpose = "test: concurrent select"}, r) ||
                r.rows.size() != 1 || r.rows[0][1].s != name) {
                error = "read back " + std::to_string(base + i) + ": " + own->last_error();
                return;
            }
        }
    };
    std::string ea, eb;
    std::thread a(writer, 0, std::ref(ea)), b(writer, 100000, std::ref(eb));
    a.join();
    b.join();
    EXPECT_EQ(ea, "");
    EXPECT_EQ(eb, "");
    EXPECT_EQ(rows(), 2 * kRows);
    EXPECT_EQ(rows("id >= 100000"), kRows);
}

TEST_F(MysqlThreads, PerWorkerSlotsConnectLazily) {
    // A login only the workers use: its sessions are theirs (a closed
    // session leaves the process list only a moment later).
    const std::string user = "worker_" + std::to_string(getpid());
    ASSERT_TRUE(server->sql("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw';\nGRANT ALL ON " + database +
                            ".* TO '" + user + "'@'%';\n"));
    std::string err;
    auto admin = connect(url_of(*server, database, "authtest", "authpw"), err);
    ASSERT_NE(admin, nullptr) << err;
    ASSERT_EQ(sessions_of_login(*admin, user), 0);

    mod.h.server.set_worker_count(2);
    db::PerWorker pw;
    ASSERT_TRUE(pw.init(mod.h.server, url_of(*server, database, user, "pw"), "usrloc", err)) << err;
    EXPECT_TRUE(pw.ready());
    EXPECT_EQ(pw.url().database, database);
    EXPECT_EQ(sessions_of_login(*admin, user), 0);   // init opens nothing

    db::Connection* mine = nullptr;
    rt::Server::set_worker_index(0);
    mine = pw.get();
    ASSERT_NE(mine, nullptr);
    EXPECT_EQ(pw.get(), mine);   // kept
    EXPECT_EQ(sessions_of_login(*admin, user), 1);

    db::Connection* theirs = nullptr;
    std::string their_id;
    std::thread([&] {
        rt::Server::set_worker_index(1);
        theirs = pw.get();
        db::Result r;
        if (theirs && theirs->raw("select connection_id()", &r, "test: id")) their_id = std::to_string(r.rows[0][0].i);
    }).join();
    ASSERT_NE(theirs, nullptr);
    EXPECT_NE(theirs, mine);
    EXPECT_EQ(sessions_of_login(*admin, user), 2);
    db::Result r;
    ASSERT_TRUE(mine->raw("select connection_id()", &r, "test: id"));
    EXPECT_NE(std::to_string(r.rows[0][0].i), their_id);

    // A worker index the slots were not made for gets nothing (logged).
    LogCapture log;
    rt::Server::set_worker_index(2);
    EXPECT_EQ(pw.get(), nullptr);
    rt::Server::set_worker_index(0);
    EXPECT_NE(log.text().find("usrloc: no database connection slot for worker 2"), std::string::npos) << log.text();
}

}  // namespace
}  // namespace ser::test::mysql
