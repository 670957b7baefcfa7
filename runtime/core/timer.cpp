#include "runtime/core/timer.hpp"

#include <chrono>

#include "runtime/core/log_sink.hpp"

namespace ser::rt {

uint64_t monotonic_ms() {
    using namespace std::chrono;
    return uint64_t(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

void TimerService::add(std::string name, unsigned interval_ms, Tick tick) {
    std::lock_guard lk(mu_);
    timers_.push_back({std::move(name), interval_ms, std::move(tick), monotonic_ms() + interval_ms});
    cv_.notify_all();
}

void TimerService::start(std::function<bool()> on_start) {
    if (thread_.joinable() || timers_.empty()) return;
    thread_ = std::thread([this, on_start] {
        set_log_process_index(0);
        if (on_start && !on_start()) return;
        loop();
    });
}

void TimerService::stop() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void TimerService::loop() {
    std::unique_lock lk(mu_);
    while (!stopping_) {
        uint64_t now = monotonic_ms();
        uint64_t next = now + 1000;
        for (size_t i = 0; i < timers_.size(); ++i) {
            if (timers_[i].due <= now) {
                Tick tick = timers_[i].tick;
                lk.unlock();
                tick(now);  // outside the lock: a tick may add() a timer
                lk.lock();
                // Fixed-rate schedule without drift; skip missed slots after a long tick.
                Timer& t = timers_[i];
                t.due += t.interval_ms;
                if (t.due <= now) t.due = now + t.interval_ms;
            }
            next = std::min(next, timers_[i].due);
        }
        cv_.wait_for(lk, std::chrono::milliseconds(next > now ? next - now : 0));
    }
}

}  // namespace ser::rt
