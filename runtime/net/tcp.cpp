#include "runtime/net/tcp.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "runtime/core/log_sink.hpp"
#include "ser/log.hpp"
#include "ser/sip/framing.hpp"
#include "ser/sip/msg.hpp"

namespace ser::rt {

namespace {

std::string addr_key(const IpAddr& ip, uint16_t port) { return ip.to_string() + "|" + std::to_string(port); }

int64_t now_s() {
    using namespace std::chrono;
    return duration_cast<seconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

struct TcpConn {
    uint64_t id = 0;
    int fd = -1;
    IpAddr peer;
    uint16_t peer_port = 0;
    const SocketInfo* local = nullptr;
    std::string in;                 // bytes read, not yet a whole message
    std::mutex write_mu;
    std::atomic<int64_t> last_active{0};
    std::atomic<bool> closed{false};
    TcpReader* reader = nullptr;
};

class TcpReader {
public:
    TcpReader(TcpConnections& owner, int rank) : owner_(owner), rank_(rank) {
        epfd_ = epoll_create1(EPOLL_CLOEXEC);
        wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = 0;
        epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_, &ev);
    }
    ~TcpReader() {
        stop();
        ::close(epfd_);
        ::close(wake_);
    }
    void start(const std::function<bool(int)>& init) {
        thread_ = std::thread([this, init] {
            set_log_process_index(rank_);
            if (init && !init(rank_)) return;   // start-up fails: nothing to read for
            loop();
        });
    }
    void stop() {
        stopping_ = true;
        uint64_t one = 1;
        ssize_t ignored = ::write(wake_, &one, sizeof one);
        (void)ignored;
        if (thread_.joinable()) thread_.join();
    }
    void add(const std::shared_ptr<TcpConn>& c) {
        {
            std::lock_guard lk(mu_);
            conns_[c->id] = c;
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = c->id;
        epoll_ctl(epfd_, EPOLL_CTL_ADD, c->fd, &ev);
    }

private:
    void loop() {
        std::vector<char> buf(65536);
        epoll_event evs[64];
        int64_t last_sweep = now_s();
        while (!stopping_) {
            int n = epoll_wait(epfd_, evs, 64, 1000);
            for (int i = 0; i < n; ++i) {
                uint64_t id = evs[i].data.u64;
                if (id == 0) continue;
                std::shared_ptr<TcpConn> c;
                {
                    std::lock_guard lk(mu_);
                    auto it = conns_.find(id);
                    if (it != conns_.end()) c = it->second;
                }
                if (c) read_ready(*c, buf);
            }
            int64_t now = now_s();
            if (now != last_sweep) {
                last_sweep = now;
                sweep(now);
            }
        }
        std::lock_guard lk(mu_);
        for (auto& [id, c] : conns_) close_conn(*c, false);
        conns_.clear();
    }

    void read_ready(TcpConn& c, std::vector<char>& buf) {
        for (;;) {
            ssize_t r = ::recv(c.fd, buf.data(), buf.size(), MSG_DONTWAIT);
            if (r > 0) {
                c.last_active = now_s();
                c.in.append(buf.data(), size_t(r));
                if (!frame(c)) {
                    drop(c);
                    return;
                }
                continue;
            }
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (r < 0 && errno == EINTR) continue;
            if (!c.in.empty() && c.in.find_first_not_of("\r\n") != std::string::npos)
                SER_INFO("tcp connection {} from {}:{} closed with {} bytes of an incomplete message", c.id,
                         c.peer.to_string(), c.peer_port, c.in.size());
            drop(c);
            return;
        }
    }

    // Cuts whole messages off the input with the stream framing the SIP
    // layer tests (sip::frame_stream_message): each message is handed on in
    // place in the buffer and the consumed bytes are erased once at the end.
    // False = the stream is unusable (oversize or a bad Content-Length):
    // close it.
    bool frame(TcpConn& c) {
        size_t done = 0;
        bool ok = true;
        for (;;) {
            size_t skip = 0, len = 0;
            const std::string_view rest = std::string_view(c.in).substr(done);
            const sip::Framing f = sip::frame_stream_message(rest, skip, len);
            if (f == sip::Framing::Invalid) {
                SER_WARN("tcp connection {} from {}:{}: bad Content-Length or message larger than {} bytes, closing",
                         c.id, c.peer.to_string(), c.peer_port, sip::kMaxMessageSize);
                ok = false;
                break;
            }
            done += skip;   // keep-alive CRLFs between messages
            if (f == sip::Framing::NeedMore) break;
            owner_.on_message(c, c.in.data() + done, len);
            done += len;
            if (c.closed) break;
        }
        if (ok) c.in.erase(0, done);
        return ok;
    }

    void sweep(int64_t now) {
        int idle = owner_.idle_timeout_s();
        std::vector<std::shared_ptr<TcpConn>> expired;
        {
            std::lock_guard lk(mu_);
            for (auto& [id, c] : conns_)
                if (now - c->last_active.load() > idle || c->closed) expired.push_back(c);
        }
        for (auto& c : expired) {
            if (!c->closed) SER_DBG("tcp connection {} idle for {} s: closed", c->id, idle);
            drop(*c);
        }
    }

    void drop(TcpConn& c) {
        uint64_t id = c.id;
        close_conn(c, true);
        std::lock_guard lk(mu_);
        conns_.erase(id);
    }

    void close_conn(TcpConn& c, bool forget) {
        if (forget) owner_.forget(c);
        std::lock_guard wl(c.write_mu);
        if (c.fd >= 0) {
            epoll_ctl(epfd_, EPOLL_CTL_DEL, c.fd, nullptr);
            ::close(c.fd);
            c.fd = -1;
        }
        c.closed = true;
    }

    TcpConnections& owner_;
    int rank_;
    int epfd_ = -1, wake_ = -1;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    std::mutex mu_;
    std::unordered_map<uint64_t, std::shared_ptr<TcpConn>> conns_;
};

TcpConnections::TcpConnections(Server& server) : server_(server) {}

TcpConnections::~TcpConnections() { stop(); }

int TcpConnections::idle_timeout_s() const { return server_.settings().tcp_idle_timeout; }

bool TcpConnections::listen(SocketInfo& s, std::string& error) {
    sockaddr_storage ss{};
    socklen_t len = s.address.to_sockaddr(s.port, ss);
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = fmt::format("socket(): {}", strerror(errno));
        return false;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 128) != 0) {
        error = fmt::format("bind/listen(tcp:{}:{}): {}", s.address_text, s.port, strerror(errno));
        ::close(fd);
        return false;
    }
    s.fd = fd;
    listeners_.push_back(&s);
    return true;
}

void TcpConnections::start(int readers, int first_rank, const std::function<bool(int)>& worker_init) {
    if (readers < 1) readers = 1;
    for (int i = 0; i < readers; ++i) readers_.push_back(std::make_unique<TcpReader>(*this, first_rank + i));
    for (auto& r : readers_) r->start(worker_init);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    acceptor_ = std::thread([this] {
        set_log_process_index(0);
        accept_loop();
    });
}

void TcpConnections::accept_loop() {
    std::vector<pollfd> fds;
    for (auto* l : listeners_) fds.push_back({l->fd, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    while (!stopping_) {
        int n = ::poll(fds.data(), fds.size(), 1000);
        if (n <= 0) continue;
        for (size_t i = 0; i + 1 < fds.size(); ++i) {
            if (!(fds[i].revents & POLLIN)) continue;
            sockaddr_storage from{};
            socklen_t flen = sizeof from;
            int cfd = ::accept4(fds[i].fd, reinterpret_cast<sockaddr*>(&from), &flen, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (cfd < 0) continue;
            int one = 1;
            setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto c = std::make_shared<TcpConn>();
            c->id = next_id_++;
            c->fd = cfd;
            IpAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&from), c->peer, &c->peer_port);
            c->local = listeners_[i];
            c->last_active = now_s();
            add(std::move(c));
        }
    }
}

void TcpConnections::add(std::shared_ptr<TcpConn> c) {
    {
        std::lock_guard lk(mu_);
        by_id_[c->id] = c;
        by_addr_[addr_key(c->peer, c->peer_port)] = c->id;
    }
    TcpReader* r = readers_[next_reader_++ % readers_.size()].get();
    c->reader = r;
    r->add(c);
}

void TcpConnections::stop() {
    if (stopping_.exchange(true)) return;
    if (wake_fd_ >= 0) {
        uint64_t one = 1;
        ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
        (void)ignored;
    }
    if (acceptor_.joinable()) acceptor_.join();
    for (auto& r : readers_) r->stop();
    readers_.clear();
    for (auto* l : listeners_) {
        ::close(l->fd);
        l->fd = -1;
    }
    listeners_.clear();
    if (wake_fd_ >= 0) ::close(wake_fd_);
    wake_fd_ = -1;
    std::lock_guard lk(mu_);
    by_id_.clear();
    by_addr_.clear();
}

void TcpConnections::forget(TcpConn& c) {
    std::lock_guard lk(mu_);
    by_id_.erase(c.id);
    for (auto it = by_addr_.begin(); it != by_addr_.end();) {
        if (it->second == c.id) it = by_addr_.erase(it);
        else ++it;
    }
}

void TcpConnections::on_message(TcpConn& c, char* buf, size_t len) {
    sip::RecvInfo rcv;
    rcv.proto = PROTO_TCP;
    rcv.src_ip = c.peer;
    rcv.src_port = c.peer_port;
    if (c.local) {
        rcv.dst_ip = c.local->address;
        rcv.dst_port = c.local->port;
    }
    rcv.socket = c.local;
    rcv.conn_id = c.id;
    server_.receive(buf, len, rcv);
}

std::shared_ptr<TcpConn> TcpConnections::find(uint64_t id) {
    std::lock_guard lk(mu_);
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
}

std::shared_ptr<TcpConn> TcpConnections::find(const IpAddr& ip, uint16_t port) {
    std::lock_guard lk(mu_);
    auto it = by_addr_.find(addr_key(ip, port));
    if (it == by_addr_.end()) return nullptr;
    auto c = by_id_.find(it->second);
    return c == by_id_.end() ? nullptr : c->second;
}

int TcpConnections::add_alias(uint64_t conn_id, const IpAddr& ip, uint16_t port) {
    std::lock_guard lk(mu_);
    if (!by_id_.count(conn_id)) return -1;
    by_addr_[addr_key(ip, port)] = conn_id;
    return 1;
}

std::shared_ptr<TcpConn> TcpConnections::connect(const Destination& to) {
    if (readers_.empty()) return nullptr;
    sockaddr_storage ss{};
    socklen_t len = to.ip.to_sockaddr(to.port, ss);
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return nullptr;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r = ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
    if (r != 0 && errno != EINPROGRESS) {
        SER_ERR("tcp connect to {}:{}: {}", to.ip.to_string(), to.port, strerror(errno));
        ::close(fd);
        return nullptr;
    }
    if (r != 0) {
        pollfd p{fd, POLLOUT, 0};
        int timeout = server_.settings().tcp_connect_timeout * 1000;
        int err = 0;
        socklen_t elen = sizeof err;
        if (::poll(&p, 1, timeout) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
            SER_ERR("tcp connect to {}:{} failed: {}", to.ip.to_string(), to.port, err ? strerror(err) : "timeout");
            ::close(fd);
            return nullptr;
        }
    }
    auto c = std::make_shared<TcpConn>();
    c->id = next_id_++;
    c->fd = fd;
    c->peer = to.ip;
    c->peer_port = to.port;
    for (auto* l : listeners_)
        if (l->address.af == to.ip.af) { c->local = l; break; }
    c->last_active = now_s();
    add(c);
    return c;
}

int TcpConnections::send(const Destination& to, std::string_view data) {
    std::shared_ptr<TcpConn> c;
    if (to.conn_id) c = find(to.conn_id);
    if (!c) c = find(to.ip, to.port);
    if (!c) c = connect(to);
    if (!c) return E_SEND;
    std::lock_guard wl(c->write_mu);
    if (c->fd < 0) return E_SEND;
    size_t off = 0;
    int timeout = server_.settings().tcp_send_timeout * 1000;
    while (off < data.size()) {
        ssize_t n = ::send(c->fd, data.data() + off, data.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            off += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{c->fd, POLLOUT, 0};
            if (::poll(&p, 1, timeout) == 1) continue;
            SER_ERR("tcp send to {}:{}: connection unwritable for {} s", c->peer.to_string(), c->peer_port,
                    timeout / 1000);
        } else {
            SER_ERR("tcp send to {}:{}: {}", c->peer.to_string(), c->peer_port, strerror(errno));
        }
        ::shutdown(c->fd, SHUT_RDWR);  // the reader notices and drops it
        return E_SEND;
    }
    c->last_active = now_s();
    return 1;
}

}  // namespace ser::rt
