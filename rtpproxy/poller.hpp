// A thin owner of the epoll instance: EPOLLIN only, the data pointer is the
// PollSource registered with the fd. Media sockets are edge-triggered (the
// relay drains them; a level-triggered entry costs one more poll of the
// socket on every wait after it was served), the rest level-triggered.
#pragma once

#include <sys/epoll.h>

#include "rtpproxy/poll_source.hpp"

namespace ser::rtpp {

class Poller {
public:
    Poller();
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    bool ok() const { return fd_ >= 0; }
    bool add(int fd, PollSource* source, bool edge_triggered = false);
    // Re-arms an edge-triggered fd: an event is queued again if it is still
    // readable (for a socket left with data after its share of the turn).
    void rearm(int fd, PollSource* source);
    void remove(int fd);
    // epoll_wait; -1 with errno on error (EINTR included).
    int wait(epoll_event* events, int max, int timeout_ms);

private:
    int fd_;
};

}  // namespace ser::rtpp
