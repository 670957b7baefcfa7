// Server connection: connect options, statement execution, reconnect and
// the once-per-burst logging (modules.md §1.1, §1.3).
#include "modules/mysql/session.hpp"

#include <errmsg.h>
#include <mysqld_error.h>

#include <fmt/format.h>

#include "modules/mysql/result.hpp"
#include "ser/log.hpp"

namespace ser::mod::mysql {

namespace {

std::string make_label(const db::Url& u) {
    std::string s;
    if (!u.user.empty()) s.append(u.user).push_back('@');
    s.append(u.host);
    if (u.port) s.append(":").append(std::to_string(u.port));
    s.append("/").append(u.database);
    return s;
}

std::string what(std::string_view purpose, std::string_view table) {
    std::string s(purpose.empty() ? std::string_view("database statement") : purpose);
    if (table.empty())
        s += " (raw statement)";
    else
        s.append(" (table '").append(table).append("')");
    return s;
}

// SER's tables assume MySQL 4 semantics: a value too long for its column is
// cut, not refused (user_agent is varchar(50)). Strict mode would refuse it.
constexpr const char* kInitCommand =
    "SET SESSION sql_mode=(SELECT REPLACE(REPLACE(@@SESSION.sql_mode,'STRICT_TRANS_TABLES',''),"
    "'STRICT_ALL_TABLES',''))";

// Escaping without a connection (escape() while the server is away): safe
// whether or not the server has NO_BACKSLASH_ESCAPES, since a doubled quote
// is a quote in both modes.
void escape_offline(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\'': out += "''"; break;
        case '\0': out += "\\0"; break;
        default: out += c;
        }
    }
}

// The default character set of the connection's database; false when the
// server does not answer.
bool database_charset(MYSQL* m, std::string& out) {
    if (mysql_query(m, "SELECT @@character_set_database") != 0) return false;
    MYSQL_RES* r = mysql_store_result(m);
    if (!r) return false;
    MYSQL_ROW row = mysql_fetch_row(r);
    out = row && row[0] ? row[0] : "";
    mysql_free_result(r);
    return true;
}

}  // namespace

bool connection_lost(unsigned code) {
    switch (code) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_COMMANDS_OUT_OF_SYNC:   // the protocol state is broken: start over
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_ERR_NET_READ:
    case CR_ERR_NET_WRITE:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:
        return true;
    default:
        return false;
    }
}

Session::Session(const db::Url& url, Options opts) : url_(url), opts_(opts), label_(make_label(url)) {}

Session::~Session() { drop(); }

bool Session::open(std::string& error) {
    if (connect(error)) return true;
    last_error_ = error;
    return false;
}

bool Session::connect(std::string& error) {
    MYSQL* m = mysql_init(nullptr);
    if (!m) {
        error = "out of memory";
        return false;
    }
    const unsigned ct = kConnectTimeoutS, rt = kReadTimeoutS, wt = kWriteTimeoutS;
    const my_bool no = 0;
    const unsigned zero = 0;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rt);
    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &wt);
    mysql_options(m, MYSQL_OPT_RECONNECT, &no);   // we reconnect ourselves, and re-render
    mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &zero);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(m, MYSQL_INIT_COMMAND, kInitCommand);
    // Strings, not C strings from the URL: empty user/password are "" (SER).
    if (!mysql_real_connect(m, url_.host.c_str(), url_.user.c_str(), url_.password.c_str(), url_.database.c_str(),
                            url_.port, nullptr, 0)) {
        error = fmt::format("{} [{}]", mysql_error(m), mysql_errno(m));
        mysql_close(m);
        return false;
    }
    // SER's tables on a server whose default is latin1 are latin1: there the
    // connection speaks latin1 too (as SER's did), so every byte is stored
    // as given. Over utf8mb4 the server would store what latin1 lacks as '?'
    // and refuse '=' with such a value ("Illegal mix of collations").
    std::string charset;
    if (!database_charset(m, charset) || (charset == "latin1" && mysql_set_character_set(m, "latin1") != 0)) {
        error = fmt::format("cannot set the character set: {} [{}]", mysql_error(m), mysql_errno(m));
        mysql_close(m);
        return false;
    }
    drop();
    my_ = m;
    return true;
}

