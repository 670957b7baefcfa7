#include "rtpproxy/control_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ser::rtpp {

namespace {

constexpr int kBacklog = 32;
constexpr size_t kMaxConnections = 256;   // pending unix connections; more are refused
constexpr int kIdleTicks = 5;             // seconds a connection may stay silent
constexpr int kDatagramsPerWakeup = 64;

// Writes all of `data` (the I listing may exceed one socket buffer; the
// connection has a send timeout, so a stuck client cannot hold us long).
void write_all(int fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}

}  // namespace

std::unique_ptr<UnixControl> UnixControl::open(const std::string& path, Poller& poller, Controller& controller,
                                               Logger& log, std::string& error) {
    sockaddr_un sun{};
    if (path.empty() || path.size() >= sizeof sun.sun_path) {
        error = "control socket path too long: " + path;
        return nullptr;
    }
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
    unlink(path.c_str());
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("can't create the control socket: ") + std::strerror(errno);
        return nullptr;
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0 || listen(fd, kBacklog) != 0) {
        error = "can't bind/listen on " + path + ": " + std::strerror(errno);
        close(fd);
        return nullptr;
    }
    std::unique_ptr<UnixControl> u(new UnixControl(path, fd, poller, controller, log));
    if (!poller.add(fd, u.get())) {
        error = "can't poll the control socket";
        return nullptr;
    }
    return u;
}

UnixControl::UnixControl(std::string path, int fd, Poller& poller, Controller& controller, Logger& log)
    : PollSource(Kind::unix_listener), path_(std::move(path)), fd_(fd), poller_(poller), controller_(controller),
      log_(log) {}

UnixControl::~UnixControl() {
    while (!open_.empty()) close_connection(open_.back().get());
    release_closed();
    poller_.remove(fd_);
    close(fd_);
    unlink(path_.c_str());
}

void UnixControl::on_accept() {
    for (int k = 0; k < kBacklog; ++k) {
        int cfd = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_.error("", "can't accept connection on control socket: {}", std::strerror(errno));
            return;
        }
        if (open_.size() >= kMaxConnections) {
            log_.warn("", "too many pending control connections, refusing one");
            close(cfd);
            continue;
        }
        timeval tv{2, 0};
        setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        auto c = std::make_unique<Connection>();
        c->fd = cfd;
        c->owner = this;
        if (!poller_.add(cfd, c.get())) {
            close(cfd);
            continue;
        }
        open_.push_back(std::move(c));
    }
}

void UnixControl::on_connection(UnixConnection* c) {
    if (c->fd < 0) return;   // closed earlier in this batch
    // One read per connection (§2.1); one byte more than we accept tells an
    // oversized command from a full one.
    char buf[kMaxCommand + 1];
    ssize_t n;
    do n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) {
        close_connection(c);
        return;
    }
    bool oversized = static_cast<size_t>(n) > kMaxCommand;
    std::string reply =
        controller_.handle(std::string_view(buf, std::min(static_cast<size_t>(n), kMaxCommand)), false, oversized);
    write_all(c->fd, reply);
    // Closing a unix socket with unread input resets the peer before it
    // reads our reply: swallow what is queued (bounded) first.
    for (int k = 0; oversized && k < 16 && recv(c->fd, buf, sizeof buf, MSG_DONTWAIT) > 0; ++k) {
    }
    close_connection(c);
}

void UnixControl::close_connection(Connection* c) {
    auto it = std::find_if(open_.begin(), open_.end(), [&](const auto& p) { return p.get() == c; });
    if (it == open_.end()) return;
    poller_.remove(c->fd);
    close(c->fd);
    c->fd = -1;
    closed_.push_back(std::move(*it));
    open_.erase(it);
}

void UnixControl::expire_idle() {
    std::vector<Connection*> idle;
    for (auto& c : open_)
        if (++c->idle_ticks > kIdleTicks) idle.push_back(c.get());
    for (Connection* c : idle) close_connection(c);
}

void UnixControl::release_closed() {
    closed_.clear();
}

std::unique_ptr<UdpControl> UdpControl::open(const SockAddr& addr, Poller& poller, Controller& controller,
                                             Logger& log, std::string& error) {
    int fd = socket(addr.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("can't create the control socket: ") + std::strerror(errno);
        return nullptr;
    }
    if (bind(fd, addr.sa(), addr.len) != 0) {
        error = "can't bind the control socket to " + addr.host_port() + ": " + std::strerror(errno);
        close(fd);
        return nullptr;
    }
    std::unique_ptr<UdpControl> u(new UdpControl(fd, poller, controller, log));
    if (!poller.add(fd, u.get())) {
        error = "can't poll the control socket";
        return nullptr;
    }
    return u;
}

UdpControl::UdpControl(int fd, Poller& poller, Controller& controller, Logger& log)
    : PollSource(Kind::udp_control), fd_(fd), poller_(poller), controller_(controller), log_(log) {}

UdpControl::~UdpControl() {
    poller_.remove(fd_);
    close(fd_);
}

void UdpControl::send_reply(const std::string& reply, const sockaddr_storage& to, socklen_t to_len) {
    // A long I listing goes out as several datagrams, cut at line ends.
    size_t off = 0;
    while (off < reply.size()) {
        size_t len = reply.size() - off;
        if (len > kMaxCommand) {
            size_t cut = reply.rfind('\n', off + kMaxCommand - 1);
            len = (cut == std::string::npos || cut < off) ? kMaxCommand : cut + 1 - off;
        }
        for (int attempt = 0; attempt < 100; ++attempt) {
            if (sendto(fd_, reply.data() + off, len, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), to_len) >= 0)
                break;
            if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) break;
        }
        off += len;
    }
}

void UdpControl::on_readable() {
    char buf[kMaxCommand + 1];
    for (int k = 0; k < kDatagramsPerWakeup; ++k) {
        sockaddr_storage from{};
        socklen_t from_len = sizeof from;
        // MSG_TRUNC: the real length of a longer datagram.
        ssize_t n = recvfrom(fd_, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC, reinterpret_cast<sockaddr*>(&from),
                             &from_len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        bool oversized = static_cast<size_t>(n) > kMaxCommand;
        std::string reply =
            controller_.handle(std::string_view(buf, std::min(static_cast<size_t>(n), kMaxCommand)), true, oversized);
        send_reply(reply, from, from_len);
    }
}

}  // namespace ser::rtpp
