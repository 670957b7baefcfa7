// The metrics endpoint: a small HTTP/1.x server on its own thread that
// answers GET (and HEAD) /metrics and closes each connection after one
// answer. One poll() loop serves every client at once, so a client that
// connects and sends nothing, or reads slowly, delays nobody; each has a
// deadline for the whole exchange and a bound on its request size. No SIP
// thread ever waits for it.
//
// Hand-written instead of Boost.Beast: the protocol needed is one request
// line and a header block, while one Beast translation unit costs ~6 s and
// ~430 MB of compiler memory here (and Boost 1.74's asio needs a C++20
// workaround).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "runtime/metrics/listen_address.hpp"

namespace ser::metrics {

struct HttpLimits {
    size_t max_request = 8192;   // bytes of request line + headers
    int timeout_ms = 10000;      // per connection, from accept to close
    size_t max_clients = 16;     // at once; more are answered 503
};

// The whole answer to the request whose header block (request line and
// headers, without the empty line) is `head`: 200 with `body()` for GET or
// HEAD of /metrics (a query string is ignored), 404 for another path, 405
// for another method, 400 for a malformed request line.
std::string http_response(std::string_view head, const std::function<std::string()>& body);

class HttpListener {
public:
    using Body = std::function<std::string()>;
    explicit HttpListener(Body body, HttpLimits limits = {});
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    // Binds and listens. False + error ("metrics_listen 127.0.0.1:9090: bind: ...").
    bool open(const ListenAddress& a, std::string& error);
    uint16_t port() const { return port_; }
    // Serves on a thread of its own until stop().
    bool start(std::string& error);
    void stop();

private:
    void loop();

    Body body_;
    HttpLimits limits_;
    int listen_fd_ = -1;
    int wake_fd_ = -1;
    uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace ser::metrics
