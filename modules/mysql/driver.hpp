// The db::Driver of mysql.so: opens connections and shares them. Within one
// worker thread, identical URLs share one server connection (SER's pool per
// process, modules.md §1.3); threads never share one.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "modules/mysql/options.hpp"
#include "ser/db.hpp"

namespace ser::mod::mysql {

class Session;

class MysqlDriver final : public db::Driver {
public:
    explicit MysqlDriver(Options o) : opts_(o) {}
    std::unique_ptr<db::Connection> connect(const db::Url& url, std::string& error) override;

private:
    const Options opts_;
    std::mutex mu_;
    // Weak: a session lives as long as the connections that use it; the
    // driver never keeps one open by itself.
    std::map<std::string, std::weak_ptr<Session>> pool_;
    // Servers whose last connect failed: a failure is logged once until a
    // connect succeeds again (workers retry every second while it is down).
    std::set<std::string> down_;
};

}  // namespace ser::mod::mysql
