// Test environment of the auth suites: a real database (a SQLite file in a
// temporary directory, or a MariaDB server started by the test), filled
// through the real driver module, and SIP requests with RFC 2617 digest
// credentials computed here.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "modules/auth/md5.hpp"
#include "ser/db.hpp"
#include "tests/support/mariadb_server.hpp"
#include "tests/script/harness.hpp"

#ifndef SER_SOURCE_DIR
#define SER_SOURCE_DIR "."
#endif

namespace ser::test::auth {

inline std::string md5(std::initializer_list<std::string_view> parts) { return mod::auth::md5_hex(parts); }

using TempDir = ser::test::TempDir;

// The tables of db-schema.md §3.1, 3.2 and 3.4 that auth_db and uri_db read,
// in SQL both SQLite and MariaDB accept (used when tools/ser-db is absent).
inline const std::vector<std::string>& schema_sql() {
    static const std::vector<std::string> s = {
        "CREATE TABLE version (table_name VARCHAR(64) NOT NULL, table_version SMALLINT NOT NULL DEFAULT 0)",
        "CREATE TABLE subscriber (phplib_id VARCHAR(32) NOT NULL DEFAULT '', username VARCHAR(64) NOT NULL "
        "DEFAULT '', domain VARCHAR(128) NOT NULL DEFAULT '', password VARCHAR(25) NOT NULL DEFAULT '', "
        "first_name VARCHAR(25) NOT NULL DEFAULT '', last_name VARCHAR(45) NOT NULL DEFAULT '', phone "
        "VARCHAR(15) NOT NULL DEFAULT '', email_address VARCHAR(50) NOT NULL DEFAULT '', confirmation "
        "VARCHAR(64) NOT NULL DEFAULT '', flag CHAR(1) NOT NULL DEFAULT 'o', sendnotification VARCHAR(50) NOT "
        "NULL DEFAULT '', greeting VARCHAR(50) NOT NULL DEFAULT '', ha1 VARCHAR(128) NOT NULL DEFAULT '', ha1b "
        "VARCHAR(128) NOT NULL DEFAULT '', allow_find CHAR(1) NOT NULL DEFAULT '0', timezone VARCHAR(128) "
        "NULL, rpid VARCHAR(128) NULL, domn INT NULL, uuid VARCHAR(64) NULL, PRIMARY KEY (username, domain))",
        "CREATE TABLE uri (username VARCHAR(64) NOT NULL DEFAULT '', domain VARCHAR(128) NOT NULL DEFAULT '', "
        "uri_user VARCHAR(50) NOT NULL DEFAULT '', PRIMARY KEY (username, domain, uri_user))",
        "INSERT INTO version (table_name, table_version) VALUES ('subscriber', 5)",
        "INSERT INTO version (table_name, table_version) VALUES ('uri', 1)",
    };
    return s;
}

// A database and an administrative connection to it through the driver
// module (loaded into a harness of its own), so rows with any bytes in
// them are written without SQL text.
class Db {
public:
    virtual ~Db() = default;
    virtual std::string url() const = 0;
    virtual std::string driver_module() const = 0;   // "sqlite.so"
    bool by_tool = false;   // the tables came from tools/ser-db

    // Opens the admin connection (call after the database exists).
    bool connect(std::string& error) {
        admin_ = std::make_unique<Harness>();
        std::string cfg = "listen=udp:127.0.0.1:5061\nloadmodule \"" + driver_module() + "\"\n";
        if (!admin_->load(cfg + "route{ drop; }\n")) {
            error = admin_->errors;
            return false;
        }
        db::Driver* d = db::find_driver(admin_->server, url(), error);
        if (!d) return false;
        db::Url u;
        if (!db::parse_url(url(), u, error)) return false;
        conn_ = d->connect(u, error);
        return conn_ != nullptr;
    }
    db::Connection& conn() { return *conn_; }

    bool sql(const std::string& s) { return conn_->raw(s, nullptr, "auth test"); }

    bool create_schema() {
        for (const auto& s : schema_sql())
            if (!sql(s)) return false;
        return true;
    }

    struct User {
        std::string username, domain, password;
        std::string ha1 = "-", ha1b = "-";   // "-": computed from the password
        std::optional<std::string> rpid = {}, uuid = {};
        std::optional<int64_t> domn = {};
    };

