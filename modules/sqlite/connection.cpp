#include "modules/sqlite/connection.hpp"

#include <cctype>

#include "modules/sqlite/statement.hpp"
#include "ser/log.hpp"

namespace ser::mod::sqlite {

namespace {

// The DB API type of a column from its declared type (the schema's MySQL
// type names), as the mysql driver types its results.
db::Type declared_type(const char* decl, int dynamic) {
    if (decl) {
        std::string d;
        for (const char* p = decl; *p; ++p) d += char(std::toupper(static_cast<unsigned char>(*p)));
        if (d.find("DATE") != std::string::npos || d.find("TIME") == 0) return db::Type::DateTime;
        if (d.find("TIMESTAMP") != std::string::npos) return db::Type::Int;
        if (d.find("INT") != std::string::npos) return db::Type::Int;
        if (d.find("FLOA") != std::string::npos || d.find("DOUB") != std::string::npos ||
            d.find("REAL") != std::string::npos || d.find("DEC") != std::string::npos)
            return db::Type::Double;
        if (d.find("BLOB") != std::string::npos) return db::Type::Blob;
        return db::Type::String;
    }
    switch (dynamic) {
        case SQLITE_INTEGER: return db::Type::Int;
        case SQLITE_FLOAT: return db::Type::Double;
        case SQLITE_BLOB: return db::Type::Blob;
        default: return db::Type::String;
    }
}

}  // namespace

std::unique_ptr<SqliteConnection> SqliteConnection::open(const std::string& path, const Options& o,
                                                         std::string& error) {
    sqlite3* db = nullptr;
    // NOMUTEX: a connection belongs to one thread; FULLMUTEX would lock per call.
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        error = "cannot open SQLite database '" + path + "': " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) +
                " (create it with: tools/ser-db create sqlite " + path + ")";
        if (db) sqlite3_close(db);
        return nullptr;
    }
    sqlite3_busy_timeout(db, o.busy_timeout_ms);
    // Identifiers are rendered in double quotes; without this SQLite would
    // read a misspelt column name as a string literal and match nothing.
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
    // WAL lets every worker and a management tool read while one writes;
    // synchronous=NORMAL survives a crash of ser (not of the machine) with
    // every committed write.
    char* msg = nullptr;
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr, &msg) != SQLITE_OK) {
        error = "cannot set up SQLite database '" + path + "': " + (msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return nullptr;
    }
    return std::unique_ptr<SqliteConnection>(new SqliteConnection(db, path));
}

SqliteConnection::~SqliteConnection() {
    for (auto& [sql, st] : cache_) sqlite3_finalize(st);
    sqlite3_close(db_);
}

bool SqliteConnection::fail(std::string_view what, std::string_view table, std::string_view purpose,
                            const std::string& detail) {
    SER_ERR("sqlite: {} failed ({}; table '{}' in {}): {}", what, purpose.empty() ? "no purpose given" : purpose,
            table, path_, detail);
    return false;
}

sqlite3_stmt* SqliteConnection::prepare(const std::string& sql, std::string_view table, std::string_view purpose) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
        sqlite3_reset(it->second);
        sqlite3_clear_bindings(it->second);
        return it->second;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), int(sql.size()), &st, nullptr) != SQLITE_OK) {
        fail("prepare of '" + sql + "'", table, purpose, sqlite3_errmsg(db_));
        return nullptr;
    }
    cache_.emplace(sql, st);
    return st;
}

bool SqliteConnection::bind(sqlite3_stmt* st, int i, const db::Value& v) {
    if (v.null) return sqlite3_bind_null(st, i) == SQLITE_OK;
    switch (v.type) {
        case db::Type::Int:
        case db::Type::Bitmap: return sqlite3_bind_int64(st, i, v.i) == SQLITE_OK;
        case db::Type::Double: return sqlite3_bind_double(st, i, v.d) == SQLITE_OK;
        case db::Type::String:
            // Lengths everywhere: a NUL inside a value is stored as is. The
            // value outlives the statement's run (SQLITE_STATIC).
            return sqlite3_bind_text(st, i, v.s.data() ? v.s.data() : "", int(v.s.size()), SQLITE_STATIC) == SQLITE_OK;
        case db::Type::Blob:
            return sqlite3_bind_blob(st, i, v.s.data() ? v.s.data() : "", int(v.s.size()), SQLITE_STATIC) == SQLITE_OK;
        case db::Type::DateTime: {
            std::string t = format_datetime(v.t);
            return sqlite3_bind_text(st, i, t.data(), int(t.size()), SQLITE_TRANSIENT) == SQLITE_OK;
        }
    }
    return false;
}

