// The databases the auth suites run on: "sqlite" (a file in a temporary
// directory, needs sqlite.so) and "mysql" (a MariaDB server started by the
// test, needs mysql.so and tests/mysql/mariadb_server.hpp).
#pragma once

#include <memory>
#include <string>

#include "tests/auth/auth_env.hpp"

namespace ser::test::auth {

inline std::unique_ptr<Db> make_sqlite(std::string& err) {
    if (!module_built("sqlite.so")) {
        err = "sqlite.so is not built";
        return nullptr;
    }
    auto db = std::make_unique<SqliteDb>();
    if (!db->create(err)) return nullptr;
    return db;
}

std::unique_ptr<Db> make_mysql(std::string& err);

inline std::unique_ptr<Db> make_backend(const std::string& name, std::string& err) {
    if (name == "sqlite") return make_sqlite(err);
    if (name == "mysql") return make_mysql(err);
    err = "unknown backend " + name;
    return nullptr;
}

}  // namespace ser::test::auth
