// The control transports (spec rtpproxy-protocol §2): a unix stream socket
// where every connection carries one command (one read, one reply, close),
// and a UDP socket where every datagram is "<cookie> <command>". Both hand
// the text to the Controller and send back what it answers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rtpproxy/address.hpp"
#include "rtpproxy/controller.hpp"
#include "rtpproxy/log.hpp"
#include "rtpproxy/poll_source.hpp"
#include "rtpproxy/poller.hpp"

namespace ser::rtpp {

// The daemon reads at most this much of one command (the 2006 buffer).
constexpr size_t kMaxCommand = 8192;

class UnixControl;

// One accepted control connection: carries one command.
struct UnixConnection : PollSource {
    UnixConnection() : PollSource(Kind::unix_connection) {}
    UnixControl* owner = nullptr;
    int fd = -1;
    int idle_ticks = 0;
};

class UnixControl : public PollSource {
public:
    // Removes a stale socket file, binds, listens (backlog 32); nullptr and
    // `error` on failure.
    static std::unique_ptr<UnixControl> open(const std::string& path, Poller& poller, Controller& controller,
                                             Logger& log, std::string& error);
    ~UnixControl();   // closes everything and removes the socket file

    void on_accept();
    void on_connection(UnixConnection* connection);
    // Every second: connections that sent nothing for a while are closed.
    void expire_idle();
    // Frees connections closed during the last event batch.
    void release_closed();

    const std::string& path() const { return path_; }

private:
    using Connection = UnixConnection;
    UnixControl(std::string path, int fd, Poller& poller, Controller& controller, Logger& log);
    void close_connection(Connection* c);

    std::string path_;
    int fd_;
    Poller& poller_;
    Controller& controller_;
    Logger& log_;
    std::vector<std::unique_ptr<Connection>> open_;
    std::vector<std::unique_ptr<Connection>> closed_;
};

class UdpControl : public PollSource {
public:
    static std::unique_ptr<UdpControl> open(const SockAddr& addr, Poller& poller, Controller& controller, Logger& log,
                                            std::string& error);
    ~UdpControl();

    void on_readable();

private:
    UdpControl(int fd, Poller& poller, Controller& controller, Logger& log);
    void send_reply(const std::string& reply, const sockaddr_storage& to, socklen_t to_len);

    int fd_;
    Poller& poller_;
    Controller& controller_;
    Logger& log_;
};

}  // namespace ser::rtpp
