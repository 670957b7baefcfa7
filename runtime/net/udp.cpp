// UDP sockets and receiver threads.
#include <fcntl.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "runtime/core/log_sink.hpp"
#include "runtime/net/net_transport.hpp"
#include "runtime/net/tcp.hpp"
#include "runtime/net/udp_dispatch.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"

namespace ser::rt {

namespace {

constexpr size_t kUdpBuf = 65536;
constexpr unsigned kBatch = 8;

// Buffers for one recvmmsg(): kBatch datagrams of up to 64 KB (+ a NUL).
struct RecvBatch {
    std::unique_ptr<char[]> data{new char[kBatch * (kUdpBuf + 1)]};
    mmsghdr msgs[kBatch]{};
    iovec iov[kBatch]{};
    sockaddr_storage from[kBatch]{};

    RecvBatch() { reset(kBatch); }
    char* buf(size_t i) { return data.get() + i * (kUdpBuf + 1); }
    // Re-arms the first `used` entries (the kernel wrote their lengths).
    void reset(size_t used) {
        for (size_t i = 0; i < used; ++i) {
            iov[i] = {buf(i), kUdpBuf};
            msgs[i].msg_hdr = {};
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_len = 0;
        }
    }
};

// Raise the receive buffer as far as the kernel and `maxbuffer` allow.
void tune_rcvbuf(int fd, int maxbuffer) {
    for (int size = maxbuffer; size >= 65536; size /= 2)
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) == 0) return;
}

}  // namespace

NetTransport::NetTransport(Server& server) : server_(server), tcp_(std::make_unique<TcpConnections>(server)) {}

NetTransport::~NetTransport() { stop(); }

bool NetTransport::open(std::string& error) {
    for (auto& s : server_.mutable_sockets()) {
        sockaddr_storage ss{};
        socklen_t len = s.address.to_sockaddr(s.port, ss);
        if (s.proto == PROTO_UDP) {
            // Each worker gets its own socket in one SO_REUSEPORT group: the
            // kernel hashes every peer to one socket, so messages from one
            // peer are handled in the order they arrived (a 180 never
            // overtakes its 200), and workers do not contend on one queue.
            // A plain bind first: a port used by anyone else is an error,
            // never silently shared.
            int probe = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (probe < 0 || ::bind(probe, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
                error = fmt::format("bind(udp:{}:{}): {}", s.address_text, s.port, strerror(errno));
                if (probe >= 0) ::close(probe);
                return false;
            }
            ::close(probe);
            int children = server_.settings().children > 0 ? server_.settings().children : 8;
            auto& fds = udp_fds_[&s];
            for (int i = 0; i < children; ++i) {
                int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                    error = fmt::format("socket(): {}", strerror(errno));
                    return false;
                }
                int one = 1;
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
                setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
                if (s.address.af == 10) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
                tune_rcvbuf(fd, server_.settings().maxbuffer);
                if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
                    error = fmt::format("bind(udp:{}:{}): {}", s.address_text, s.port, strerror(errno));
                    ::close(fd);
                    return false;
                }
                fds.push_back(fd);
            }
            s.fd = fds.front();  // replies and forwards leave from this one
        } else if (s.proto == PROTO_TCP) {
            if (!tcp_->listen(s, error)) return false;
        }
    }
    return true;
}

bool NetTransport::start(int first_rank, const std::function<bool(int rank)>& worker_init) {
    int children = server_.settings().children > 0 ? server_.settings().children : 8;
    int tcp_children = server_.settings().tcp_children > 0 ? server_.settings().tcp_children : children;
    int expected = tcp_->has_listeners() ? tcp_children : 0;
    for (auto& [sock, fds] : udp_fds_) expected += int(fds.size());

    // Every worker reports its init; start() returns when all did.
    struct Gate {
        std::mutex mu;
        std::condition_variable cv;
        int done = 0;
        bool ok = true;
    };
    auto gate = std::make_shared<Gate>();
    auto init = [gate, worker_init](int r) {
        bool ok = !worker_init || worker_init(r);
        if (!ok) SER_ERR("worker {} failed to initialise", r);
        std::lock_guard lk(gate->mu);
        ++gate->done;
        gate->ok = gate->ok && ok;
        gate->cv.notify_all();
        return ok;
    };
    // Every inbox exists before the first worker runs (they hand to each other).
    struct Job {
        SocketInfo* sock;
        int fd;
        size_t self;
    };
    std::vector<Job> jobs;
    for (auto& s : server_.mutable_sockets()) {
        if (s.proto != PROTO_UDP) continue;
        for (int fd : udp_fds_[&s]) {
            jobs.push_back({&s, fd, inboxes_.size()});
            inboxes_.push_back(std::make_unique<UdpInbox>());
        }
    }
    int rank = first_rank;
    for (const Job& j : jobs) {
        int r = rank++;
        threads_.emplace_back([this, j, r, init] {
            set_log_process_index(r);
            if (!init(r)) return;
            udp_loop(j.sock, j.fd, j.self);
        });
    }
    if (tcp_->has_listeners()) tcp_->start(tcp_children, rank, init);
    std::unique_lock lk(gate->mu);
    gate->cv.wait(lk, [&] { return gate->done >= expected; });
    return gate->ok;
}

