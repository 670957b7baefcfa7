// One SQLite connection (db::Connection), used by one worker thread only.
// Prepared statements are cached by their SQL text, which depends only on
// the statement's shape: the REGISTER path runs the same few statements
// thousands of times a second.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include <sqlite3.h>

#include "ser/db.hpp"

namespace ser::mod::sqlite {

struct Options {
    int busy_timeout_ms = 5000;
};

class SqliteConnection : public db::Connection {
public:
    // Opens `path` (which must exist: the schema comes from tools/ser-db).
    static std::unique_ptr<SqliteConnection> open(const std::string& path, const Options& o, std::string& error);
    ~SqliteConnection() override;

    bool query(const db::Select& q, db::Result& out) override;
    bool insert(const db::Insert& q) override;
    bool update(const db::Update& q) override;
    bool remove(const db::Delete& q) override;
    bool raw(std::string_view sql, db::Result* out, std::string_view purpose) override;
    std::string escape(std::string_view s) override;
    std::string last_error() const override;

private:
    explicit SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    // The cached statement for `sql`, reset and unbound; null on error.
    sqlite3_stmt* prepare(const std::string& sql, std::string_view table, std::string_view purpose);
    bool bind(sqlite3_stmt* st, int index, const db::Value& v);
    // Steps `st` to the end, collecting rows into `out` when given.
    bool run(sqlite3_stmt* st, db::Result* out, std::string_view table, std::string_view purpose);
    bool fail(std::string_view what, std::string_view table, std::string_view purpose, const std::string& detail);

    sqlite3* db_;
    std::string path_;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace ser::mod::sqlite