bool Session::reconnect(std::string& error) {
    const auto now = Clock::now();
    if (now < retry_at_) {
        error = "not connected (the last reconnect failed less than a second ago: " + last_error_ + ")";
        return false;
    }
    if (connect(error)) {
        if (!failing_) SER_NOTICE("mysql: connection to {} was lost ({}); connected again", label_, last_error_);
        return true;
    }
    retry_at_ = now + kReconnectPause;
    last_error_ = error;
    return false;
}

void Session::drop() {
    if (my_) mysql_close(my_);
    my_ = nullptr;
}

std::string Session::error_text() const { return fmt::format("{} [{}]", mysql_error(my_), mysql_errno(my_)); }

void Session::keepalive(Clock::time_point now) {
    const bool idle = last_used_ != Clock::time_point{} && now - last_used_ > std::chrono::seconds(opts_.ping_interval_s);
    last_used_ = now;
    if (!my_ || opts_.ping_interval_s <= 0 || !idle) return;
    if (mysql_ping(my_) == 0) return;
    // Only logged (SER); a lost connection is opened again by the statement.
    const std::string error = error_text();
    SER_WARN("mysql: keep-alive ping of {} failed: {}", label_, error);
    if (!connection_lost(mysql_errno(my_))) return;
    last_error_ = error;   // why the connection was lost, for the reconnect's message
    drop();
}

int Session::execute(const std::string& sql, db::Result* out, std::string& error) {
    if (mysql_real_query(my_, sql.data(), (unsigned long)sql.size()) != 0) return int(mysql_errno(my_));
    if (!out) {
        // Rows nobody wants must still be read before the next statement.
        if (mysql_field_count(my_) == 0) return 0;
        MYSQL_RES* r = mysql_store_result(my_);
        if (r) mysql_free_result(r);
        return r ? 0 : int(mysql_errno(my_));
    }
    out->clear();
    MYSQL_RES* res = mysql_store_result(my_);
    if (!res) return mysql_field_count(my_) == 0 ? 0 : int(mysql_errno(my_));
    const bool ok = convert_result(res, *out, error);
    mysql_free_result(res);
    if (ok) return 0;
    out->clear();
    return -1;
}

bool Session::run(std::string_view purpose, std::string_view table, Render render, db::Result* out) {
    const int tries = opts_.auto_reconnect ? 3 : 1;
    const auto start = Clock::now();
    std::string sql, error;
    for (int i = 0; i < tries; ++i) {
        if (i > 0 && Clock::now() - start >= kRetryBudget) break;
        if (i == 0) keepalive(start);
        // Without a connection there is no point in a further try.
        if (!my_ && !reconnect(error)) break;
        sql.clear();
        if (!render(sql, error)) return refused(purpose, table, error);
        const int rc = execute(sql, out, error);
        if (rc == 0) {
            working();
            return true;
        }
        if (rc < 0) {   // the server answered: the connection works
            working();
            return refused(purpose, table, error);
        }
        error = error_text();
        last_error_ = error;
        if (!connection_lost(unsigned(rc))) {
            working();
            return refused(purpose, table, error);
        }
        drop();   // the next try connects again
    }
    if (out) out->clear();
    return lost(purpose, table, error);
}

bool Session::refused(std::string_view purpose, std::string_view table, const std::string& error) {
    SER_ERR("mysql: {} on {}: {}", what(purpose, table), label_, error);
    return false;
}

bool Session::lost(std::string_view purpose, std::string_view table, const std::string& error) {
    if (!failing_) {
        failing_ = true;
        failed_ = 1;
        SER_ERR("mysql: {} on {}: {} (no connection; further failures are not logged until it works again)",
                what(purpose, table), label_, error);
    } else {
        ++failed_;
        SER_DBG("mysql: {} on {}: {}", what(purpose, table), label_, error);
    }
    return false;
}

void Session::working() {
    if (!failing_) return;
    failing_ = false;
    SER_NOTICE("mysql: connection to {} works again ({} statement(s) failed meanwhile)", label_, failed_);
}

void Session::append_escaped(std::string& out, std::string_view s) const {
    if (!my_) {
        escape_offline(out, s);
        return;
    }
    const size_t at = out.size();
    out.resize(at + 2 * s.size() + 1);
    const unsigned long n = mysql_real_escape_string(my_, out.data() + at, s.data(), (unsigned long)s.size());
    if (n == (unsigned long)-1) {
        out.resize(at);
        escape_offline(out, s);
        return;
    }
    out.resize(at + n);
}

std::string Session::escape(std::string_view s) const {
    std::string r;
    append_escaped(r, s);
    return r;
}

}  // namespace ser::mod::mysql
