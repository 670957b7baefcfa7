// SQL text of the DB API's statements in MySQL's dialect (modules.md §1.4).
// Identifiers come from the configuration and are checked, never quoted (as
// SER); every value is rendered as a literal, strings escaped by the
// connection that will run the statement.
#pragma once

#include <string>
#include <string_view>

#include "ser/db.hpp"

namespace ser::mod::mysql {

// Escapes for a string literal of one server connection.
class Escaper {
public:
    virtual ~Escaper() = default;
    // Appends `s` escaped for the inside of '...'.
    virtual void append_escaped(std::string& out, std::string_view s) const = 0;
};

// Each appends the statement to `sql`; false + error on an invalid request
// (bad identifier, unknown operator, nothing to insert or set, a double
// that has no SQL literal).
bool render_select(const db::Select& q, const Escaper& esc, std::string& sql, std::string& error);
bool render_insert(const db::Insert& q, const Escaper& esc, std::string& sql, std::string& error);
bool render_update(const db::Update& q, const Escaper& esc, std::string& sql, std::string& error);
bool render_delete(const db::Delete& q, const Escaper& esc, std::string& sql, std::string& error);

// One value as a literal: NULL, decimal, "%-10.2f" for doubles [quirk],
// 'escaped' strings and blobs, 'YYYY-MM-DD HH:MM:SS' local time.
bool render_value(const db::Value& v, const Escaper& esc, std::string& sql, std::string& error);

// A table or column name as SER configs write them: letters, digits, '_',
// '$' and '.' (database.table).
bool valid_identifier(std::string_view name);

}  // namespace ser::mod::mysql
