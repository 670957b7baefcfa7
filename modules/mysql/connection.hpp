// db::Connection of the mysql driver: statements rendered for, and run on,
// a Session (which may be shared by identical URLs of one thread).
#pragma once

#include <memory>

#include "modules/mysql/session.hpp"
#include "ser/db.hpp"

namespace ser::mod::mysql {

class MysqlConnection final : public db::Connection {
public:
    explicit MysqlConnection(std::shared_ptr<Session> s) : s_(std::move(s)) {}

    bool query(const db::Select& q, db::Result& out) override;
    bool insert(const db::Insert& q) override;
    bool update(const db::Update& q) override;
    bool remove(const db::Delete& q) override;
    bool raw(std::string_view sql, db::Result* out, std::string_view purpose) override;
    std::string escape(std::string_view s) override { return s_->escape(s); }
    std::string last_error() const override { return s_->last_error(); }

private:
    std::shared_ptr<Session> s_;
};

}  // namespace ser::mod::mysql
