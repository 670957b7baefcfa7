// The MariaDB backend of the auth suites (tests/auth/backends.hpp): one
// private server per test binary, a new database per test.
#include "tests/auth/backends.hpp"
#include "tests/auth/mariadb.hpp"

namespace ser::test::auth {

std::unique_ptr<Db> make_mysql(std::string& err) {
    if (!module_built("mysql.so")) {
        err = "mysql.so is not built";
        return nullptr;
    }
    MariaDbServer* s = MariaDbServer::get(err);
    if (!s) return nullptr;
    auto db = std::make_unique<MysqlDb>(*s);
    if (!db->create(err)) return nullptr;
    return db;
}

}  // namespace ser::test::auth
