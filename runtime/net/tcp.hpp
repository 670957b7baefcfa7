// TCP: listeners, a pool of reader threads (each with its own epoll), the
// connection table used to send replies back on the connection a request
// came in on, and idle-connection expiry.
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
#include "ser/sip/msg.hpp"

namespace ser::rt {

struct TcpConn;
class TcpReader;

class TcpConnections {
public:
    explicit TcpConnections(Server& server);
    ~TcpConnections();

    bool listen(SocketInfo& s, std::string& error);
    bool has_listeners() const { return !listeners_.empty(); }
    void start(int readers, int first_rank, const std::function<bool(int)>& worker_init);
    void stop();

    // Sends on the connection `to.conn_id` if still open, else on an open
    // connection to to.ip:to.port (or an alias), else connects.
    int send(const Destination& to, std::string_view data);
    int add_alias(uint64_t conn_id, const IpAddr& ip, uint16_t port);

    // Reader side.
    void on_message(TcpConn& c, char* buf, size_t len);
    void forget(TcpConn& c);
    void add(std::shared_ptr<TcpConn> c);

    Server& server() { return server_; }
    int idle_timeout_s() const;

private:
    std::shared_ptr<TcpConn> find(uint64_t id);
    std::shared_ptr<TcpConn> find(const IpAddr& ip, uint16_t port);
    std::shared_ptr<TcpConn> connect(const Destination& to);
    void accept_loop();

    Server& server_;
    std::vector<SocketInfo*> listeners_;
    std::vector<std::unique_ptr<TcpReader>> readers_;
    std::thread acceptor_;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> next_id_{1};
    std::atomic<size_t> next_reader_{0};

    std::mutex mu_;
    std::unordered_map<uint64_t, std::shared_ptr<TcpConn>> by_id_;
    std::unordered_map<std::string, uint64_t> by_addr_;  // "ip|port" -> id (incl. aliases)
};

}  // namespace ser::rt
