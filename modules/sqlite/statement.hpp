// SQL text for the DB API's statements in SQLite's dialect, with a `?`
// placeholder for every value: values are bound, never spliced. The text
// depends only on the statement's shape (table, columns, operators), so it
// is also the key of the prepared-statement cache.
#pragma once

#include <string>

#include "ser/db.hpp"

namespace ser::mod::sqlite {

// False + error for an identifier that is not [A-Za-z0-9_]+ or an operator
// outside = < > <= >= !=.
bool render_select(const db::Select& q, std::string& sql, std::string& error);
bool render_insert(const db::Insert& q, std::string& sql, std::string& error);
bool render_update(const db::Update& q, std::string& sql, std::string& error);
bool render_delete(const db::Delete& q, std::string& sql, std::string& error);

// 'YYYY-MM-DD HH:MM:SS' in local time (the form SER wrote to MySQL), and back.
std::string format_datetime(time_t t);
bool parse_datetime(std::string_view text, time_t& out);

}  // namespace ser::mod::sqlite
