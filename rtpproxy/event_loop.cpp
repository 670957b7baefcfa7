#include "rtpproxy/event_loop.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ser::rtpp {

EventLoop::EventLoop(Poller& poller, SessionTable& table, Controller& controller, Relay& relay, PlayerSet& players,
                     Logger& log)
    : poller_(poller), table_(table), controller_(controller), relay_(relay), players_(players), log_(log) {}

EventLoop::~EventLoop() {
    close_controls();
    for (int fd : {tick_fd_, signal_fd_})
        if (fd >= 0) {
            poller_.remove(fd);
            close(fd);
        }
}

void EventLoop::close_controls() {
    unix_.clear();
    udp_.clear();
}

bool EventLoop::prepare() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return false;
    signal(SIGPIPE, SIG_IGN);
    signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    tick_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (signal_fd_ < 0 || tick_fd_ < 0) return false;
    itimerspec its{};
    its.it_interval.tv_sec = 1;
    its.it_value.tv_sec = 1;
    if (timerfd_settime(tick_fd_, 0, &its, nullptr) != 0) return false;
    return poller_.add(signal_fd_, &signal_source_) && poller_.add(tick_fd_, &tick_source_);
}

void EventLoop::dispatch(PollSource* source) {
    switch (source->kind) {
    case PollSource::Kind::media:
        relay_.on_readable(*static_cast<Endpoint*>(source));
        break;
    case PollSource::Kind::unix_listener:
        static_cast<UnixControl*>(source)->on_accept();
        break;
    case PollSource::Kind::unix_connection: {
        auto* c = static_cast<UnixConnection*>(source);
        c->owner->on_connection(c);
        break;
    }
    case PollSource::Kind::udp_control:
        static_cast<UdpControl*>(source)->on_readable();
        break;
    case PollSource::Kind::player_tick:
        players_.on_tick();
        break;
    case PollSource::Kind::tick: {
        uint64_t n;
        if (read(tick_fd_, &n, sizeof n) == sizeof n) {
            controller_.tick();
            for (auto& u : unix_) u->expire_idle();
        }
        break;
    }
    case PollSource::Kind::signal: {
        signalfd_siginfo si;
        if (read(signal_fd_, &si, sizeof si) == sizeof si) stop_signal_ = static_cast<int>(si.ssi_signo);
        break;
    }
    }
}

int EventLoop::run() {
    constexpr int kEvents = 256;
    epoll_event events[kEvents];
    // No pacing of the waits (the 2006 daemon polled at most 100 times a
    // second): spacing them by 1 ms measured no gain in bench/rtpproxy_relay.sh.
    while (stop_signal_ == 0) {
        int n = poller_.wait(events, kEvents, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            log_.crit("", "epoll_wait: {}", std::strerror(errno));
            return -1;
        }
        for (int i = 0; i < n; ++i) dispatch(static_cast<PollSource*>(events[i].data.ptr));
        // Objects removed in this batch may still have had events in it.
        table_.release_removed();
        for (auto& u : unix_) u->release_closed();
    }
    log_.info("", "got signal {}", stop_signal_);
    return stop_signal_;
}

}  // namespace ser::rtpp
