// The metrics endpoint over real loopback TCP connections.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <chrono>
#include <string>

#include "runtime/metrics/exposition.hpp"
#include "runtime/metrics/http_listener.hpp"

using namespace ser::metrics;

namespace {

int connect_to(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Everything the server sends until it closes (bounded by `timeout_ms`).
std::string read_all(int fd, int timeout_ms = 3000) {
    std::string out;
    char buf[4096];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, left) <= 0) break;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, size_t(n));
    }
    return out;
}

std::string exchange(uint16_t port, const std::string& request) {
    int fd = connect_to(port);
    if (fd < 0) return "connect failed";
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string out = read_all(fd);
    ::close(fd);
    return out;
}

bool closed_by_peer(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char c;
    return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

struct Served {
    std::atomic<int> scrapes{0};
    HttpListener http;
    explicit Served(HttpLimits limits = {})
        : http([this] {
              ++scrapes;
              return std::string("# TYPE up gauge\nup 1\n");
          }, limits) {
        ListenAddress a;
        std::string e;
        parse_listen_address("127.0.0.1:1", a, e);
        a.port = 0;   // any free port
        EXPECT_TRUE(http.open(a, e)) << e;
        EXPECT_TRUE(http.start(e)) << e;
    }
};

}  // namespace

TEST(MetricsHttpResponse, Routes) {
    auto body = [] { return std::string("x 1\n"); };
    std::string ok = http_response("GET /metrics HTTP/1.1\r\nHost: a", body);
    EXPECT_EQ(ok.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << ok;
    EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos);
    EXPECT_NE(ok.find("Content-Length: 4\r\n"), std::string::npos);
    EXPECT_EQ(ok.substr(ok.size() - 8), "\r\n\r\nx 1\n");
    EXPECT_EQ(http_response("GET /metrics?name[]=x HTTP/1.0", body).rfind("HTTP/1.0 200", 0), 0u);
    std::string head = http_response("HEAD /metrics HTTP/1.0", body);
    EXPECT_EQ(head.rfind("HTTP/1.0 200", 0), 0u);
    EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");   // no body
    EXPECT_EQ(http_response("GET / HTTP/1.1", body).rfind("HTTP/1.0 404", 0), 0u);
    EXPECT_EQ(http_response("GET /metricsx HTTP/1.1", body).rfind("HTTP/1.0 404", 0), 0u);
    std::string post = http_response("POST /metrics HTTP/1.1", body);
    EXPECT_EQ(post.rfind("HTTP/1.0 405", 0), 0u);
    EXPECT_NE(post.find("Allow: GET, HEAD\r\n"), std::string::npos);
    EXPECT_EQ(http_response("GET /metrics", body).rfind("HTTP/1.0 400", 0), 0u);
    EXPECT_EQ(http_response("garbage", body).rfind("HTTP/1.0 400", 0), 0u);
}

TEST(MetricsHttpListener, ServesAScrape) {
    Served s;
    std::string r = exchange(s.http.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
    EXPECT_EQ(r.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << r;
    EXPECT_NE(r.find("\r\n\r\n# TYPE up gauge\nup 1\n"), std::string::npos) << r;
    EXPECT_EQ(s.scrapes, 1);
    // Bare LF line ends are accepted too.
    r = exchange(s.http.port(), "GET /metrics HTTP/1.0\n\n");
    EXPECT_EQ(r.rfind("HTTP/1.0 200", 0), 0u) << r;
    EXPECT_EQ(exchange(s.http.port(), "GET /other HTTP/1.0\r\n\r\n").rfind("HTTP/1.0 404", 0), 0u);
}

TEST(MetricsHttpListener, RequestArrivingInPieces) {
    Served s;
    int fd = connect_to(s.http.port());
    ASSERT_GE(fd, 0);
    for (const char* part : {"GET /met", "rics HTTP/1.1\r\n", "Host: x\r", "\n\r\n"}) {
        ::send(fd, part, strlen(part), MSG_NOSIGNAL);
        usleep(20000);
    }
    std::string r = read_all(fd);
    ::close(fd);
    EXPECT_EQ(r.rfind("HTTP/1.0 200", 0), 0u) << r;
}

TEST(MetricsHttpListener, OversizedRequestIsRefused) {
    HttpLimits l;
    l.max_request = 256;
    Served s(l);
    std::string big = "GET /metrics HTTP/1.1\r\nX-Pad: " + std::string(1000, 'a') + "\r\n\r\n";
    std::string r = exchange(s.http.port(), big);
    EXPECT_EQ(r.rfind("HTTP/1.0 431", 0), 0u) << r;
    // No end of headers at all, but more than the limit.
    r = exchange(s.http.port(), std::string(300, 'G'));
    EXPECT_EQ(r.rfind("HTTP/1.0 431", 0), 0u) << r;
    EXPECT_EQ(s.scrapes, 0);
}

TEST(MetricsHttpListener, SilentClientDelaysNobodyAndIsDroppedAtItsDeadline) {
    HttpLimits l;
    l.timeout_ms = 600;
    Served s(l);
    int idle = connect_to(s.http.port());
    ASSERT_GE(idle, 0);
    const auto t0 = std::chrono::steady_clock::now();
    std::string r = exchange(s.http.port(), "GET /metrics HTTP/1.0\r\n\r\n");
    EXPECT_EQ(r.rfind("HTTP/1.0 200", 0), 0u) << r;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
    EXPECT_TRUE(closed_by_peer(idle, 3000));   // after its 600 ms
    ::close(idle);
}

TEST(MetricsHttpListener, TooManyClientsAreAnswered503) {
    HttpLimits l;
    l.max_clients = 2;
    Served s(l);
    int a = connect_to(s.http.port()), b = connect_to(s.http.port());
    ASSERT_GE(a, 0);
    ASSERT_GE(b, 0);
    usleep(100000);   // both accepted
    std::string r = exchange(s.http.port(), "GET /metrics HTTP/1.0\r\n\r\n");
    EXPECT_EQ(r.rfind("HTTP/1.0 503", 0), 0u) << r;
    ::close(a);
    ::close(b);
    // Their slots come free once the server sees them closed.
    std::string again;
    for (int i = 0; i < 50 && again.rfind("HTTP/1.0 200", 0) != 0; ++i) {
        usleep(20000);
        again = exchange(s.http.port(), "GET /metrics HTTP/1.0\r\n\r\n");
    }
    EXPECT_EQ(again.rfind("HTTP/1.0 200", 0), 0u) << again;
}

TEST(MetricsHttpListener, BindErrorNamesTheAddress) {
    Served s;
    HttpListener second([] { return std::string(); });
    ListenAddress a;
    std::string e;
    ASSERT_TRUE(parse_listen_address("127.0.0.1:" + std::to_string(s.http.port()), a, e));
    EXPECT_FALSE(second.open(a, e));
    EXPECT_NE(e.find("metrics_listen 127.0.0.1:" + std::to_string(s.http.port())), std::string::npos) << e;
    EXPECT_NE(e.find("in use"), std::string::npos) << e;
}

TEST(MetricsHttpListener, StopsPromptly) {
    auto s = std::make_unique<Served>();
    int idle = connect_to(s->http.port());
    const auto t0 = std::chrono::steady_clock::now();
    s.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
    ::close(idle);
}
