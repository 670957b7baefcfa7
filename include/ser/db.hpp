// The database API every module uses (SER's db_func_t, typed and scoped).
// A driver is a module (mysql.so, sqlite.so) that exports a db::Driver under
// the API name "db:<scheme>" at init; a user module finds it from its db_url:
//   db::Driver* d = db::find_driver(core, url, error);
// and keeps one Connection per worker thread (db::PerWorker below): a
// connection is never used by two threads.
//
// Statements are described, not written: the driver renders them in its SQL
// dialect and escapes every value itself (no caller builds SQL from user
// input). Every call names its purpose ("auth_db: credentials of a user"):
// the driver logs each failure with it, the table and the server's error.
#pragma once

#include <cstdint>
#include <ctime>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ser/core.hpp"

namespace ser::db {

// SER's db_type_t. Str and String are one type here (SER had both for C
// string vs counted string).
enum class Type : uint8_t { Int, Double, String, DateTime, Blob, Bitmap };

struct Value {
    Type type = Type::Int;
    bool null = false;
    int64_t i = 0;          // Int, Bitmap (unsigned 32-bit in SER)
    double d = 0;           // Double
    time_t t = 0;           // DateTime (UNIX time)
    std::string_view s;     // String, Blob; input: the caller's memory, output: the Result's

    static Value of_int(int64_t v) { Value x; x.type = Type::Int; x.i = v; return x; }
    static Value of_bitmap(uint32_t v) { Value x; x.type = Type::Bitmap; x.i = v; return x; }
    static Value of_double(double v) { Value x; x.type = Type::Double; x.d = v; return x; }
    static Value of_str(std::string_view v) { Value x; x.type = Type::String; x.s = v; return x; }
    static Value of_blob(std::string_view v) { Value x; x.type = Type::Blob; x.s = v; return x; }
    static Value of_time(time_t v) { Value x; x.type = Type::DateTime; x.t = v; return x; }
    static Value null_of(Type t) { Value x; x.type = t; x.null = true; return x; }
};

// column <op> value; op empty = "=". Allowed ops: = < > <= >= != (drivers refuse others).
struct Where {
    std::string_view column;
    Value value;
    std::string_view op = {};
};

// column = value (insert, update's SET).
struct Field {
    std::string_view column;
    Value value;
};

// Rows of a query. Values of a string type point into the Result, valid
// until it is cleared or destroyed.
class Result {
public:
    std::vector<std::string> columns;
    std::vector<std::vector<Value>> rows;

    // Copies `s` into storage owned by the result (stable addresses).
    std::string_view keep(std::string_view s) {
        if (s.empty()) return {};
        return store_.emplace_back(s);
    }
    void clear() {
        columns.clear();
        rows.clear();
        store_.clear();
    }

private:
    std::deque<std::string> store_;
};

struct Select {
    std::string_view table;
    std::span<const Where> where = {};
    std::span<const std::string_view> columns = {};   // empty: every column
    std::string_view order_by = {};                    // one column, ascending
    std::string_view purpose = {};
};

struct Insert {
    std::string_view table;
    std::span<const Field> fields;
    std::string_view purpose = {};
};

struct Update {
    std::string_view table;
    std::span<const Where> where;
    std::span<const Field> set;
    std::string_view purpose = {};
};

struct Delete {
    std::string_view table;
    std::span<const Where> where = {};   // empty: every row
    std::string_view purpose = {};
};

// One connection to one database. Not thread-safe: one per worker. Every
// call returns false on failure (already logged by the driver with the
// purpose); a lost server connection is retried by the driver as its
// parameters say, so callers simply report the failure.
class Connection {
public:
    virtual ~Connection() = default;
    virtual bool query(const Select& q, Result& out) = 0;
    virtual bool insert(const Insert& q) = 0;
    virtual bool update(const Update& q) = 0;
    virtual bool remove(const Delete& q) = 0;
    // A statement in the driver's own dialect (SER's raw_query): `out` may
    // be null when no rows are wanted. Callers must not splice user input
    // into `sql` without escape().
    virtual bool raw(std::string_view sql, Result* out, std::string_view purpose) = 0;
    // `s` as the body of a quoted string literal of this driver's dialect.
    virtual std::string escape(std::string_view s) = 0;
    // The last error of this connection's server (for messages).
    virtual std::string last_error() const = 0;
};

// A parsed db_url: scheme://[user[:password]@]host[:port]/database (SER's
// mysql form), or scheme:///path for a file (sqlite). `rest` is everything
// after "scheme://".
struct Url {
    std::string scheme;     // lower-case
    std::string user, password, host, database;
    uint16_t port = 0;      // 0 = the driver's default
    std::string rest;
};

// Parses `text`; false + error on a malformed URL. The server form needs a
// host and a database; the file form (sqlite) only `rest`.
bool parse_url(std::string_view text, Url& out, std::string& error);

// A driver module exports one of these as "db:<scheme>".
class Driver {
public:
    static constexpr uint32_t kVersion = 1;
    virtual ~Driver() = default;
    // Opens a connection; null + error (also logged) when it cannot. Called
    // from the worker that will use the connection.
    virtual std::unique_ptr<Connection> connect(const Url& url, std::string& error) = 0;
};

// The API name a driver registers under: "db:" + scheme.
inline std::string driver_api_name(std::string_view scheme) {
    std::string n = "db:";
    n.append(scheme);
    return n;
}

// The driver for `url` (by its scheme), or null + error ("no database
// driver module 'mysql' loaded for db_url ...").
Driver* find_driver(const Core& core, std::string_view url, std::string& error);

// A connection of its own to `url` (driver found, URL parsed, connected), or
// null + error. For start-up checks such as table versions: the caller closes
// it, so the start-up thread keeps no idle connection (SER's *_db_ver).
std::unique_ptr<Connection> connect(const Core& core, std::string_view url, std::string& error);

// The table's row in `version` (SER's table_version): 0 when missing, -1 on
// an error or two rows (logged).
int table_version(Connection& c, std::string_view table);

// One connection per worker thread, opened on first use in that thread and
// again after a failure (a server restart is survived by the driver's own
// reconnect; a worker whose first connect failed retries at its next use,
// at most once per second). Create it in init(); get() from any worker.
class PerWorker {
public:
    PerWorker() = default;
    // `owner` names the module in messages ("usrloc").
    bool init(Core& core, std::string_view url, std::string_view owner, std::string& error);
    // This worker's connection, or null (logged once per failure burst).
    Connection* get();
    bool ready() const { return driver_ != nullptr; }
    const Url& url() const { return url_; }

private:
    struct Slot {
        std::unique_ptr<Connection> conn;
        uint64_t retry_at_ms = 0;
        bool failing = false;
    };
    Core* core_ = nullptr;
    Driver* driver_ = nullptr;
    Url url_;
    std::string owner_;
    std::vector<Slot> slots_;
};

}  // namespace ser::db
