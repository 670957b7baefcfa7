#include "runtime/mgmt/fifo_server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>

#include <fmt/format.h>

#include "runtime/mgmt/reply_fifo.hpp"
#include "ser/log.hpp"

namespace ser::rt::mgmt {

namespace {

// A client that reads its reply slowly gets this long in all.
constexpr int kReplyTimeoutMs = 2000;

void trim_right(std::string& s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
}

bool id_of(const std::string& text, bool user, long& out, std::string& error) {
    if (text.empty()) return true;
    char* end;
    long v = strtol(text.c_str(), &end, 10);
    if (!*end) {
        out = v;
        return true;
    }
    if (user) {
        if (passwd* p = getpwnam(text.c_str())) {
            out = long(p->pw_uid);
            return true;
        }
    } else if (group* g = getgrnam(text.c_str())) {
        out = long(g->gr_gid);
        return true;
    }
    error = fmt::format("unknown {} '{}' (sock_{})", user ? "user" : "group", text, user ? "user" : "group");
    return false;
}

}  // namespace

bool socket_owner(const Settings& s, uid_t& uid, gid_t& gid, std::string& error) {
    long u = -1, g = -1;
    if (!id_of(s.fifo_user, true, u, error) || !id_of(s.fifo_group, false, g, error)) return false;
    uid = uid_t(u);
    gid = gid_t(g);
    return true;
}

// Replies written after their command returned (t_uac_dlg), from any
// thread: queued here and written by the FIFO thread, so a SIP worker never
// waits for a client.
class LateReplies {
public:
    LateReplies() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
    ~LateReplies() {
        if (fd_ >= 0) close(fd_);
    }
    int fd() const { return fd_; }
    void push(std::string path, std::string text) {
        {
            std::lock_guard lk(mu_);
            if (items_.size() >= kMaxQueued) {
                SER_ERR("fifo: {} replies wait for their clients; reply to {} dropped", items_.size(), path);
                return;
            }
            items_.emplace_back(std::move(path), std::move(text));
        }
        uint64_t one = 1;
        ssize_t ignored = write(fd_, &one, sizeof one);
        (void)ignored;
    }
    std::deque<std::pair<std::string, std::string>> take() {
        uint64_t n;
        ssize_t ignored = read(fd_, &n, sizeof n);
        (void)ignored;
        std::lock_guard lk(mu_);
        return std::move(items_);
    }

private:
    static constexpr size_t kMaxQueued = 1024;
    int fd_;
    std::mutex mu_;
    std::deque<std::pair<std::string, std::string>> items_;
};

namespace {

class LateFifoReply : public FifoLateReply {
public:
    LateFifoReply(std::shared_ptr<LateReplies> q, std::string path) : q_(std::move(q)), path_(std::move(path)) {}
    void send(std::string_view whole_reply) override {
        if (q_) q_->push(std::move(path_), std::string(whole_reply));
        q_.reset();
    }

private:
    std::shared_ptr<LateReplies> q_;
    std::string path_;
};

}  // namespace

// One request as its command sees it: lines come from the FIFO, the reply
// collects until the command returns.
class FifoServer::Request : public FifoRequest {
public:
    Request(FifoServer& server, std::string reply_path) : server_(server), path_(std::move(reply_path)) {}

    std::optional<std::string> read_line() override {
        std::string line;
        switch (server_.read_line(line, kMaxLine, kLineTimeoutMs)) {
        case Read::Line:
            if (line.empty()) saw_end_ = true;
            return line;
        case Read::TooLong: SER_ERR("fifo: request line too long"); return std::nullopt;
        case Read::Timeout:
            SER_ERR("fifo: the client stopped writing its request");
            timed_out_ = true;
            return std::nullopt;
        case Read::Stopped: return std::nullopt;
        }
        return std::nullopt;
    }
    void reply(std::string_view text) override { text_.append(text); }
    Interface interface() const override { return Interface::Fifo; }
    std::unique_ptr<FifoLateReply> reply_later() override {
        if (path_.empty()) return nullptr;
        later_ = true;
        return std::make_unique<LateFifoReply>(server_.late_, path_);
    }