    bool add_user(const User& u) {
        std::string ha1 = u.ha1 == "-" ? md5({u.username, ":", u.domain, ":", u.password}) : u.ha1;
        std::string ha1b =
            u.ha1b == "-" ? md5({u.username, "@", u.domain, ":", u.domain, ":", u.password}) : u.ha1b;
        std::string phplib_id = md5({u.username, "@", u.domain});
        std::vector<db::Field> f = {
            {"username", db::Value::of_str(u.username)}, {"domain", db::Value::of_str(u.domain)},
            {"password", db::Value::of_str(u.password)}, {"ha1", db::Value::of_str(ha1)},
            {"ha1b", db::Value::of_str(ha1b)},
            {"phplib_id", db::Value::of_str(phplib_id)},
            {"rpid", u.rpid ? db::Value::of_str(*u.rpid) : db::Value::null_of(db::Type::String)},
            {"uuid", u.uuid ? db::Value::of_str(*u.uuid) : db::Value::null_of(db::Type::String)},
            {"domn", u.domn ? db::Value::of_int(*u.domn) : db::Value::null_of(db::Type::Int)},
        };
        return conn_->insert({.table = "subscriber", .fields = f, .purpose = "auth test: add user"});
    }

    bool add_uri(const std::string& user, const std::string& domain, const std::string& uri_user) {
        db::Field f[] = {{"username", db::Value::of_str(user)},
                         {"domain", db::Value::of_str(domain)},
                         {"uri_user", db::Value::of_str(uri_user)}};
        return conn_->insert({.table = "uri", .fields = f, .purpose = "auth test: add uri"});
    }

    bool set_version(const std::string& table, int v) {
        db::Where w[] = {{"table_name", db::Value::of_str(table)}};
        db::Field f[] = {{"table_version", db::Value::of_int(v)}};
        return conn_->update({.table = "version", .where = w, .set = f, .purpose = "auth test: version"});
    }

private:
    std::unique_ptr<Harness> admin_;
    std::unique_ptr<db::Connection> conn_;
};

// True when the module `name` was built (the database drivers are
// optional build targets).
inline bool ser_db_tool_exists() {
    return access((std::string(SER_SOURCE_DIR) + "/tools/ser-db").c_str(), X_OK) == 0;
}

inline bool module_built(const std::string& name) {
    namespace fs = std::filesystem;
    const fs::path dir = SER_MODULE_BUILD_DIR;
    std::string stem = fs::path(name).stem().string();
    return fs::exists(dir / name) || fs::exists(dir / stem / name);
}

// A SQLite database file in a temporary directory: tables made by
// `tools/ser-db create sqlite` when that tool exists, else by schema_sql().
class SqliteDb : public Db {
public:
    TempDir dir;
    std::string file = (dir.path / "ser.db").string();

    std::string url() const override { return "sqlite://" + file; }
    std::string driver_module() const override { return "sqlite.so"; }

