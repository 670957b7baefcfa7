// Protocol timers: one-shot, cancellable, millisecond resolution, armed from
// any thread (SIP transaction timers A/B/D/E/F/G/H/K). They run on their own
// thread, apart from the slow periodic module tasks (TimerExport), so a
// database flush never delays a retransmission.
//
// A TimerEntry is embedded in its owner (no allocation per timer). The owner
// must outlive every armed period and every running callback: tm keeps a
// reference on the transaction while a timer of it is armed.
#pragma once

#include <cstdint>

namespace ser {

struct TimerEntry {
    // Called on the timer thread once the delay has passed. The entry is
    // idle before the call and may be armed again from inside it; the timer
    // does not touch it after the call (the callback may free its owner).
    void (*fire)(TimerEntry& self, uint64_t now_ms) = nullptr;

    // How late the entry may fire, set by its owner: 0 for retransmissions
    // (RFC 3261 times exact to the millisecond); a deletion or final-response
    // timer allows more, so the timer thread serves many entries per wake-up.
    // An entry never fires early.
    uint32_t slack_ms = 0;

    // Owned by the timer implementation.
    uint8_t state = 0;   // 0 idle, 1 armed, 2 firing
    uint64_t expires_ms = 0;
    TimerEntry* prev = nullptr;
    TimerEntry* next = nullptr;
};

class Timers {
public:
    virtual ~Timers() = default;
    // Arms `e` to fire `delay_ms` from now; an armed entry is moved to the
    // new time. True if `e` was not armed before (idle, or its callback
    // running), false if it was (callers counting references use this: one
    // reference per true, released by the callback or a true disarm()).
    virtual bool arm(TimerEntry& e, uint64_t delay_ms) = 0;
    // Disarms `e`. True if it was armed: it will not fire. False if it was
    // idle, or its callback has started on the timer thread.
    virtual bool disarm(TimerEntry& e) = 0;
    // The clock the timers use (monotonic milliseconds).
    virtual uint64_t now_ms() const = 0;
};

}  // namespace ser
