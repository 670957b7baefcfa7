#include "rtpproxy/poller.hpp"

#include <unistd.h>

namespace ser::rtpp {

Poller::Poller() : fd_(epoll_create1(EPOLL_CLOEXEC)) {}

Poller::~Poller() {
    if (fd_ >= 0) close(fd_);
}

bool Poller::add(int fd, PollSource* source, bool edge_triggered) {
    epoll_event ev{};
    ev.events = EPOLLIN | (edge_triggered ? EPOLLET : 0u);
    ev.data.ptr = source;
    return epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void Poller::rearm(int fd, PollSource* source) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.ptr = source;
    epoll_ctl(fd_, EPOLL_CTL_MOD, fd, &ev);
}

void Poller::remove(int fd) {
    epoll_ctl(fd_, EPOLL_CTL_DEL, fd, nullptr);
}

int Poller::wait(epoll_event* events, int max, int timeout_ms) {
    return epoll_wait(fd_, events, max, timeout_ms);
}

}  // namespace ser::rtpp
