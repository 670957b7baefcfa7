// Test environment of the mysql suite: mysql.so loaded by the real loader,
// a database made once per binary by `tools/ser-db create mysql` on the
// private MariaDB server (tests/support/mariadb_server.hpp), a fresh test
// table per test, and the log (stderr) captured for assertions.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "runtime/core/log_sink.hpp"
#include "ser/db.hpp"
#include "ser/log.hpp"
#include "tests/script/harness.hpp"
#include "tests/support/mariadb_server.hpp"

#ifndef SER_SOURCE_DIR
#define SER_SOURCE_DIR "."
#endif

namespace ser::test::mysql {

// The login `tools/ser-db create mysql` makes (all privileges on its database).
inline constexpr const char* kUser = "ser";
inline constexpr const char* kPassword = "heslo";

// The binary's database, made by the tool on first use; empty + why when
// the server or the tool fails.
inline const std::string& suite_database(MariaDbServer& server, std::string& why) {
    static std::string error;
    static const std::string name = [&]() -> std::string {
        std::string n = "sermysql_" + std::to_string(getpid());
        std::string cmd = "MYSQL_UNIX_PORT='" + server.sock + "' SIP_DOMAIN=example.com '" SER_SOURCE_DIR
                          "/tools/ser-db' create mysql " + n + " >>'" + server.log + "' 2>&1";
        if (std::system(cmd.c_str()) != 0) {
            error = "tools/ser-db create mysql failed (log " + server.log + ")";
            return {};
        }
        return n;
    }();
    why = error;
    return name;
}

inline std::string url_of(const MariaDbServer& s, std::string_view database, std::string_view user = kUser,
                          std::string_view password = kPassword) {
    std::string u = "mysql://";
    u.append(user).append(":").append(password).append("@127.0.0.1:").append(std::to_string(s.port));
    return u.append("/").append(database);
}

// Occurrences of `needle` in `text`.
inline int count_of(std::string_view text, std::string_view needle) {
    int n = 0;
    for (size_t p = text.find(needle); p != std::string_view::npos; p = text.find(needle, p + needle.size())) ++n;
    return n;
}

// Rows of table t (a test's) matching `w`; an expectation fails when the
// query does.
inline db::Result select_where(db::Connection& c, std::span<const db::Where> w,
                               std::span<const std::string_view> cols = {}, std::string_view order_by = {}) {
    db::Result r;
    EXPECT_TRUE(c.query({.table = "t", .where = w, .columns = cols, .order_by = order_by, .purpose = "test: select"}, r));
    return r;
}

// Captures what is logged (stderr) from construction until text(), at
// `level` (restored afterwards).
class LogCapture {
public:
    explicit LogCapture(int level = L_NOTICE) : saved_(log_level()) {
        set_log_level(level);
        ::testing::internal::CaptureStderr();
    }
    ~LogCapture() {
        if (!done_) text();
    }
    const std::string& text() {
        if (!done_) {
            text_ = ::testing::internal::GetCapturedStderr();
            done_ = true;
            set_log_level(saved_);
        }
        return text_;
    }

private:
    int saved_;
    bool done_ = false;
    std::string text_;
};

// mysql.so in a harness of its own, with `modparams` (modparam lines), and
// its driver.
struct Loaded {
    Harness h;
    db::Driver* driver = nullptr;

    bool load(const std::string& modparams, std::string& error) {
        if (!h.load("listen=udp:127.0.0.1:5060\nloadmodule \"mysql.so\"\n" + modparams + "route { break; }\n")) {
            error = h.errors;
            return false;
        }
        driver = db::find_driver(h.server, "mysql://x/y", error);
        return driver != nullptr;
    }

    std::unique_ptr<db::Connection> connect(const std::string& url, std::string& error) {
        db::Url u;
        if (!db::parse_url(url, u, error)) return nullptr;
        return driver->connect(u, error);
    }
};

// A test on the suite's database with one connection `c` and an empty
// table t of every column type the driver maps.
class MysqlTest : public ::testing::Test {
protected:
    MariaDbServer* server = nullptr;
    std::string database, url;
    Loaded mod;
    std::unique_ptr<db::Connection> c;

    // The module's parameters for this fixture (modparam lines).
    virtual std::string modparams() const { return {}; }

    void SetUp() override {
        std::string why;
        server = MariaDbServer::get(why);
        if (!server) GTEST_SKIP() << why;
        ASSERT_TRUE(server->start()) << server->error;   // a failed test may have left it stopped
        database = suite_database(*server, why);
        ASSERT_FALSE(database.empty()) << why;
        url = url_of(*server, database);
        ASSERT_TRUE(mod.load(modparams(), why)) << why;
        c = mod.connect(url, why);
        ASSERT_NE(c, nullptr) << why;
        ASSERT_TRUE(c->raw("drop table if exists t", nullptr, "test: fresh table"));
        ASSERT_TRUE(c->raw("create table t (id int(11), name varchar(64), q double, f float(10,2), at datetime, "
                           "data blob, flags int(10) unsigned, big bigint, ts timestamp null default null, "
                           "txt text, opts set('a','b','c'))",
                           nullptr, "test: fresh table"));
    }

    void TearDown() override {
        c.reset();
        if (server && !server->running()) server->start();   // the next test needs it
    }

    std::unique_ptr<db::Connection> connect(const std::string& u, std::string& error) {
        return mod.connect(u, error);
    }

    // The db_url of a second, empty database whose default character set
    // is utf8mb4 (made once), for the login with all privileges.
    std::string utf8_database() {
        static const std::string name = [this] {
            std::string n = "sermysql8_" + std::to_string(getpid());
            return server->sql("CREATE DATABASE " + n + " CHARACTER SET utf8mb4;\n") ? n : std::string();
        }();
        EXPECT_FALSE(name.empty()) << "cannot create the utf8mb4 database (log " << server->log << ")";
        return url_of(*server, name, "authtest", "authpw");
    }

    bool put(int id, std::string_view name, double q = 0, std::string_view data = {}) {
        db::Field f[] = {{"id", db::Value::of_int(id)}, {"name", db::Value::of_str(name)},
                         {"q", db::Value::of_double(q)}, {"data", db::Value::of_blob(data)}};
        return c->insert({.table = "t", .fields = f, .purpose = "test: insert"});
    }

    // select count(*) (a bigint: typed String by the driver, as SER).
    long rows(std::string_view where_sql = {}) {
        db::Result r;
        std::string sql = "select count(*) from t";
        if (!where_sql.empty()) sql.append(" where ").append(where_sql);
        if (!c->raw(sql, &r, "test: count") || r.rows.size() != 1) return -1;
        return std::atol(std::string(r.rows[0][0].s).c_str());
    }
};

}  // namespace ser::test::mysql
