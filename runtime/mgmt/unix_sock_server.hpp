// SER 0.9's unix-socket management interface (core-runtime §11.7): a unix
// datagram socket `unix_sock=` served by `unix_sock_children` threads; one
// datagram is one request, the reply is one datagram back to the sender.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/mgmt/command_table.hpp"
#include "ser/settings.hpp"

namespace ser::rt::mgmt {

class UnixSockServer {
public:
    UnixSockServer(const Settings& settings, const CommandTable& commands);
    ~UnixSockServer();

    // Binds the socket (an old file at the path is removed first), mode and
    // owner as for the FIFO. False + error.
    bool open(std::string& error);
    // `thread_init(i)` runs first in child i (0-based).
    void start(std::function<bool(int child)> thread_init);
    void stop();
    int children() const;

    // SER's receive buffer: a request up to the size of a SIP message.
    static constexpr size_t kMaxRequest = 65535;

private:
    void loop();

    const Settings& settings_;
    const CommandTable& commands_;
    std::string path_;
    int fd_ = -1, stop_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> threads_;
};

}  // namespace ser::rt::mgmt
