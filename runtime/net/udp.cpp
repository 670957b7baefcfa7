// UDP sockets and receiver threads.
#include <fcntl.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "runtime/core/log_sink.hpp"
#include "ser/wait.hpp"
#include "runtime/net/net_transport.hpp"
#include "runtime/net/tcp.hpp"
#include "runtime/net/udp_dispatch.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"

namespace ser::rt {

namespace {
constexpr size_t kUdpBuf = 65536;
constexpr unsigned kBatch = 8;
constexpr uint64_t kInboxEvent = ~uint64_t(0);   // epoll data of a worker's eventfd
}  // namespace

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

namespace {

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
    // Every inbox and every epoll set exists before the first worker runs
    // (they hand to each other; a shared socket is added to the others' sets).
    for (auto& s : server_.mutable_sockets()) {
        if (s.proto != PROTO_UDP) continue;
        for (int fd : udp_fds_[&s]) {
            const size_t self = inboxes_.size();
            inboxes_.push_back(std::make_unique<UdpInbox>(self));
            auto r = std::make_unique<UdpReader>();
            r->rcv.proto = PROTO_UDP;
            r->rcv.dst_ip = s.address;
            r->rcv.dst_port = s.port;
            r->rcv.socket = &s;
            r->fd = fd;
            r->ep = epoll_create1(EPOLL_CLOEXEC);
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = self;
            epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev);
            // Edge-triggered: every write to the eventfd reports one event, so
            // the counter never needs a read() (one system call less per hand-off).
            ev.events = EPOLLIN | EPOLLET;
            ev.data.u64 = kInboxEvent;
            epoll_ctl(r->ep, EPOLL_CTL_ADD, inboxes_.back()->fd(), &ev);
            readers_.push_back(std::move(r));
        }
    }
    int rank = first_rank;
    for (size_t self = 0; self < readers_.size(); ++self) {
        int r = rank++;
        threads_.emplace_back([this, self, r, init] {
            set_log_process_index(r);
            if (!init(r)) return;
            udp_loop(self);
        });
    }
    if (tcp_->has_listeners()) tcp_->start(tcp_children, rank, init);
    std::unique_lock lk(gate->mu);
    gate->cv.wait(lk, [&] { return gate->done >= expected; });
    return gate->ok;
}

namespace {

// One recvmmsg() takes every queued datagram (up to kBatch): a short count
// means the socket is drained, with no extra call that returns EAGAIN.
int recv_batch(const UdpReader& r, RecvBatch& batch, const std::atomic<bool>& stopping) {
    const int n = ::recvmmsg(r.fd, batch.msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n >= 0) return n;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && !stopping)
        SER_ERR("recvmmsg on udp:{}: {}", r.rcv.dst_port, strerror(errno));
    return 0;
}

// Datagram i of a batch: its source into `rcv`, its text NUL-terminated
// (false: an address family we do not speak).
bool datagram(RecvBatch& batch, int i, sip::RecvInfo& rcv, char*& data, size_t& len) {
    uint16_t port = 0;
    if (!IpAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&batch.from[i]), rcv.src_ip, &port)) return false;
    rcv.src_port = port;
    data = batch.buf(i);
    len = batch.msgs[i].msg_len;
    data[len] = '\0';
    return true;
}

}  // namespace

void NetTransport::set_shared(size_t self, bool on) {
    UdpReader& me = *readers_[self];
    for (size_t w = 0; w < readers_.size(); ++w) {
        if (w == self) continue;
        if (on) {
            // Exclusive: a datagram wakes one helper, not all of them.
            epoll_event ev{};
            ev.events = EPOLLIN | EPOLLEXCLUSIVE;
            ev.data.u64 = self;
            epoll_ctl(readers_[w]->ep, EPOLL_CTL_ADD, me.fd, &ev);
        } else {
            epoll_ctl(readers_[w]->ep, EPOLL_CTL_DEL, me.fd, nullptr);
        }
    }
    me.shared.store(on, std::memory_order_relaxed);
}

