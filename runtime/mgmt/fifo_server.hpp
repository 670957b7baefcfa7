// SER 0.9's FIFO management interface (core-runtime §11): one thread reads
// requests from the named pipe `fifo=`, strictly one at a time, runs the
// command and writes its reply into the client's reply FIFO.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "runtime/mgmt/command_table.hpp"
#include "ser/settings.hpp"

namespace ser::rt::mgmt {

class LateReplies;

class FifoServer {
public:
    FifoServer(const Settings& settings, const CommandTable& commands);
    ~FifoServer();

    // Creates the FIFO (an old file at the path is removed first) with
    // fifo_mode and sock_user/sock_group, opened for reading and writing so
    // that it never sees end of file. False + error.
    bool open(std::string& error);
    // Serves on a thread of its own; `thread_init` runs first in it (the
    // per-worker module init) and a false return stops the thread.
    void start(std::function<bool()> thread_init);
    // Stops serving, closes and removes the FIFO.
    void stop();

    // How long a command waits for each line of its request (SER waited
    // forever, so one client that never finished a request froze the
    // interface).
    static constexpr int kLineTimeoutMs = 3000;
    // First line of a request: 511 bytes with its newline (SER's buffer);
    // later lines may be longer (header lines of t_uac_dlg).
    static constexpr size_t kMaxCommandLine = 510;
    static constexpr size_t kMaxLine = 1023;

private:
    enum class Read { Line, TooLong, Timeout, Stopped };
    class Request;

    void loop();
    // Next line into `out` (trailing blanks trimmed); timeout < 0 = none.
    Read read_line(std::string& out, size_t max, int timeout_ms);
    bool fill(int timeout_ms);
    void serve(const std::string& first_line);
    void drain_late_replies();

    const Settings& settings_;
    const CommandTable& commands_;
    std::string path_;
    int read_fd_ = -1, write_fd_ = -1, stop_fd_ = -1;
    std::shared_ptr<LateReplies> late_;
    std::string buf_;       // bytes read, not yet consumed as lines
    bool skipping_ = false; // inside the rest of an over-long line
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

// uid/gid of sock_user/sock_group (names or numbers); -1 = unchanged.
bool socket_owner(const Settings& s, uid_t& uid, gid_t& gid, std::string& error);

}  // namespace ser::rt::mgmt
