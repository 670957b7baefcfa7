// mysql's module glue: parameters and the driver export (modules.md §1.1).
#include "modules/mysql/mysql_mod.hpp"

#include <climits>

#include <mysql.h>

#include "ser/core.hpp"
#include "ser/db.hpp"
#include "ser/log.hpp"
#include "ser/params.hpp"

namespace ser::mod::mysql {

bool MysqlModule::init(Core& core) {
    core_ = &core;
    // Not thread-safe: once here, before any worker opens a connection.
    if (mysql_library_init(0, nullptr, nullptr) != 0) {
        SER_ERR("mysql: cannot initialise the client library");
        return false;
    }
    library_ready_ = true;
    driver_ = std::make_unique<MysqlDriver>(Options{ping_interval, auto_reconnect});
    db::Driver* api = driver_.get();
    if (!core.register_api(db::driver_api_name("mysql"), db::Driver::kVersion, static_cast<void*>(api))) {
        SER_ERR("mysql: a database driver for 'mysql://' is already registered");
        return false;
    }
    return true;
}

// Modules are destroyed in reverse load order, so every module that used a
// connection has dropped it by now. Ending the library frees what its
// initialisation allocated, which would otherwise leak at every dlclose.
MysqlModule::~MysqlModule() {
    driver_.reset();
    if (library_ready_) mysql_library_end();
}

namespace {

const ParamExport params[] = {
    {"ping_interval", ParamType::Int, set_int<&MysqlModule::ping_interval, 0, INT_MAX>},
    {"auto_reconnect", ParamType::Int, set_bool<&MysqlModule::auto_reconnect>},
};

}  // namespace
}  // namespace ser::mod::mysql

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "mysql", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::mysql::MysqlModule; },
    nullptr, 0,
    ::ser::mod::mysql::params, SER_COUNT(::ser::mod::mysql::params),
    nullptr, 0, nullptr, 0, 0}))