    bool create(std::string& error) {
        const std::string tool = std::string(SER_SOURCE_DIR) + "/tools/ser-db";
        bool made = false;
        if (access(tool.c_str(), X_OK) == 0) {
            std::string cmd = "SIP_DOMAIN=example.com '" + tool + "' create sqlite '" + file + "' >/dev/null 2>&1";
            made = std::system(cmd.c_str()) == 0;
        }
        by_tool = made;
        if (!connect(error)) return false;
        if (!made && !create_schema()) {
            error = "cannot create the tables: " + conn().last_error();
            return false;
        }
        // ser-db may add an initial user; the tests start from an empty table.
        return conn().remove({.table = "subscriber", .purpose = "auth test: empty"}) &&
               conn().remove({.table = "uri", .purpose = "auth test: empty"});
    }
};

// ---- SIP side ------------------------------------------------------------------

struct Challenge {
    int status = 0;
    std::string header;   // the WWW-/Proxy-Authenticate line, without CRLF
    std::string realm, nonce;
    bool qop = false, stale = false;
};

inline int status_of(const std::string& m) {
    if (m.rfind("SIP/2.0 ", 0) != 0) return 0;
    return std::atoi(m.c_str() + 8);
}

// Header lines named `name` (exact case) of `m`.
inline std::vector<std::string> header_values(const std::string& m, const std::string& name) {
    std::vector<std::string> out;
    size_t p = m.find("\r\n");
    size_t end = m.find("\r\n\r\n");
    while (p != std::string::npos && p < end) {
        p += 2;
        size_t e = m.find("\r\n", p);
        std::string line = m.substr(p, e - p);
        if (line.rfind(name + ":", 0) == 0) out.push_back(line);
        p = e;
    }
    return out;
}

inline Challenge parse_challenge(const std::string& reply) {
    Challenge c;
    c.status = status_of(reply);
    auto www = header_values(reply, "WWW-Authenticate");
    auto proxy = header_values(reply, "Proxy-Authenticate");
    if (!www.empty()) c.header = www[0];
    else if (!proxy.empty()) c.header = proxy[0];
    std::smatch m;
    if (std::regex_search(c.header, m, std::regex("realm=\"([^\"]*)\""))) c.realm = m[1];
    if (std::regex_search(c.header, m, std::regex("nonce=\"([^\"]*)\""))) c.nonce = m[1];
    c.qop = c.header.find("qop=\"auth\"") != std::string::npos;
    c.stale = c.header.find("stale=true") != std::string::npos;
    return c;
}

// Digest credentials (RFC 2617 §3.2.2) for one request.
struct Digest {
    std::string username = "alice";
    std::string realm = "example.com";
    std::string password = "secret";
    std::string method = "REGISTER";
    std::string uri = "sip:example.com";
    std::string nonce;
    std::string qop;                  // "" = no qop
    std::string nc = "00000001";
    std::string cnonce = "0a4f113b";
    std::string ha1;                  // "" = from username:realm:password
    std::string extra;                // more parameters, ", x=y"

    std::string response() const {
        std::string h1 = ha1.empty() ? md5({username, ":", realm, ":", password}) : ha1;
        std::string h2 = md5({method, ":", uri});
        if (qop.empty()) return md5({h1, ":", nonce, ":", h2});
        return md5({h1, ":", nonce, ":", nc, ":", cnonce, ":", qop, ":", h2});
    }
    std::string header_value() const {
        std::string v = "Digest username=\"" + username + "\", realm=\"" + realm + "\", nonce=\"" + nonce +
                        "\", uri=\"" + uri + "\", response=\"" + response() + "\"";
        if (!qop.empty()) v += ", qop=" + qop + ", nc=" + nc + ", cnonce=\"" + cnonce + "\"";
        return v + ", algorithm=MD5" + extra;
    }
};

// REGISTER for alice@example.com from 127.0.0.1:5096; `extra` = header lines.
inline std::string register_req(const std::string& extra = "", const std::string& to = "sip:alice@example.com",
                                int cseq = 1) {
    return "REGISTER sip:example.com SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5096;branch=z9hG4bK-r" + std::to_string(cseq) + "\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:alice@example.com>;tag=f1\r\n"
           "To: <" + to + ">\r\n"
           "Call-ID: reg1@127.0.0.1\r\n"
           "CSeq: " + std::to_string(cseq) + " REGISTER\r\n"
           "Contact: <sip:alice@127.0.0.1:5096>\r\n" + extra +
           "Content-Length: 0\r\n\r\n";
}

// A request `method` from `from` to sip:bob@example.com.
inline std::string request(const std::string& method, const std::string& extra = "",
                           const std::string& from = "sip:alice@example.com",
                           const std::string& ruri = "sip:bob@example.com") {
    return method + " " + ruri + " SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5096;branch=z9hG4bK-i1\r\n"
           "Max-Forwards: 70\r\n"
           "From: <" + from + ">;tag=f1\r\n"
           "To: <sip:bob@example.com>\r\n"
           "Call-ID: inv1@127.0.0.1\r\n"
           "CSeq: 1 " + method + "\r\n"
           "Contact: <sip:alice@127.0.0.1:5096>\r\n" + extra +
           "Content-Length: 0\r\n\r\n";
}

// Nonce of SER's format for `expires` with `secret` (modules.md §8.4),
// computed here independently of the module.
inline std::string make_nonce(uint32_t expires, const std::string& secret) {
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", expires);
    return std::string(hex) + md5({hex, secret});
}

}  // namespace ser::test::auth
