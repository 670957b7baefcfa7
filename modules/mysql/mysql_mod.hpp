// mysql: the database driver module (modules.md §1). No script functions; at
// init it exports its db::Driver as "db:mysql".
#pragma once

#include <memory>

#include "modules/mysql/driver.hpp"
#include "ser/module.hpp"

namespace ser::mod::mysql {

class MysqlModule : public Module {
public:
    // modparams
    int ping_interval = 300;
    bool auto_reconnect = true;

    bool init(Core& core) override;
    ~MysqlModule() override;

private:
    std::unique_ptr<MysqlDriver> driver_;
    bool library_ready_ = false;
};

}  // namespace ser::mod::mysql
