#include "runtime/mgmt/unix_sock_server.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "runtime/mgmt/fifo_server.hpp"
#include "ser/log.hpp"

namespace ser::rt::mgmt {

namespace {

struct Peer {
    sockaddr_un addr{};
    socklen_t len = 0;
};

// SER's unix-socket replies say "200 OK" where the FIFO's say "200 ok";
// module commands write one text for both.
std::string for_unix_socket(std::string text) {
    if (text.rfind("200 ok\n", 0) == 0) text.replace(0, 6, "200 OK");
    return text;
}

// Sends within `timeout_ms` (unix_tx_timeout): a client that does not read
// its socket loses the reply, the server goes on. A full client queue is
// waited for on a socket connected to that client (an unconnected datagram
// socket always polls writable).
void send_reply(int fd, const Peer& to, const std::string& text, int timeout_ms) {
    if (to.len <= sizeof(sa_family_t)) return;   // an unnamed client cannot be answered
    const auto* addr = reinterpret_cast<const sockaddr*>(&to.addr);
    if (sendto(fd, text.data(), text.size(), MSG_DONTWAIT, addr, to.len) >= 0) return;
    if (errno != EAGAIN || timeout_ms <= 0) {
        SER_ERR("unix_sock: sending the reply to {}: {}", to.addr.sun_path, strerror(errno));
        return;
    }
    int c = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (c < 0 || connect(c, addr, to.len) != 0) {
        SER_ERR("unix_sock: sending the reply to {}: {}", to.addr.sun_path, strerror(errno));
        if (c >= 0) close(c);
        return;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        if (send(c, text.data(), text.size(), 0) >= 0) break;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{c, POLLOUT, 0};
        if ((errno == EAGAIN || errno == EINTR) && left.count() > 0 && poll(&p, 1, int(left.count())) >= 0) continue;
        SER_ERR("unix_sock: reply to {} {}", to.addr.sun_path, errno == EAGAIN ? "timed out" : strerror(errno));
        break;
    }
    close(c);
}

class LateUnixReply : public FifoLateReply {
public:
    explicit LateUnixReply(Peer to) : to_(to) {}
    // From a SIP worker: a socket of its own (the server's may be closed by
    // then), one attempt, no wait.
    void send(std::string_view whole_reply) override {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return;
        send_reply(fd, to_, for_unix_socket(std::string(whole_reply)), 0);
        close(fd);
    }

private:
    Peer to_;
};

class DatagramRequest : public FifoRequest {
public:
    DatagramRequest(std::string_view body, const Peer& from) : rest_(body), from_(from) {}
    std::optional<std::string> read_line() override {
        if (rest_.empty()) return std::nullopt;
        size_t nl = rest_.find('\n');
        std::string line(rest_.substr(0, nl));
        rest_ = nl == std::string_view::npos ? std::string_view() : rest_.substr(nl + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        return line;
    }
    void reply(std::string_view text) override { text_.append(text); }
    Interface interface() const override { return Interface::UnixSocket; }
    std::unique_ptr<FifoLateReply> reply_later() override {
        later_ = true;
        return std::make_unique<LateUnixReply>(from_);
    }
    bool later() const { return later_; }
    std::string& text() { return text_; }

private:
    std::string_view rest_;
    Peer from_;
    std::string text_;
    bool later_ = false;
};

}  // namespace

UnixSockServer::UnixSockServer(const Settings& settings, const CommandTable& commands)
    : settings_(settings), commands_(commands) {}

UnixSockServer::~UnixSockServer() { stop(); }

int UnixSockServer::children() const { return settings_.unix_sock_children > 0 ? settings_.unix_sock_children : 1; }

bool UnixSockServer::open(std::string& error) {
    path_ = settings_.unix_sock;
    sockaddr_un a{};
    if (path_.size() >= sizeof a.sun_path) {
        error = fmt::format("unix_sock: path too long: {}", path_);
        return false;
    }
    uid_t uid;
    gid_t gid;
    if (!socket_owner(settings_, uid, gid, error)) return false;
    struct stat st {};
    if (lstat(path_.c_str(), &st) == 0 && unlink(path_.c_str()) != 0) {
        error = fmt::format("unix_sock: cannot delete the old socket {}: {}", path_, strerror(errno));
        return false;
    }
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path_.c_str(), path_.size());
    if (fd_ < 0 || stop_fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        error = fmt::format("unix_sock: cannot bind {}: {}", path_, strerror(errno));
        return false;
    }
    mode_t mode = mode_t(settings_.fifo_mode) & 07777;
    if (chmod(path_.c_str(), mode) != 0 ||
        ((uid != uid_t(-1) || gid != gid_t(-1)) && chown(path_.c_str(), uid, gid) != 0)) {
        error = fmt::format("unix_sock: cannot set the mode/owner of {}: {}", path_, strerror(errno));
        return false;
    }
    return true;
}

void UnixSockServer::start(std::function<bool(int)> thread_init) {
    for (int i = 0; i < children(); ++i) {
        threads_.emplace_back([this, i, thread_init] {
            if (thread_init && !thread_init(i)) return;
            loop();
        });
    }
}

void UnixSockServer::stop() {
    if (stop_fd_ >= 0) {
        stopping_ = true;
        uint64_t one = 1;
        ssize_t ignored = write(stop_fd_, &one, sizeof one);
        (void)ignored;
    }
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
    for (int* fd : {&fd_, &stop_fd_}) {
        if (*fd >= 0) close(*fd);
        *fd = -1;
    }
    if (!path_.empty()) unlink(path_.c_str());
    path_.clear();
}

void UnixSockServer::loop() {
    auto buf = std::make_unique<char[]>(kMaxRequest);
    while (!stopping_) {
        pollfd p[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
        if (poll(p, 2, -1) < 0 || p[1].revents) continue;
        Peer from;
        from.len = sizeof from.addr;
        ssize_t n = recvfrom(fd_, buf.get(), kMaxRequest, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from.addr), &from.len);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) SER_ERR("unix_sock: recvfrom: {}", strerror(errno));
            continue;
        }
        std::string_view msg(buf.get(), size_t(n));
        // ":<command>:" and the rest of that line ignored (SER's old reply-name slot).
        size_t end = msg.size() >= 3 && msg[0] == ':' ? msg.find(':', 1) : std::string_view::npos;
        size_t eol = msg.find('\n');
        if (end == std::string_view::npos || (eol != std::string_view::npos && end > eol)) {
            SER_ERR("unix_sock: first line malformed");
            send_reply(fd_, from, "400 First line malformed\n", settings_.unix_tx_timeout);
            continue;
        }
        std::string command(msg.substr(1, end - 1));
        std::string_view body = eol == std::string_view::npos ? std::string_view() : msg.substr(eol + 1);
        const Handler* h = commands_.find(command);
        if (!h) {
            SER_ERR("unix_sock: could not find command '{}'", command);
            send_reply(fd_, from, fmt::format("500 Command {} not found\n", command), settings_.unix_tx_timeout);
            continue;
        }
        DatagramRequest req(body, from);
        int r = (*h)(req);
        if (r < 0) SER_ERR("unix_sock: command '{}' failed with return value {}", command, r);
        if (!req.later() && !req.text().empty())
            send_reply(fd_, from, for_unix_socket(std::move(req.text())), settings_.unix_tx_timeout);
    }
}

}  // namespace ser::rt::mgmt