    bool timed_out() const { return timed_out_; }
    bool saw_end() const { return saw_end_; }
    // Sends what the command wrote, unless it answers later.
    void finish() {
        if (!later_ && !path_.empty()) write_reply_fifo(path_, text_, kReplyTimeoutMs);
    }

private:
    FifoServer& server_;
    std::string path_, text_;
    bool later_ = false;
    bool timed_out_ = false;
    bool saw_end_ = false;   // the command itself read the request's empty last line
};

FifoServer::FifoServer(const Settings& settings, const CommandTable& commands)
    : settings_(settings), commands_(commands), late_(std::make_shared<LateReplies>()) {}

FifoServer::~FifoServer() { stop(); }

bool FifoServer::open(std::string& error) {
    path_ = settings_.fifo;
    uid_t uid;
    gid_t gid;
    if (!socket_owner(settings_, uid, gid, error)) return false;
    struct stat st {};
    if (lstat(path_.c_str(), &st) == 0 && unlink(path_.c_str()) != 0) {
        error = fmt::format("fifo: cannot delete the old fifo {}: {}", path_, strerror(errno));
        return false;
    }
    mode_t mode = mode_t(settings_.fifo_mode) & 07777;
    if (mkfifo(path_.c_str(), mode) != 0) {
        error = fmt::format("fifo: cannot create the fifo {}: {}", path_, strerror(errno));
        return false;
    }
    // mkfifo's mode passed through the umask; the configured one is meant.
    if (chmod(path_.c_str(), mode) != 0 ||
        ((uid != uid_t(-1) || gid != gid_t(-1)) && chown(path_.c_str(), uid, gid) != 0)) {
        error = fmt::format("fifo: cannot set the mode/owner of {}: {}", path_, strerror(errno));
        unlink(path_.c_str());
        return false;
    }
    read_fd_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    write_fd_ = read_fd_ >= 0 ? ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC) : -1;
    stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (read_fd_ < 0 || write_fd_ < 0 || stop_fd_ < 0) {
        error = fmt::format("fifo: cannot open the fifo {}: {}", path_, strerror(errno));
        unlink(path_.c_str());
        return false;
    }
    return true;
}

void FifoServer::start(std::function<bool()> thread_init) {
    thread_ = std::thread([this, init = std::move(thread_init)] {
        if (init && !init()) return;
        SER_INFO("fifo server up at {}", path_);
        loop();
    });
}

void FifoServer::stop() {
    if (stop_fd_ < 0) return;
    stopping_ = true;
    uint64_t one = 1;
    ssize_t ignored = write(stop_fd_, &one, sizeof one);
    (void)ignored;
    if (thread_.joinable()) thread_.join();
    for (int* fd : {&read_fd_, &write_fd_, &stop_fd_}) {
        if (*fd >= 0) close(*fd);
        *fd = -1;
    }
    if (unlink(path_.c_str()) != 0 && errno != ENOENT)
        SER_WARN("fifo: cannot delete the fifo {}: {}", path_, strerror(errno));
}

bool FifoServer::fill(int timeout_ms) {
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
    for (;;) {
        if (stopping_) return false;
        char chunk[4096];
        ssize_t n = ::read(read_fd_, chunk, sizeof chunk);
        if (n > 0) {
            buf_.append(chunk, size_t(n));
            return true;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            SER_ERR("fifo: reading {}: {}", path_, strerror(errno));
            return false;
        }
        int wait = -1;
        if (timeout_ms >= 0) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
            if (left <= 0) return false;
            wait = int(left);
        }
        pollfd p[3] = {{read_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}, {late_->fd(), POLLIN, 0}};
        // Late replies go out only between requests, never in the middle of one.
        int r = poll(p, timeout_ms < 0 ? 3 : 2, wait);
        if (r < 0 && errno != EINTR) return false;
        if (p[1].revents) return false;
        if (timeout_ms < 0 && p[2].revents) drain_late_replies();
    }
}

