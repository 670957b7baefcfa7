// The socket and database work of an authenticating registrar, measured: a
// "registrar" for bench/e2e_register.sh's flow that does what every
// registrar must do per REGISTER round and nothing else. A REGISTER without
// credentials gets a 401 with a digest challenge; one with credentials costs
// one query of the subscriber's row on MariaDB (the credentials lookup that
// auth_db and Kamailio's auth_db both make) and gets a 200 with its Contact.
// No digest check, no location table, no write-back. Each worker thread
// reads its own SO_REUSEPORT socket with a blocking recvfrom and has its own
// database connection. What this costs per round is the floor under any
// registrar's CPU per round on the same run.
//
//   register_floor PORT DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME [threads]
#include <arpa/inet.h>
#include <mysql.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "floor_sip.hpp"

namespace {

struct Db {
    const char *host, *user, *password, *name;
    unsigned port;
};

// "u17" of "<sip:u17@example.com>;tag=...".
std::string_view user_of(std::string_view from) {
    const size_t s = from.find("sip:");
    if (s == std::string_view::npos) return {};
    const size_t e = from.find('@', s);
    return e == std::string_view::npos ? std::string_view{} : from.substr(s + 4, e - s - 4);
}

void serve(uint16_t port, Db db) {
    MYSQL* conn = mysql_init(nullptr);
    if (!mysql_real_connect(conn, db.host, db.user, db.password, db.name, db.port, nullptr, 0)) {
        std::fprintf(stderr, "register_floor: %s\n", mysql_error(conn));
        std::exit(1);
    }
    const int fd = floor_sip::worker_socket(port);
    std::vector<char> m(65536);
    std::string query;
    for (;;) {
        sockaddr_in from{};
        socklen_t fl = sizeof from;
        const ssize_t n = recvfrom(fd, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n <= 0) continue;
        const std::string_view req(m.data(), size_t(n));
        if (!req.starts_with("REGISTER ")) continue;
        std::string reply;
        if (floor_sip::header(req, "Authorization").empty()) {
            reply = floor_sip::reply_to(req, "401 Unauthorized", "floor",
                                        "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"4f6c6f6f72\"\r\n");
        } else {
            // The usernames are sipp's own u<N>: nothing to escape.
            query = "SELECT ha1 FROM subscriber WHERE username='";
            query.append(user_of(floor_sip::header(req, "From"))).append("' AND domain='example.com'");
            if (mysql_real_query(conn, query.data(), query.size()) == 0)
                if (MYSQL_RES* r = mysql_store_result(conn)) mysql_free_result(r);
            std::string contact = "Contact: ";
            contact.append(floor_sip::header(req, "Contact")).append(";expires=3600\r\n");
            reply = floor_sip::reply_to(req, "200 OK", "floor", contact);
        }
        sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), sizeof from);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 7) {
        std::fprintf(stderr, "usage: register_floor PORT DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME [threads]\n");
        return 2;
    }
    const auto port = uint16_t(std::atoi(argv[1]));
    const Db db{argv[2], argv[4], argv[5], argv[6], unsigned(std::atoi(argv[3]))};
    const int threads = argc > 7 ? std::atoi(argv[7]) : 2;
    mysql_library_init(0, nullptr, nullptr);
    std::vector<std::thread> ts;
    for (int i = 0; i < threads; ++i) ts.emplace_back(serve, port, db);
    for (auto& t : ts) t.join();
}
