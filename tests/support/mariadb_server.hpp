// A private MariaDB server for test binaries: its own data directory,
// socket and TCP port under a temporary directory, started on first use and
// stopped (by its pid) when the binary exits; never outlives the binary.
// A test may stop() it and start() it again on the same data and port (a
// server restart as clients see it). Start and stop it from the main thread:
// the server dies with the thread that started it (PR_SET_PDEATHSIG).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace ser::test {

// A temporary directory removed with its contents.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string t = (std::filesystem::temp_directory_path() / "ser-test-XXXXXX").string();
        if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
        path = t;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

class MariaDbServer {
public:
    TempDir dir;
    std::string data = (dir.path / "data").string();
    std::string sock = (dir.path / "mysqld.sock").string();
    std::string log = (dir.path / "mysqld.log").string();
    std::string tmp = (dir.path / "tmp").string();
    uint16_t port = 0;
    pid_t pid = -1;
    std::string error;

    // The shared server, started on first use; null (error in `why`) when
    // MariaDB is not installed or did not start the first time (a server a
    // test has stopped is still returned: it may start() it).
    static MariaDbServer* get(std::string& why) {
        static std::unique_ptr<MariaDbServer> s = [] {
            auto p = std::make_unique<MariaDbServer>();
            p->boot();
            return p;
        }();
        if (!s->booted_) {
            why = s->error;
            return nullptr;
        }
        return s.get();
    }

    ~MariaDbServer() { stop(); }

    bool running() const { return pid > 0; }

    // Stops the server: a clean shutdown (SIGTERM: clients get "server
    // shutdown" on their connections), or with `abrupt` a crash (SIGKILL:
    // connections simply break). Returns when the process is gone.
    void stop(bool abrupt = false) {
        if (pid <= 0) return;
        kill(pid, abrupt ? SIGKILL : SIGTERM);
        int st;
        waitpid(pid, &st, 0);
        pid = -1;
    }

    // Starts the stopped server again on the same data, socket and port;
    // true when it answers. Does nothing when it runs.
    bool start() {
        if (pid > 0) return true;
        if (!booted_) return false;
        return launch();
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

    bool booted_ = false;   // the data directory exists and the login was made

    // First start: a new data directory, a free port, the test login.
    void boot() {
        if (std::system("command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1") != 0) {
            error = "MariaDB is not installed";
            return;
        }
        // A private tmpdir: servers of parallel test binaries sharing /tmp
        // collide on temporary table names while installing.
        std::filesystem::create_directories(tmp);
        std::string init = "mariadb-install-db --no-defaults --user=root --datadir='" + data + "' --tmpdir='" + tmp +
                           "' --auth-root-authentication-method=normal --skip-test-db >'" + log + "' 2>&1";
        if (std::system(init.c_str()) != 0) {
            error = "mariadb-install-db failed (log " + log + ")";
            return;
        }
        port = free_port();
        if (!launch()) return;
        if (!sql("CREATE USER 'authtest'@'%' IDENTIFIED BY 'authpw';\n"
                 "GRANT ALL PRIVILEGES ON *.* TO 'authtest'@'%';\n")) {
            error = "cannot create the test login (log " + log + ")";
            stop();
            return;
        }
        booted_ = true;
    }

    // Runs mariadbd on the data directory and port; true once it answers.
    bool launch() {
        // Arguments built before fork(): the child of a threaded binary only
        // calls async-signal-safe functions.
        const std::string a1 = "--datadir=" + data, a2 = "--socket=" + sock, a3 = "--port=" + std::to_string(port),
                          a4 = "--log-error=" + log, a5 = "--pid-file=" + (dir.path / "mysqld.pid").string(),
                          a6 = "--tmpdir=" + tmp;
        // What mariadbd says before it opens its log goes there too, not
        // into the test's output.
        const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        pid_t child = fork();
        if (child == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);   // never outlives the test binary
            if (out >= 0) {
                dup2(out, 1);
                dup2(out, 2);
            }
            execlp("mariadbd", "mariadbd", "--no-defaults", "--user=root", a1.c_str(), a2.c_str(), a3.c_str(),
                   "--bind-address=127.0.0.1", a4.c_str(), a5.c_str(), "--skip-log-bin",
                   "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M", a6.c_str(), (char*)nullptr);
            _exit(127);
        }
        if (out >= 0) close(out);
        if (child < 0) {
            error = "fork failed";
            return false;
        }
        pid = child;
        for (int i = 0; i < 300; ++i) {
            if (sql("SELECT 1;\n")) return true;
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                pid = -1;
                error = "mariadbd exited at start (log " + log + ")";
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        error = "mariadbd did not become ready (log " + log + ")";
        stop();
        return false;
    }
};

}  // namespace ser::test
