// One timer thread with millisecond resolution for module timers
// (SER 0.9.6 ticked once a second, so a retransmission could go out up to
// 1 s late; protocol timers have their own millisecond wheel, timer_wheel.hpp).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ser::rt {

class TimerService {
public:
    using Tick = std::function<void(uint64_t now_ms)>;
    ~TimerService() { stop(); }

    void add(std::string name, unsigned interval_ms, Tick tick);
    // Starts the thread if there is a timer; `on_start` runs first in it
    // (false stops the thread).
    void start(std::function<bool()> on_start = {});
    void stop();
    size_t size() const { return timers_.size(); }

private:
    struct Timer {
        std::string name;
        unsigned interval_ms;
        Tick tick;
        uint64_t due;
    };
    void loop();

    std::vector<Timer> timers_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

uint64_t monotonic_ms();

}  // namespace ser::rt