size_t NetTransport::dispatch(size_t reader, size_t self, RecvBatch& batch, int n, ReadMode mode) {
    UdpInbox& origin = *inboxes_[reader];
    sip::RecvInfo rcv = readers_[reader]->rcv;
    size_t processed = 0;
    for (int i = 0; i < n; ++i) {
        char* data;
        size_t len;
        if (!datagram(batch, i, rcv, data, len)) continue;
        const size_t target = mode == ReadMode::Inline
                                  ? self
                                  : worker_for(call_id_hash(std::string_view(data, len)), inboxes_.size(), self);
        // Shared mode queues our own share too (see udp_dispatch.hpp).
        if (target == self && mode != ReadMode::Shared) {
            server_.receive(data, len, rcv);
            ++processed;
        } else {
            inboxes_[target]->push(data, len, rcv, origin);   // a full queue drops it (and says so)
        }
    }
    return processed;
}

void NetTransport::udp_loop(size_t self) {
    RecvBatch batch;
    UdpReader& me = *readers_[self];
    UdpInbox& inbox = *inboxes_[self];
    const size_t workers = inboxes_.size();
    std::vector<UdpItem> handed;
    std::vector<size_t> help;   // shared sockets of other workers that epoll reported readable
    WaitAverage cost;
    // Read the socket only when epoll said it is readable or the last batch
    // did not drain it: no recvfrom() that can only return EAGAIN.
    bool sock_ready = true;
    while (!stopping_.load(std::memory_order_relaxed)) {
        // A bounded batch from our socket, in the mode chosen for it.
        if (sock_ready) {
            // Read under the read lock, which only matters in shared mode (the
            // others read this socket then); uncontended otherwise.
            std::unique_lock read_lock(me.read_mu);
            const int n = recv_batch(me, batch, stopping_);
            sock_ready = n == int(kBatch);
            const bool was_shared = me.shared.load(std::memory_order_relaxed);
            const ReadMode mode = read_mode(workers, size_t(n), kBatch, inbox.in_flight(), cost.waiting(), was_shared);
            if ((mode == ReadMode::Shared) != was_shared) set_shared(self, !was_shared);
            // Shared: queued under the lock, so every queue gets this socket's
            // datagrams in its order. Otherwise nobody else reads it now.
            if (mode != ReadMode::Shared) read_lock.unlock();
            const uint64_t waited = thread_wait_ns();
            const size_t processed = dispatch(self, self, batch, n, mode);
            if (processed) cost.add(thread_wait_ns() - waited, processed);
            batch.reset(size_t(n));
        }
        // Other workers' shared sockets that are readable.
        for (size_t w : help) {
            UdpReader& r = *readers_[w];
            std::lock_guard read_lock(r.read_mu);
            if (!r.shared.load(std::memory_order_relaxed)) continue;   // its owner took it back
            const int n = recv_batch(r, batch, stopping_);
            dispatch(w, self, batch, n, ReadMode::Shared);
            batch.reset(size_t(n));
        }
        help.clear();
        // What was queued for us, in the order it was queued.
        inbox.take(handed);
        if (!handed.empty()) {
            const uint64_t waited = thread_wait_ns();
            for (auto& it : handed) {
                server_.receive(it.buf.get(), it.len, it.rcv);
                UdpInbox::done(it);
            }
            cost.add(thread_wait_ns() - waited, handed.size());
            continue;   // more may have been queued meanwhile; our socket is read first
        }
        if (sock_ready) continue;   // the batch limit, not an empty socket, ended the read
        inbox.set_sleeping(true);
        if (!inbox.empty() || stopping_) {
            inbox.set_sleeping(false);
            continue;
        }
        // Level-triggered on the sockets: a datagram that arrived since the
        // last read returns at once.
        epoll_event evs[16];
        const int k = epoll_wait(me.ep, evs, 16, 1000);
        for (int i = 0; i < k; ++i) {
            const uint64_t d = evs[i].data.u64;
            if (d == self) sock_ready = true;
            else if (d != kInboxEvent) help.push_back(size_t(d));
        }
        inbox.set_sleeping(false);
    }
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
    for (auto& r : readers_) ::close(r->ep);
    readers_.clear();
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

std::vector<uint64_t> NetTransport::udp_queue_drops() const {
    std::vector<uint64_t> out;
    out.reserve(inboxes_.size());
    for (const auto& in : inboxes_) out.push_back(in->dropped());
    return out;
}

int NetTransport::add_tcp_alias(uint64_t conn_id, const IpAddr& ip, uint16_t port) {
    return tcp_->add_alias(conn_id, ip, port);
}

}  // namespace ser::rt
