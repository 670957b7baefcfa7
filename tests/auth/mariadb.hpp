// A private MariaDB server for the auth suites: its own data directory,
// socket and TCP port under a temporary directory, started once per test
// binary and stopped (by its pid) when the binary exits.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "tests/auth/auth_env.hpp"

namespace ser::test::auth {

class MariaDbServer {
public:
    TempDir dir;
    std::string data = (dir.path / "data").string();
    std::string sock = (dir.path / "mysqld.sock").string();
    std::string log = (dir.path / "mysqld.log").string();
    uint16_t port = 0;
    pid_t pid = -1;
    std::string error;

    // The shared server, started on first use; null (error in `why`) when
    // MariaDB is not installed or does not start.
    static MariaDbServer* get(std::string& why) {
        static std::unique_ptr<MariaDbServer> s = [] {
            auto p = std::make_unique<MariaDbServer>();
            p->start();
            return p;
        }();
        if (s->pid < 0) {
            why = s->error;
            return nullptr;
        }
        return s.get();
    }

    ~MariaDbServer() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            int st;
            waitpid(pid, &st, 0);
        }
    }

    // Runs SQL as root through the socket; true on success.
    bool sql(const std::string& statements) const {
        std::string f = (dir.path / "stmt.sql").string();
        FILE* out = fopen(f.c_str(), "w");
        if (!out) return false;
        fputs(statements.c_str(), out);
        fclose(out);
        std::string cmd = "mariadb --no-defaults --socket='" + sock + "' -uroot < '" + f + "' >>'" + log + "' 2>&1";
        return std::system(cmd.c_str()) == 0;
    }

    // A new, empty database with a login for it; its db_url over TCP.
    std::string new_database(const std::string& name) const {
        sql("CREATE DATABASE " + name + ";\n");
        return "mysql://authtest:authpw@127.0.0.1:" + std::to_string(port) + "/" + name;
    }

private:
    static uint16_t free_port() {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        uint16_t p = 0;
        if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
            p = ntohs(a.sin_port);
        close(s);
        return p;
    }

    void start() {
        if (std::system("command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1") != 0) {
            error = "MariaDB is not installed";
            return;
        }
        std::string init = "mariadb-install-db --no-defaults --user=root --datadir='" + data +
                           "' --auth-root-authentication-method=normal --skip-test-db >'" + log + "' 2>&1";
        if (std::system(init.c_str()) != 0) {
            error = "mariadb-install-db failed (log " + log + ")";
            return;
        }
        port = free_port();
        pid_t child = fork();
        if (child == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);   // never outlives the test binary
            std::string a1 = "--datadir=" + data, a2 = "--socket=" + sock, a3 = "--port=" + std::to_string(port),
                        a4 = "--log-error=" + log, a5 = "--pid-file=" + (dir.path / "mysqld.pid").string();
            execlp("mariadbd", "mariadbd", "--no-defaults", "--user=root", a1.c_str(), a2.c_str(), a3.c_str(),
                   "--bind-address=127.0.0.1", a4.c_str(), a5.c_str(), "--skip-log-bin",
                   "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M", (char*)nullptr);
            _exit(127);
        }
        pid = child;
        for (int i = 0; i < 300; ++i) {
            if (sql("SELECT 1;\n")) {
                if (!sql("CREATE USER 'authtest'@'%' IDENTIFIED BY 'authpw';\n"
                         "GRANT ALL PRIVILEGES ON *.* TO 'authtest'@'%';\n")) {
                    error = "cannot create the test login (log " + log + ")";
                    break;
                }
                return;
            }
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                pid = -1;
                error = "mariadbd exited at start (log " + log + ")";
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (error.empty()) error = "mariadbd did not become ready (log " + log + ")";
        kill(pid, SIGTERM);
        int st;
        waitpid(pid, &st, 0);
        pid = -1;
    }
};

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
