// The daemon's single thread: one epoll wait, then every ready socket is
// served in turn (media straight to the Relay, control sockets to the
// Controller), a 1 s timer runs the session TTLs, and SIGTERM/SIGINT/SIGHUP
// arrive through a signalfd and end the loop. No locks: nothing else runs.
#pragma once

#include <memory>
#include <vector>

#include "rtpproxy/control_socket.hpp"
#include "rtpproxy/controller.hpp"
#include "rtpproxy/player.hpp"
#include "rtpproxy/poller.hpp"
#include "rtpproxy/relay.hpp"
#include "rtpproxy/session_table.hpp"

namespace ser::rtpp {

class EventLoop {
public:
    EventLoop(Poller& poller, SessionTable& table, Controller& controller, Relay& relay, PlayerSet& players,
              Logger& log);
    ~EventLoop();

    void add(std::unique_ptr<UnixControl> c) { unix_.push_back(std::move(c)); }
    void add(std::unique_ptr<UdpControl> c) { udp_.push_back(std::move(c)); }

    // Blocks the termination signals (call before any thread could exist)
    // and arms the 1 s timer; false if either fails.
    bool prepare();
    // Until a termination signal; returns it.
    int run();
    // Closes the control sockets (removing the unix socket files).
    void close_controls();

private:
    void dispatch(PollSource* source);

    Poller& poller_;
    SessionTable& table_;
    Controller& controller_;
    Relay& relay_;
    PlayerSet& players_;
    Logger& log_;
    std::vector<std::unique_ptr<UnixControl>> unix_;
    std::vector<std::unique_ptr<UdpControl>> udp_;
    PollSource tick_source_{PollSource::Kind::tick};
    PollSource signal_source_{PollSource::Kind::signal};
    int tick_fd_ = -1;
    int signal_fd_ = -1;
    int stop_signal_ = 0;
};

}  // namespace ser::rtpp