bool SqliteConnection::run(sqlite3_stmt* st, db::Result* out, std::string_view table, std::string_view purpose) {
    const int ncol = out ? sqlite3_column_count(st) : 0;
    if (out) {
        out->clear();
        for (int c = 0; c < ncol; ++c) out->columns.emplace_back(sqlite3_column_name(st, c));
    }
    for (;;) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
            std::string err = sqlite3_errmsg(db_);
            sqlite3_reset(st);
            return fail("statement '" + std::string(sqlite3_sql(st)) + "'", table, purpose, err);
        }
        if (!out) continue;
        auto& row = out->rows.emplace_back();
        row.reserve(size_t(ncol));
        for (int c = 0; c < ncol; ++c) {
            const int dyn = sqlite3_column_type(st, c);
            db::Value v;
            v.type = declared_type(sqlite3_column_decltype(st, c), dyn);
            if (dyn == SQLITE_NULL) {
                v.null = true;
            } else {
                switch (v.type) {
                    case db::Type::Int:
                    case db::Type::Bitmap: v.i = sqlite3_column_int64(st, c); break;
                    case db::Type::Double: v.d = sqlite3_column_double(st, c); break;
                    case db::Type::DateTime: {
                        const char* t = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
                        std::string_view text(t ? t : "", size_t(sqlite3_column_bytes(st, c)));
                        if (!parse_datetime(text, v.t)) v.t = time_t(sqlite3_column_int64(st, c));
                        break;
                    }
                    case db::Type::Blob: {
                        const void* b = sqlite3_column_blob(st, c);
                        v.s = out->keep(std::string_view(static_cast<const char*>(b), size_t(sqlite3_column_bytes(st, c))));
                        break;
                    }
                    case db::Type::String: {
                        const char* t = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
                        v.s = out->keep(std::string_view(t ? t : "", size_t(sqlite3_column_bytes(st, c))));
                        break;
                    }
                }
            }
            row.push_back(v);
        }
    }
    sqlite3_reset(st);
    return true;
}

bool SqliteConnection::query(const db::Select& q, db::Result& out) {
    std::string sql, err;
    if (!render_select(q, sql, err)) return fail("select", q.table, q.purpose, err);
    sqlite3_stmt* st = prepare(sql, q.table, q.purpose);
    if (!st) return false;
    int i = 1;
    for (const auto& w : q.where)
        if (!bind(st, i++, w.value)) return fail("bind", q.table, q.purpose, sqlite3_errmsg(db_));
    return run(st, &out, q.table, q.purpose);
}

bool SqliteConnection::insert(const db::Insert& q) {
    std::string sql, err;
    if (!render_insert(q, sql, err)) return fail("insert", q.table, q.purpose, err);
    sqlite3_stmt* st = prepare(sql, q.table, q.purpose);
    if (!st) return false;
    int i = 1;
    for (const auto& f : q.fields)
        if (!bind(st, i++, f.value)) return fail("bind", q.table, q.purpose, sqlite3_errmsg(db_));
    return run(st, nullptr, q.table, q.purpose);
}

bool SqliteConnection::update(const db::Update& q) {
    std::string sql, err;
    if (!render_update(q, sql, err)) return fail("update", q.table, q.purpose, err);
    sqlite3_stmt* st = prepare(sql, q.table, q.purpose);
    if (!st) return false;
    int i = 1;
    for (const auto& f : q.set)
        if (!bind(st, i++, f.value)) return fail("bind", q.table, q.purpose, sqlite3_errmsg(db_));
    for (const auto& w : q.where)
        if (!bind(st, i++, w.value)) return fail("bind", q.table, q.purpose, sqlite3_errmsg(db_));
    return run(st, nullptr, q.table, q.purpose);
}

bool SqliteConnection::remove(const db::Delete& q) {
    std::string sql, err;
    if (!render_delete(q, sql, err)) return fail("delete", q.table, q.purpose, err);
    sqlite3_stmt* st = prepare(sql, q.table, q.purpose);
    if (!st) return false;
    int i = 1;
    for (const auto& w : q.where)
        if (!bind(st, i++, w.value)) return fail("bind", q.table, q.purpose, sqlite3_errmsg(db_));
    return run(st, nullptr, q.table, q.purpose);
}

bool SqliteConnection::raw(std::string_view sql, db::Result* out, std::string_view purpose) {
    if (!out) {
        // Several statements allowed (a schema, a batch).
        char* msg = nullptr;
        std::string text(sql);
        if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
            std::string e = msg ? msg : sqlite3_errmsg(db_);
            sqlite3_free(msg);
            return fail("raw statement", "-", purpose, e);
        }
        return true;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), int(sql.size()), &st, nullptr) != SQLITE_OK)
        return fail("raw statement", "-", purpose, sqlite3_errmsg(db_));
    bool ok = run(st, out, "-", purpose);
    sqlite3_finalize(st);
    return ok;
}

std::string SqliteConnection::escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out;
}

std::string SqliteConnection::last_error() const { return sqlite3_errmsg(db_); }

}  // namespace ser::mod::sqlite
