// The protocol timers (ser/timer.hpp): a hashed timing wheel with 1 ms
// slots. arm/disarm are O(1) under one short lock; the wheel thread sleeps
// until the earliest entry is due plus that entry's slack (woken early when
// an entry that must fire sooner is armed), fires everything due by then,
// and calls the callbacks outside the lock. A manual clock lets tests step time exactly.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "ser/timer.hpp"

namespace ser::rt {

class TimerWheel : public Timers {
public:
    enum class Clock { Monotonic, Manual };
    explicit TimerWheel(Clock clock = Clock::Monotonic, uint64_t manual_start_ms = 1'000'000);
    ~TimerWheel() override;

    bool arm(TimerEntry& e, uint64_t delay_ms) override;
    bool disarm(TimerEntry& e) override;
    uint64_t now_ms() const override;

    // Live clock: a thread fires the timers. `on_start` runs first in it
    // (worker init); false from it stops the thread.
    template <class F> void start(F on_start) {
        if (thread_.joinable()) return;
        stopping_ = false;
        thread_ = std::thread([this, on_start] {
            if (on_start()) loop();
        });
    }
    void stop();

    // Manual clock: moves time forward and fires what is due, in this thread.
    // Time steps one millisecond at a time: a callback sees now_ms() equal
    // to its fire time, so what it arms counts from there.
    void advance(uint64_t ms);
    // Fires everything due up to `now` (also usable with the live clock).
    void run_until(uint64_t now);

    size_t armed() const;
    // When the timer thread would wake up next, as it plans it (the
    // earliest due entry plus its slack; every entry due by then fires).
    uint64_t next_wake() const;

private:
    static constexpr size_t kSlots = 4096;   // power of two: 4.096 s per round
    void link(TimerEntry& e);
    void unlink(TimerEntry& e);
    void loop();
    uint64_t next_due_locked() const;

    const Clock clock_;
    uint64_t manual_now_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<TimerEntry*> slots_;
    uint64_t current_;       // last millisecond processed
    size_t count_ = 0;       // armed entries
    uint64_t planned_ = 0;   // when the sleeping timer thread wakes (0 = it is not sleeping)
    bool woken_ = false;     // an earlier entry was armed meanwhile
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace ser::rt
