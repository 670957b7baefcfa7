#include "runtime/metrics/http_listener.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <list>
#include <vector>

#include <fmt/format.h>

#include "runtime/metrics/exposition.hpp"
#include "ser/log.hpp"

namespace ser::metrics {

namespace {

uint64_t now_ms() {
    using namespace std::chrono;
    return uint64_t(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

std::string answer(int code, std::string_view reason, std::string_view type, std::string_view body,
                   bool head_only, std::string_view extra = {}) {
    std::string out = fmt::format("HTTP/1.0 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n",
                                  code, reason, type, body.size(), extra);
    if (!head_only) out += body;
    return out;
}

std::string plain(int code, std::string_view reason, bool head_only = false, std::string_view extra = {}) {
    return answer(code, reason, "text/plain; charset=utf-8", fmt::format("{}\n", reason), head_only, extra);
}

// The end of the header block (after its empty line), or npos.
size_t head_end(std::string_view in, size_t& head_len) {
    size_t crlf = in.find("\r\n\r\n"), lf = in.find("\n\n");
    if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) {
        head_len = crlf;
        return crlf + 4;
    }
    if (lf != std::string_view::npos) {
        head_len = lf;
        return lf + 2;
    }
    return std::string_view::npos;
}

struct Client {
    int fd = -1;
    uint64_t deadline_ms = 0;
    std::string in, out;
    size_t sent = 0;
    bool answering = false;   // `out` is being written
    bool draining = false;    // answered: reading until the peer closes
};

}  // namespace

std::string http_response(std::string_view head, const std::function<std::string()>& body) {
    std::string_view line = head.substr(0, head.find_first_of("\r\n"));
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || line.substr(sp2 + 1).rfind("HTTP/", 0) != 0)
        return plain(400, "Bad Request");
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const bool head_only = method == "HEAD";
    if (method != "GET" && !head_only) return plain(405, "Method Not Allowed", false, "Allow: GET, HEAD\r\n");
    std::string_view path = target.substr(0, target.find('?'));
    if (path != "/metrics") return plain(404, "Not Found", head_only);
    return answer(200, "OK", kTextContentType, body(), head_only);
}

HttpListener::HttpListener(Body body, HttpLimits limits) : body_(std::move(body)), limits_(limits) {}

HttpListener::~HttpListener() {
    stop();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool HttpListener::open(const ListenAddress& a, std::string& error) {
    const std::string where = a.ip.is_v6() ? fmt::format("[{}]:{}", a.ip.to_string(), a.port)
                                            : fmt::format("{}:{}", a.ip.to_string(), a.port);
    sockaddr_storage ss{};
    socklen_t len = a.ip.to_sockaddr(a.port, ss);
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = fmt::format("metrics_listen {}: socket: {}", where, strerror(errno));
        return false;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a.ip.is_v6()) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 64) != 0) {
        error = fmt::format("metrics_listen {}: {}", where, strerror(errno));
        ::close(fd);
        return false;
    }
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    IpAddr ip;
    uint16_t port = a.port;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen) == 0)
        IpAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&bound), ip, &port);
    listen_fd_ = fd;
    port_ = port;
    return true;
}

bool HttpListener::start(std::string& error) {
    if (listen_fd_ < 0) {
        error = "metrics: listener not open";
        return false;
    }
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) {
        error = fmt::format("metrics: eventfd: {}", strerror(errno));
        return false;
    }
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
    return true;
}

void HttpListener::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
    (void)ignored;
    thread_.join();
}

void HttpListener::loop() {
    std::list<Client> clients;
    std::vector<pollfd> fds;
    std::vector<Client*> order;
    auto close_client = [&](std::list<Client>::iterator it) {
        ::close(it->fd);
        return clients.erase(it);
    };
    // Writes what the socket takes now; true when everything went.
    auto flush = [](Client& c) {
        while (c.sent < c.out.size()) {
            ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                c.sent += size_t(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            return false;
        }
        return true;
    };
    auto answered = [](Client& c) {
        c.answering = false;
        c.draining = true;
        c.deadline_ms = std::min(c.deadline_ms, now_ms() + 1000);   // a peer that never closes keeps no slot long
        ::shutdown(c.fd, SHUT_WR);   // the peer sees the end; its unread bytes cannot reset the answer
    };
    char buf[4096];
    while (!stopping_.load()) {
        const uint64_t now = now_ms();
        int timeout = 1000;
        for (auto it = clients.begin(); it != clients.end();) {
            if (now >= it->deadline_ms) {
                it = close_client(it);   // too slow: dropped, the others are not affected
                continue;
            }
            timeout = std::min<int>(timeout, int(it->deadline_ms - now));
            ++it;
        }
        fds.clear();
        order.clear();
        fds.push_back({wake_fd_, POLLIN, 0});
        fds.push_back({listen_fd_, POLLIN, 0});
        for (auto& c : clients) {
            fds.push_back({c.fd, short(c.answering ? POLLOUT : POLLIN), 0});
            order.push_back(&c);
        }
        int n = ::poll(fds.data(), fds.size(), timeout);
        if (n < 0 && errno != EINTR) {
            SER_ERR("metrics: poll: {}", strerror(errno));
            break;
        }
        if (n <= 0) continue;
        if (fds[0].revents) break;
        for (size_t i = 2; i < fds.size(); ++i) {
            if (!fds[i].revents) continue;
            Client& c = *order[i - 2];
            if (c.answering) {
                if (flush(c)) answered(c);
                else if (fds[i].revents & (POLLERR | POLLHUP)) c.deadline_ms = 0;
                continue;
            }
            ssize_t k = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
            if (k < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (k <= 0) {
                c.deadline_ms = 0;   // closed (or reset): gone at the next turn
                continue;
            }
            if (c.draining) continue;
            c.in.append(buf, size_t(k));
            size_t head_len = 0;
            size_t end = head_end(c.in, head_len);
            if (end == std::string::npos && c.in.size() <= limits_.max_request) continue;
            if (end == std::string::npos || head_len > limits_.max_request)
                c.out = plain(431, "Request Header Fields Too Large");
            else
                c.out = http_response(std::string_view(c.in).substr(0, head_len), body_);
            c.in.clear();
            c.in.shrink_to_fit();
            c.answering = true;
            if (flush(c)) answered(c);
        }
        if (fds[1].revents) {
            for (;;) {
                int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) break;
                if (clients.size() >= limits_.max_clients) {
                    std::string busy = plain(503, "Service Unavailable");
                    ssize_t ignored = ::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                    (void)ignored;
                    ::close(fd);
                    continue;
                }
                Client c;
                c.fd = fd;
                c.deadline_ms = now_ms() + uint64_t(limits_.timeout_ms);
                clients.push_back(std::move(c));
            }
        }
    }
    for (auto it = clients.begin(); it != clients.end();) it = close_client(it);
}

}  // namespace ser::metrics
