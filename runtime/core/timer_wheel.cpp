#include "runtime/core/timer_wheel.hpp"

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <chrono>

#include "runtime/core/timer.hpp"

namespace ser::rt {

namespace {
constexpr uint8_t kIdle = 0, kArmed = 1, kFiring = 2;
}

TimerWheel::TimerWheel(Clock clock, uint64_t manual_start_ms)
    : clock_(clock), manual_now_(manual_start_ms), slots_(kSlots, nullptr) {
    current_ = now_ms();
}

TimerWheel::~TimerWheel() { stop(); }

uint64_t TimerWheel::now_ms() const {
    if (clock_ == Clock::Manual) {
        std::lock_guard lk(mu_);
        return manual_now_;
    }
    return monotonic_ms();
}

void TimerWheel::link(TimerEntry& e) {
    TimerEntry*& head = slots_[e.expires_ms & (kSlots - 1)];
    e.prev = nullptr;
    e.next = head;
    if (head) head->prev = &e;
    head = &e;
    e.state = kArmed;
    ++count_;
}

void TimerWheel::unlink(TimerEntry& e) {
    if (e.prev) e.prev->next = e.next;
    else slots_[e.expires_ms & (kSlots - 1)] = e.next;
    if (e.next) e.next->prev = e.prev;
    e.prev = e.next = nullptr;
    --count_;
}

bool TimerWheel::arm(TimerEntry& e, uint64_t delay_ms) {
    const uint64_t now = clock_ == Clock::Manual ? 0 : monotonic_ms();
    bool was_armed;
    bool wake;
    {
        std::lock_guard lk(mu_);
        const uint64_t base = clock_ == Clock::Manual ? manual_now_ : now;
        // Collected as due but not called yet counts as armed: it will now
        // fire at the new time instead (one pending callback either way).
        was_armed = e.state == kArmed || e.state == kFiring;
        if (e.state == kArmed) unlink(e);
        wake = count_ == 0;
        if (wake && current_ < base) current_ = base;   // idle wheel: nothing to catch up on
        uint64_t at = base + delay_ms;
        if (at <= current_) at = current_ + 1;           // that millisecond was processed already
        e.expires_ms = at;
        link(e);
        // Due (with its slack) before the timer thread means to wake up: tell it.
        if (at + e.slack_ms < planned_) {
            wake = true;
            woken_ = true;
        }
    }
    if (wake) cv_.notify_all();
    return !was_armed;
}

bool TimerWheel::disarm(TimerEntry& e) {
    std::lock_guard lk(mu_);
    if (e.state == kFiring) {   // collected as due, callback not started: it will not run
        e.state = kIdle;
        return true;
    }
    if (e.state != kArmed) return false;
    unlink(e);
    e.state = kIdle;
    return true;
}

uint64_t TimerWheel::next_wake() const {
    std::lock_guard lk(mu_);
    return next_due_locked();
}

size_t TimerWheel::armed() const {
    std::lock_guard lk(mu_);
    return count_;
}

void TimerWheel::run_until(uint64_t now) {
    boost::container::small_vector<TimerEntry*, 32> due;
    uint64_t tick = 0;   // current_ as collected: arm() may move current_ while callbacks run
    for (;;) {
        due.clear();
        {
            std::lock_guard lk(mu_);
            if (count_ == 0) {
                if (current_ < now) current_ = now;
                return;
            }
            if (current_ >= now) return;
            // Collect one millisecond at a time, so callbacks fire in time order
            // and a callback that re-arms for "now + x" lands in a later slot.
            ++current_;
            tick = current_;
            // A manual clock follows the millisecond being fired, so that a
            // callback re-arming itself (Timer A doubling) counts from its
            // own fire time even inside one long advance().
            if (clock_ == Clock::Manual && manual_now_ < tick) manual_now_ = tick;
            for (TimerEntry* e = slots_[current_ & (kSlots - 1)]; e;) {
                TimerEntry* next = e->next;
                if (e->expires_ms <= current_) {
                    unlink(*e);
                    e->state = kFiring;
                    due.push_back(e);
                }
                e = next;
            }
        }
        for (TimerEntry* e : due) {
            {
                std::lock_guard lk(mu_);
                if (e->state != kFiring) continue;   // re-armed or disarmed by another thread meanwhile
                e->state = kIdle;
            }
            // The entry is not touched after this call: the callback may
            // re-arm it, or free its owner.
            e->fire(*e, tick);
        }
    }
}

void TimerWheel::advance(uint64_t ms) {
    uint64_t target;
    {
        std::lock_guard lk(mu_);
        target = manual_now_ + ms;
    }
    run_until(target);   // moves manual_now_ along with the timers it fires
    std::lock_guard lk(mu_);
    if (manual_now_ < target) manual_now_ = target;
}

uint64_t TimerWheel::next_due_locked() const {
    // The latest millisecond that still serves the earliest entry in time
    // (its due time plus its slack); everything due by then fires in the
    // same wake-up. An entry in a slot may belong to a later round.
    uint64_t wake = current_ + kSlots;   // only later rounds: look again then
    for (uint64_t t = current_ + 1; t <= current_ + kSlots && t < wake; ++t)
        for (const TimerEntry* e = slots_[t & (kSlots - 1)]; e; e = e->next)
            if (e->expires_ms <= t) wake = std::min(wake, t + e->slack_ms);
    return wake;
}

void TimerWheel::loop() {
    using namespace std::chrono;
    std::unique_lock lk(mu_);
    while (!stopping_) {
        if (count_ == 0) {
            cv_.wait(lk, [this] { return stopping_ || count_ > 0; });
            continue;
        }
        planned_ = 0;   // busy: whatever is armed meanwhile is seen by the scan below
        lk.unlock();
        run_until(monotonic_ms());
        lk.lock();
        if (stopping_) break;
        // Sleep until the next due millisecond, not every millisecond: an
        // idle proxy with long timers (fr_inv_timer) does not wake 1000 times
        // a second.
        const uint64_t next = count_ ? next_due_locked() : UINT64_MAX;
        planned_ = next;
        woken_ = false;
        if (next == UINT64_MAX) continue;
        const auto at = steady_clock::time_point(milliseconds(next));
        cv_.wait_until(lk, at, [this] { return stopping_ || woken_; });
    }
}

void TimerWheel::stop() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace ser::rt
