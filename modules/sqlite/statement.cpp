#include "modules/sqlite/statement.hpp"

#include <cstdio>
#include <ctime>

namespace ser::mod::sqlite {

namespace {

bool ident(std::string_view name, std::string& sql, std::string& error) {
    if (name.empty()) {
        error = "empty table or column name";
        return false;
    }
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) {
            error = "invalid table or column name '" + std::string(name) + "'";
            return false;
        }
    }
    sql += '"';
    sql += name;
    sql += '"';
    return true;
}

bool where(std::span<const db::Where> w, std::string& sql, std::string& error) {
    if (w.empty()) return true;
    sql += " where ";
    for (size_t i = 0; i < w.size(); ++i) {
        if (i) sql += " AND ";
        if (!ident(w[i].column, sql, error)) return false;
        std::string_view op = w[i].op.empty() ? std::string_view("=") : w[i].op;
        if (op != "=" && op != "<" && op != ">" && op != "<=" && op != ">=" && op != "!=") {
            error = "unsupported operator '" + std::string(op) + "'";
            return false;
        }
        sql += op;
        sql += '?';
    }
    return true;
}

}  // namespace

bool render_select(const db::Select& q, std::string& sql, std::string& error) {
    sql = "select ";
    if (q.columns.empty()) sql += '*';
    for (size_t i = 0; i < q.columns.size(); ++i) {
        if (i) sql += ',';
        if (!ident(q.columns[i], sql, error)) return false;
    }
    sql += " from ";
    if (!ident(q.table, sql, error) || !where(q.where, sql, error)) return false;
    if (!q.order_by.empty()) {
        sql += " order by ";
        if (!ident(q.order_by, sql, error)) return false;
    }
    return true;
}

bool render_insert(const db::Insert& q, std::string& sql, std::string& error) {
    sql = "insert into ";
    if (!ident(q.table, sql, error)) return false;
    sql += " (";
    for (size_t i = 0; i < q.fields.size(); ++i) {
        if (i) sql += ',';
        if (!ident(q.fields[i].column, sql, error)) return false;
    }
    sql += ") values (";
    for (size_t i = 0; i < q.fields.size(); ++i) sql += i ? ",?" : "?";
    sql += ')';
    return true;
}

bool render_update(const db::Update& q, std::string& sql, std::string& error) {
    sql = "update ";
    if (!ident(q.table, sql, error)) return false;
    sql += " set ";
    for (size_t i = 0; i < q.set.size(); ++i) {
        if (i) sql += ',';
        if (!ident(q.set[i].column, sql, error)) return false;
        sql += "=?";
    }
    return where(q.where, sql, error);
}

bool render_delete(const db::Delete& q, std::string& sql, std::string& error) {
    sql = "delete from ";
    return ident(q.table, sql, error) && where(q.where, sql, error);
}

std::string format_datetime(time_t t) {
    struct tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

bool parse_datetime(std::string_view text, time_t& out) {
    struct tm tm{};
    std::string s(text);
    if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                    &tm.tm_sec) != 6)
        return false;
    if (tm.tm_year == 0 && tm.tm_mon == 0) {   // MySQL's zero date
        out = 0;
        return true;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;   // local time, DST as it was then
    out = mktime(&tm);
    return true;
}

}  // namespace ser::mod::sqlite