FifoServer::Read FifoServer::read_line(std::string& out, size_t max, int timeout_ms) {
    for (;;) {
        size_t nl = buf_.find('\n');
        if (skipping_) {
            if (nl == std::string::npos) {
                buf_.clear();
            } else {
                buf_.erase(0, nl + 1);
                skipping_ = false;
                continue;
            }
        } else if (nl != std::string::npos) {
            if (nl > max) {
                buf_.erase(0, nl + 1);
                return Read::TooLong;
            }
            out.assign(buf_, 0, nl);
            buf_.erase(0, nl + 1);
            trim_right(out);
            return Read::Line;
        } else if (buf_.size() > max) {
            buf_.clear();
            skipping_ = true;
            return Read::TooLong;
        }
        if (!fill(timeout_ms)) {
            if (stopping_) return Read::Stopped;
            // A line the client never finished is dropped with its request.
            buf_.clear();
            return Read::Timeout;
        }
    }
}

void FifoServer::drain_late_replies() {
    for (auto& [path, text] : late_->take()) write_reply_fifo(path, text, kReplyTimeoutMs);
}

void FifoServer::loop() {
    while (!stopping_) {
        std::string line;
        Read r = read_line(line, kMaxCommandLine, -1);
        if (r == Read::Stopped) break;
        if (r == Read::TooLong) {
            SER_ERR("fifo: command line longer than {} bytes; request skipped", kMaxCommandLine + 1);
            // The rest of the request, up to its empty line.
            for (std::string rest;;) {
                Read x = read_line(rest, kMaxLine, kLineTimeoutMs);
                if ((x == Read::Line && rest.empty()) || x == Read::Timeout || x == Read::Stopped) break;
            }
            continue;
        }
        if (r != Read::Line) continue;
        if (line.empty()) continue;   // between requests
        serve(line);
    }
}

void FifoServer::serve(const std::string& line) {
    std::string command, reply_path;
    bool ok = false;
    if (line.size() < 3) {
        SER_ERR("fifo: command must have at least 3 chars");
    } else if (line[0] != ':') {
        SER_ERR("fifo: command must begin with ':': {}", line);
    } else {
        size_t sep = line.find(':', 1);
        if (sep == std::string::npos) {
            SER_ERR("fifo: reply fifo separator missing: {}", line);
        } else if (sep == 1) {
            SER_ERR("fifo: empty command");
        } else {
            command = line.substr(1, sep - 1);
            std::string name = line.substr(sep + 1);
            ok = true;
            if (!name.empty()) {
                reply_path = reply_fifo_path(settings_.fifo_dir, name);
                ok = !reply_path.empty();
            }
        }
    }
    if (ok) {
        if (const Handler* h = commands_.find(command)) {
            Request req(*this, reply_path);
            if ((*h)(req) < 0) SER_ERR("fifo: command ({}) processing failed", command);
            req.finish();
            // The client stopped in the middle, or the command already read
            // the empty line that ends the request: what comes next is a
            // new request (SER read one more line blindly and so ate the
            // first line of the next request).
            if (req.timed_out() || req.saw_end()) return;
        } else {
            SER_ERR("fifo: command {} is not available", command);
            if (!reply_path.empty())
                write_reply_fifo(reply_path, fmt::format("500 command '{}' not available\n", command), kReplyTimeoutMs);
        }
    }
    // SER read exactly one more line after every request (normally its
    // empty last line) [quirk kept: clients depend on it].
    std::string rest;
    while (read_line(rest, kMaxLine, kLineTimeoutMs) == Read::TooLong) {
    }
}

}  // namespace ser::rt::mgmt
