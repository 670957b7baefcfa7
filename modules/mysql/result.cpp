// Result conversion: text rows of the client library into typed values
// whose bytes the db::Result keeps (lengths used throughout: NUL-safe).
#include "modules/mysql/result.hpp"

#include <charconv>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

namespace ser::mod::mysql {

namespace {

bool digits(std::string_view s, size_t at, size_t n, int& out) {
    if (at + n > s.size()) return false;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

template <class T> bool parse_number(std::string_view s, T& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

bool convert_value(db::Type type, std::string_view text, bool is_timestamp, db::Result& res, db::Value& v) {
    v.type = type;
    switch (type) {
    case db::Type::Int:
        if (is_timestamp) return parse_datetime(text, v.t) && ((v.i = int64_t(v.t)), true);
        return parse_number(text, v.i);
    case db::Type::Double:
        return parse_number(text, v.d);
    case db::Type::DateTime:
        return parse_datetime(text, v.t);
    case db::Type::Bitmap: {
        uint32_t b = 0;
        if (parse_number(text, b)) {
            v.i = b;
            return true;
        }
        // A SET column reads as its members' names, which carry no bit
        // positions: such a value stays text.
        v.type = db::Type::String;
        v.s = res.keep(text);
        return true;
    }
    case db::Type::String:
    case db::Type::Blob:
        v.s = res.keep(text);
        return true;
    }
    return false;
}

}  // namespace

bool parse_datetime(std::string_view s, time_t& out) {
    int y, mo, d, h, mi, sec;
    if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':') return false;
    if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
        !digits(s, 14, 2, mi) || !digits(s, 17, 2, sec))
        return false;
    if (s.size() > 19 && s[19] != '.') return false;   // datetime(n) fractions are dropped
    if (y == 0 && mo == 0 && d == 0) {
        out = 0;   // MySQL's zero date ("never" in some SER tables)
        return true;
    }
    struct tm tm {};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    out = mktime(&tm);
    return true;
}

db::Type column_type(const MYSQL_FIELD& f) {
    // The server reports SET and ENUM columns as strings with a flag.
    if (f.flags & SET_FLAG) return db::Type::Bitmap;
    switch (f.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_TIMESTAMP:
        return db::Type::Int;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
        return db::Type::Double;
    case MYSQL_TYPE_DATETIME:
        return db::Type::DateTime;
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
        return db::Type::Blob;
    case MYSQL_TYPE_SET:
        return db::Type::Bitmap;
    default:
        return db::Type::String;
    }
}

bool convert_result(MYSQL_RES* res, db::Result& out, std::string& error) {
    out.clear();
    const unsigned n = mysql_num_fields(res);
    const MYSQL_FIELD* fields = mysql_fetch_fields(res);
    std::vector<db::Type> types(n);
    out.columns.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
        out.columns.emplace_back(fields[i].name, fields[i].name_length);
        types[i] = column_type(fields[i]);
    }
    out.rows.reserve(size_t(mysql_num_rows(res)));
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
        const unsigned long* len = mysql_fetch_lengths(res);
        std::vector<db::Value>& vals = out.rows.emplace_back(n);
        for (unsigned i = 0; i < n; ++i) {
            if (!row[i]) {
                vals[i] = db::Value::null_of(types[i]);
                continue;
            }
            const std::string_view text(row[i], len[i]);
            if (!convert_value(types[i], text, fields[i].type == MYSQL_TYPE_TIMESTAMP, out, vals[i])) {
                error = fmt::format("column '{}' of row {}: '{}' is not a valid value of its type", out.columns[i],
                                    out.rows.size(), text);
                return false;
            }
        }
    }
    return true;
}

}  // namespace ser::mod::mysql
