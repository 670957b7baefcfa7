// Real sockets: UDP receivers (`children` threads per UDP socket), TCP
// readers (stream framing by Content-Length, connection reuse, idle
// timeout) and the sending side of both.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "runtime/core/server.hpp"

namespace ser::rt {

class TcpConnections;
class UdpInbox;
struct UdpReader;
struct RecvBatch;
enum class ReadMode;

class NetTransport : public Transport {
public:
    explicit NetTransport(Server& server);
    ~NetTransport() override;

    // Creates and binds every socket of server.sockets(). False + error.
    bool open(std::string& error);
    // Starts receivers with ranks from `first_rank`; `worker_init(rank)`
    // runs first in every worker thread. Returns once every worker has
    // initialised: false if any failed (the caller stops the server).
    bool start(int first_rank, const std::function<bool(int rank)>& worker_init);
    void stop();

    int send(const SocketInfo* from, const Destination& to, std::string_view data) override;
    int add_tcp_alias(uint64_t conn_id, const IpAddr& ip, uint16_t port) override;

    size_t worker_count() const { return threads_.size(); }
    // Datagrams handed to each UDP worker and not yet taken, between start()
    // and stop() (the metrics listener reads them in that time).
    std::vector<size_t> udp_queue_depths() const;
    // Datagrams each UDP worker's full queue dropped (overload), same span.
    std::vector<uint64_t> udp_queue_drops() const;

private:
    void udp_loop(size_t self);
    // Worker `self` opens its socket to the others' epoll sets, or closes it.
    void set_shared(size_t self, bool on);
    // Worker `self` hands on the `n` datagrams just read from worker
    // `reader`'s socket as `mode` says (udp_dispatch.hpp): processes its own
    // share inline (not in shared mode, where the caller holds the read lock
    // and everything is queued by Call-ID). Returns how many it processed.
    size_t dispatch(size_t reader, size_t self, RecvBatch& batch, int n, ReadMode mode);

    Server& server_;
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> threads_;
    std::unique_ptr<TcpConnections> tcp_;
    std::unordered_map<SocketInfo*, std::vector<int>> udp_fds_;  // one per worker
    std::vector<std::unique_ptr<UdpInbox>> inboxes_;             // one per UDP worker
    std::vector<std::unique_ptr<UdpReader>> readers_;            // one per UDP worker
};

}  // namespace ser::rt
