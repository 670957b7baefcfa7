// A database of the shared private MariaDB server for the auth suites.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "tests/auth/auth_env.hpp"

namespace ser::test::auth {

using MariaDbServer = ser::test::MariaDbServer;

// A database of the shared server, with the tables made by
// `tools/ser-db create mysql` when that tool exists, else by schema_sql().
class MysqlDb : public Db {
public:
    MariaDbServer& server;
    std::string name, url_;

    explicit MysqlDb(MariaDbServer& s) : server(s) {
        static int n = 0;
        name = "auth_" + std::to_string(getpid()) + "_" + std::to_string(++n);
    }
    std::string url() const override { return url_; }
    std::string driver_module() const override { return "mysql.so"; }

    bool create(std::string& error) {
        const std::string tool = std::string(SER_SOURCE_DIR) + "/tools/ser-db";
        bool made = false;
        if (access(tool.c_str(), X_OK) == 0) {
            std::string cmd = "MYSQL_UNIX_PORT='" + server.sock + "' SIP_DOMAIN=example.com '" + tool +
                              "' create mysql " + name + " >>'" + server.log + "' 2>&1";
            made = std::system(cmd.c_str()) == 0;
        }
        by_tool = made;
        url_ = made ? "mysql://authtest:authpw@127.0.0.1:" + std::to_string(server.port) + "/" + name
                    : server.new_database(name);
        if (!connect(error)) return false;
        if (!made && !create_schema()) {
            error = "cannot create the tables: " + conn().last_error();
            return false;
        }
        return conn().remove({.table = "subscriber", .purpose = "auth test: empty"}) &&
               conn().remove({.table = "uri", .purpose = "auth test: empty"});
    }
};

}  // namespace ser::test::auth
