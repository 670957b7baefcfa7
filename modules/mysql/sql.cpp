// Statement rendering (modules.md §1.4): SER's statement shapes, with
// spaces where SER's text ran words together ("...=1order by").
#include "modules/mysql/sql.hpp"

#include <cmath>
#include <ctime>
#include <iterator>

#include <fmt/format.h>

namespace ser::mod::mysql {

namespace {

bool check_name(std::string_view name, const char* what, std::string& error) {
    if (valid_identifier(name)) return true;
    error = fmt::format("invalid {} name '{}'", what, name);
    return false;
}

// The operators the API allows (ser/db.hpp Where).
bool valid_op(std::string_view op) {
    return op == "=" || op == "<" || op == ">" || op == "<=" || op == ">=" || op == "!=";
}

bool append_where(std::span<const db::Where> where, const Escaper& esc, std::string& sql, std::string& error) {
    if (where.empty()) return true;
    sql += " where ";
    for (size_t i = 0; i < where.size(); ++i) {
        const db::Where& w = where[i];
        if (!check_name(w.column, "column", error)) return false;
        std::string_view op = w.op.empty() ? std::string_view("=") : w.op;
        if (!valid_op(op)) {
            error = fmt::format("operator '{}' is not allowed (column '{}')", op, w.column);
            return false;
        }
        if (i > 0) sql += " AND ";
        sql.append(w.column).append(op);
        if (!render_value(w.value, esc, sql, error)) return false;
    }
    return true;
}

// c1=v1,c2=v2 (update's SET).
bool append_assignments(std::span<const db::Field> set, const Escaper& esc, std::string& sql, std::string& error) {
    for (size_t i = 0; i < set.size(); ++i) {
        if (!check_name(set[i].column, "column", error)) return false;
        if (i > 0) sql += ',';
        sql.append(set[i].column).push_back('=');
        if (!render_value(set[i].value, esc, sql, error)) return false;
    }
    return true;
}

}  // namespace

bool valid_identifier(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '$' || c == '.';
        if (!ok) return false;
    }
    return true;
}

bool render_value(const db::Value& v, const Escaper& esc, std::string& sql, std::string& error) {
    if (v.null) {
        sql += "NULL";
        return true;
    }
    switch (v.type) {
    case db::Type::Int:
        fmt::format_to(std::back_inserter(sql), "{}", v.i);
        return true;
    case db::Type::Bitmap:
        fmt::format_to(std::back_inserter(sql), "{}", uint32_t(v.i));
        return true;
    case db::Type::Double:
        if (!std::isfinite(v.d)) {
            error = "a double that is not a finite number has no SQL literal";
            return false;
        }
        // printf("%-10.2f") as SER: left-justified, padded to 10 [quirk].
        fmt::format_to(std::back_inserter(sql), "{:<10.2f}", v.d);
        return true;
    case db::Type::String:
    case db::Type::Blob:
        sql += '\'';
        esc.append_escaped(sql, v.s);
        sql += '\'';
        return true;
    case db::Type::DateTime: {
        struct tm tm {};
        const time_t t = v.t;
        if (!localtime_r(&t, &tm)) {
            error = fmt::format("time {} cannot be shown as a local date", int64_t(v.t));
            return false;
        }
        char buf[32];
        const size_t n = strftime(buf, sizeof buf, "'%Y-%m-%d %H:%M:%S'", &tm);
        sql.append(buf, n);
        return true;
    }
    }
    error = "value of an unknown type";
    return false;
}

bool render_select(const db::Select& q, const Escaper& esc, std::string& sql, std::string& error) {
    if (!check_name(q.table, "table", error)) return false;
    sql += "select ";
    if (q.columns.empty()) {
        sql += '*';
    } else {
        for (size_t i = 0; i < q.columns.size(); ++i) {
            if (!check_name(q.columns[i], "column", error)) return false;
            if (i > 0) sql += ',';
            sql.append(q.columns[i]);
        }
    }
    sql.append(" from ").append(q.table);
    if (!append_where(q.where, esc, sql, error)) return false;
    if (!q.order_by.empty()) {
        if (!check_name(q.order_by, "order by column", error)) return false;
        sql.append(" order by ").append(q.order_by);
    }
    return true;
}

bool render_insert(const db::Insert& q, const Escaper& esc, std::string& sql, std::string& error) {
    if (!check_name(q.table, "table", error)) return false;
    if (q.fields.empty()) {
        error = "insert without columns";
        return false;
    }
    sql.append("insert into ").append(q.table).append(" (");
    for (size_t i = 0; i < q.fields.size(); ++i) {
        if (!check_name(q.fields[i].column, "column", error)) return false;
        if (i > 0) sql += ',';
        sql.append(q.fields[i].column);
    }
    sql += ") values (";
    for (size_t i = 0; i < q.fields.size(); ++i) {
        if (i > 0) sql += ',';
        if (!render_value(q.fields[i].value, esc, sql, error)) return false;
    }
    sql += ')';
    return true;
}

bool render_update(const db::Update& q, const Escaper& esc, std::string& sql, std::string& error) {
    if (!check_name(q.table, "table", error)) return false;
    if (q.set.empty()) {
        error = "update without columns to set";
        return false;
    }
    sql.append("update ").append(q.table).append(" set ");
    if (!append_assignments(q.set, esc, sql, error)) return false;
    return append_where(q.where, esc, sql, error);
}

bool render_delete(const db::Delete& q, const Escaper& esc, std::string& sql, std::string& error) {
    if (!check_name(q.table, "table", error)) return false;
    sql.append("delete from ").append(q.table);
    return append_where(q.where, esc, sql, error);
}

}  // namespace ser::mod::mysql
