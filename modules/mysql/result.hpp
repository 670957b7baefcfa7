// Typing of result columns (modules.md §1.4): the SQL column type decides
// the API type of every value of the column.
#pragma once

#include <string>

#include <mysql.h>

#include "ser/db.hpp"

namespace ser::mod::mysql {

// tiny/short/long/int24/timestamp -> Int (a timestamp as UNIX time);
// float/double -> Double; datetime -> DateTime; blob/text -> Blob;
// set -> Bitmap; anything else -> String.
db::Type column_type(const MYSQL_FIELD& f);

// Fills `out` (cleared first) from a stored result; false + error when a
// value does not fit its column's type.
bool convert_result(MYSQL_RES* res, db::Result& out, std::string& error);

// "YYYY-MM-DD HH:MM:SS[.frac]" as local time (DST guessed by mktime); the
// zero date is 0. False when the text is no such date.
bool parse_datetime(std::string_view text, time_t& out);

}  // namespace ser::mod::mysql