void NetTransport::udp_loop(SocketInfo* sock, int fd, size_t self) {
    RecvBatch batch;
    sip::RecvInfo rcv;
    rcv.proto = PROTO_UDP;
    rcv.dst_ip = sock->address;
    rcv.dst_port = sock->port;
    rcv.socket = sock;
    UdpInbox& inbox = *inboxes_[self];
    const size_t workers = inboxes_.size();
    int ep = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    // Edge-triggered: every write to the eventfd reports one event, so the
    // counter never needs a read() (one system call less per hand-off).
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = inbox.fd();
    epoll_ctl(ep, EPOLL_CTL_ADD, inbox.fd(), &ev);
    std::vector<UdpItem> handed;
    InlineCost cost;
    // Read the socket only when epoll said it is readable or the last batch
    // did not drain it: no recvfrom() that can only return EAGAIN.
    bool sock_ready = true;
    while (!stopping_.load(std::memory_order_relaxed)) {
        // A bounded batch from our socket, then what other workers handed us.
        if (sock_ready) {
            // One recvmmsg() takes every queued datagram (up to kBatch): a
            // short count means the socket is drained, with no extra call
            // that returns EAGAIN.
            int n = ::recvmmsg(fd, batch.msgs, kBatch, MSG_DONTWAIT, nullptr);
            if (n < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && !stopping_)
                    SER_ERR("recvmmsg on udp:{}:{}: {}", sock->address_text, sock->port, strerror(errno));
                n = 0;
            }
            sock_ready = n == int(kBatch);
            // Decided per batch: see udp_dispatch.hpp.
            const bool spread = spread_batch(workers, size_t(n), kBatch, inbox.in_flight(), cost.waiting());
            const auto started = std::chrono::steady_clock::now();
            size_t inline_count = 0;
            for (int i = 0; i < n; ++i) {
                uint16_t port = 0;
                if (!IpAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&batch.from[i]), rcv.src_ip, &port)) continue;
                rcv.src_port = port;
                char* data = batch.buf(i);
                const size_t len = batch.msgs[i].msg_len;
                data[len] = '\0';
                const size_t target = spread ? worker_for(call_id_hash(std::string_view(data, len)), workers, self) : self;
                if (target == self) {
                    server_.receive(data, len, rcv);
                    ++inline_count;
                } else {
                    inboxes_[target]->push(data, len, rcv, inbox);
                }
            }
            if (inline_count)
                cost.add(uint64_t(std::chrono::nanoseconds(std::chrono::steady_clock::now() - started).count()),
                         inline_count);
            batch.reset(size_t(n));
        }
        inbox.take(handed);
        for (auto& it : handed) {
            server_.receive(it.buf.get(), it.len, it.rcv);
            UdpInbox::done(it);
        }
        if (sock_ready) continue;   // the batch limit, not an empty socket, ended the read
        inbox.set_sleeping(true);
        if (!inbox.empty() || stopping_) {
            inbox.set_sleeping(false);
            continue;
        }
        // Level-triggered on the socket: a datagram that arrived since the
        // last read returns at once.
        epoll_event evs[2];
        int k = epoll_wait(ep, evs, 2, 1000);
        for (int i = 0; i < k; ++i)
            if (evs[i].data.fd == fd) sock_ready = true;
        inbox.set_sleeping(false);
    }
    ::close(ep);
}

void NetTransport::stop() {
    if (stopping_.exchange(true)) return;
    // Wake the receivers sleeping in epoll.
    for (auto& in : inboxes_) in->wake();
    tcp_->stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
    for (auto& [sock, fds] : udp_fds_) {
        for (int fd : fds) ::close(fd);
        sock->fd = -1;
    }
    udp_fds_.clear();
    inboxes_.clear();
}

int NetTransport::send(const SocketInfo* from, const Destination& to, std::string_view data) {
    if (to.proto == PROTO_TCP) return tcp_->send(to, data);
    if (!from || from->fd < 0) {
        SER_ERR("no open UDP socket to send from");
        return E_SEND;
    }
    sockaddr_storage ss{};
    socklen_t len = to.ip.to_sockaddr(to.port, ss);
    for (;;) {
        ssize_t n = ::sendto(from->fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&ss), len);
        if (n >= 0) return 1;
        if (errno == EINTR) continue;
        SER_ERR("sendto {}:{}: {}", to.ip.to_string(), to.port, strerror(errno));
        return E_SEND;
    }
}

std::vector<size_t> NetTransport::udp_queue_depths() const {
    std::vector<size_t> out;
    out.reserve(inboxes_.size());
    for (const auto& in : inboxes_) out.push_back(in->size());
    return out;
}

int NetTransport::add_tcp_alias(uint64_t conn_id, const IpAddr& ip, uint16_t port) {
    return tcp_->add_alias(conn_id, ip, port);
}

}  // namespace ser::rt
