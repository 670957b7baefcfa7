// The DB API calls mapped to statements (modules.md §1.4).
#include "modules/mysql/connection.hpp"

#include "modules/mysql/sql.hpp"

namespace ser::mod::mysql {

bool MysqlConnection::query(const db::Select& q, db::Result& out) {
    out.clear();
    Session& s = *s_;
    return s.run(q.purpose, q.table, [&](std::string& sql, std::string& e) { return render_select(q, s, sql, e); },
                 &out);
}

bool MysqlConnection::insert(const db::Insert& q) {
    Session& s = *s_;
    return s.run(q.purpose, q.table, [&](std::string& sql, std::string& e) { return render_insert(q, s, sql, e); },
                 nullptr);
}

bool MysqlConnection::update(const db::Update& q) {
    Session& s = *s_;
    return s.run(q.purpose, q.table, [&](std::string& sql, std::string& e) { return render_update(q, s, sql, e); },
                 nullptr);
}

bool MysqlConnection::remove(const db::Delete& q) {
    Session& s = *s_;
    return s.run(q.purpose, q.table, [&](std::string& sql, std::string& e) { return render_delete(q, s, sql, e); },
                 nullptr);
}

bool MysqlConnection::raw(std::string_view text, db::Result* out, std::string_view purpose) {
    if (out) out->clear();
    return s_->run(purpose, {}, [&](std::string& sql, std::string&) {
        sql.assign(text);
        return true;
    }, out);
}

}  // namespace ser::mod::mysql
