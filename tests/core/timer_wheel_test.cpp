// The protocol timer wheel (runtime/core/timer_wheel.hpp, ser/timer.hpp):
// exact fire times with the manual clock, re-arming from the callback (RFC
// 3261 Timer A), disarm/arm return values, timers longer than one wheel
// round, full slots, and the live thread.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/core/timer_wheel.hpp"

using ser::TimerEntry;
using ser::rt::TimerWheel;

namespace {

constexpr uint64_t kStart = 1'000'000;   // the manual clock's start

// A timer owner recording when it fired; optionally re-arms itself.
struct Probe : TimerEntry {
    TimerWheel* wheel = nullptr;
    std::vector<uint64_t> fired;        // fire times relative to kStart
    std::vector<uint64_t> clock_seen;   // wheel->now_ms() inside the callback, relative
    // RFC 3261 Timer A: the interval doubles from T1 = 500 ms, capped at T2
    // = 4 s here (as for Timer E); re-armed while retransmits_left > 0.
    uint64_t interval = 0;
    int retransmits_left = 0;

    explicit Probe(TimerWheel& w) : wheel(&w) { fire = &Probe::on_fire; }

    static void on_fire(TimerEntry& self, uint64_t now) {
        Probe& p = static_cast<Probe&>(self);
        p.fired.push_back(now - kStart);
        p.clock_seen.push_back(p.wheel->now_ms() - kStart);
        if (p.retransmits_left > 0) {
            --p.retransmits_left;
            p.interval = std::min<uint64_t>(p.interval * 2, 4000);
            p.wheel->arm(p, p.interval);
        }
    }
};

using Times = std::vector<uint64_t>;

}  // namespace

TEST(TimerWheel, FiresAtExactlyTheArmedMillisecond) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe p(w);
    EXPECT_TRUE(w.arm(p, 500));
    EXPECT_EQ(w.armed(), 1u);
    w.advance(499);
    EXPECT_TRUE(p.fired.empty());
    EXPECT_EQ(w.now_ms(), kStart + 499);
    w.advance(1);
    EXPECT_EQ(p.fired, (Times{500}));
    EXPECT_EQ(p.clock_seen, (Times{500}));
    EXPECT_EQ(w.armed(), 0u);
    w.advance(10000);
    EXPECT_EQ(p.fired, (Times{500}));   // one-shot
}

TEST(TimerWheel, ZeroDelayFiresOnTheNextMillisecond) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe p(w);
    w.arm(p, 0);
    w.advance(0);
    EXPECT_TRUE(p.fired.empty());
    w.advance(1);
    EXPECT_EQ(p.fired, (Times{1}));
}

// 500, 1000, 2000, 4000, 4000 ms between sends: the callback re-arms itself.
TEST(TimerWheel, TimerAScheduleReArmedFromTheCallbackStepByStep) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe p(w);
    p.interval = 500;
    p.retransmits_left = 4;
    ASSERT_TRUE(w.arm(p, p.interval));
    for (int ms = 0; ms < 20000; ++ms) w.advance(1);
    EXPECT_EQ(p.fired, (Times{500, 1500, 3500, 7500, 11500}));
    EXPECT_EQ(w.armed(), 0u);
}

// The same in one advance(): each re-arm counts from the callback's own fire
// time, not from the end of the advance.
TEST(TimerWheel, TimerAScheduleInOneLongAdvance) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe p(w);
    p.interval = 500;
    p.retransmits_left = 4;
    ASSERT_TRUE(w.arm(p, p.interval));
    w.advance(20000);
    EXPECT_EQ(p.fired, (Times{500, 1500, 3500, 7500, 11500}));
    EXPECT_EQ(p.clock_seen, p.fired);
    EXPECT_EQ(w.now_ms(), kStart + 20000);
}

TEST(TimerWheel, DisarmBeforeExpiryReturnsTrueAndNeverFires) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe p(w);
    w.arm(p, 100);
    w.advance(99);
    EXPECT_TRUE(w.disarm(p));
    EXPECT_EQ(w.armed(), 0u);
    w.advance(10000);
    EXPECT_TRUE(p.fired.empty());
    EXPECT_FALSE(w.disarm(p));   // idle now
}

TEST(TimerWheel, DisarmOfAnIdleOrFiredEntryReturnsFalse) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe p(w);
    EXPECT_FALSE(w.disarm(p));   // never armed
    w.arm(p, 10);
    w.advance(10);
    ASSERT_EQ(p.fired.size(), 1u);
    EXPECT_FALSE(w.disarm(p));   // already fired
    // Idle again: a new arm reports "was not armed".
    EXPECT_TRUE(w.arm(p, 10));
}

TEST(TimerWheel, ArmOfAnArmedEntryMovesIt) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe p(w);
    EXPECT_TRUE(w.arm(p, 100));
    EXPECT_FALSE(w.arm(p, 300));   // was armed: moved, one timer, one reference
    EXPECT_EQ(w.armed(), 1u);
    w.advance(299);
    EXPECT_TRUE(p.fired.empty());
    w.advance(1);
    EXPECT_EQ(p.fired, (Times{300}));
    // Moved earlier too.
    EXPECT_TRUE(w.arm(p, 1000));
    EXPECT_FALSE(w.arm(p, 50));
    w.advance(2000);
    EXPECT_EQ(p.fired, (Times{300, 350}));
    EXPECT_EQ(w.armed(), 0u);
}

// The wheel has 4096 one-millisecond slots: longer timers share a slot with
// shorter ones and must wait for their own round.
TEST(TimerWheel, TimersBeyondOneWheelRoundFireAtTheirTime) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe a(w), b(w), c(w), d(w), e(w);
    w.arm(a, 100);
    w.arm(b, 100 + 4096);       // same slot as a, next round
    w.arm(c, 100 + 3 * 4096);   // same slot, three rounds on
    w.arm(d, 30000);            // Timer B/F/H (64*T1 = 32 s) range
    w.arm(e, 4096);
    w.advance(40000);
    EXPECT_EQ(a.fired, (Times{100}));
    EXPECT_EQ(b.fired, (Times{4196}));
    EXPECT_EQ(c.fired, (Times{12388}));
    EXPECT_EQ(d.fired, (Times{30000}));
    EXPECT_EQ(e.fired, (Times{4096}));
    EXPECT_EQ(w.armed(), 0u);
}

TEST(TimerWheel, ThirtySecondsInSmallSteps) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe p(w);
    w.arm(p, 30000);
    for (int i = 0; i < 299; ++i) w.advance(100);
    w.advance(99);
    EXPECT_TRUE(p.fired.empty());
    w.advance(1);
    EXPECT_EQ(p.fired, (Times{30000}));
}

TEST(TimerWheel, ManyEntriesInOneSlot) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    std::vector<std::unique_ptr<Probe>> ps;
    for (int i = 0; i < 1000; ++i) {
        ps.push_back(std::make_unique<Probe>(w));
        w.arm(*ps.back(), 250);
    }
    EXPECT_EQ(w.armed(), 1000u);
    for (int i = 0; i < 1000; i += 2) EXPECT_TRUE(w.disarm(*ps[size_t(i)]));   // unlink from the middle of the list
    EXPECT_EQ(w.armed(), 500u);
    w.advance(249);
    for (auto& p : ps) EXPECT_TRUE(p->fired.empty());
    w.advance(1);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(ps[size_t(i)]->fired, i % 2 ? Times{250} : Times{}) << i;
    EXPECT_EQ(w.armed(), 0u);
}

TEST(TimerWheel, CallbacksOfOneMillisecondAndThenTheNextInTimeOrder) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    std::vector<std::unique_ptr<Probe>> ps;
    for (uint64_t d : {30, 10, 20, 10}) {
        ps.push_back(std::make_unique<Probe>(w));
        w.arm(*ps.back(), d);
    }
    w.advance(100);
    EXPECT_EQ(ps[0]->fired, (Times{30}));
    EXPECT_EQ(ps[1]->fired, (Times{10}));
    EXPECT_EQ(ps[2]->fired, (Times{20}));
    EXPECT_EQ(ps[3]->fired, (Times{10}));
}

// ---- slack: deletion timers served together -------------------------------

TEST(TimerWheel, LazyEntriesShareOneWakeUpAndNeverFireEarly) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe a(w), b(w), exact(w);
    a.slack_ms = b.slack_ms = 100;
    w.arm(a, 20);
    w.arm(b, 60);
    w.arm(exact, 150);
    // The first lazy entry may wait until 120 ms; the second is due by then.
    EXPECT_EQ(w.next_wake(), kStart + 120);
    w.run_until(kStart + 19);
    EXPECT_TRUE(a.fired.empty());   // never before its time
    w.run_until(kStart + 120);
    EXPECT_EQ(a.fired, (Times{20}));
    EXPECT_EQ(b.fired, (Times{60}));
    EXPECT_TRUE(exact.fired.empty());
    EXPECT_EQ(w.next_wake(), kStart + 150);   // an exact entry: its own millisecond
}

TEST(TimerWheel, AnExactEntryDueInsideTheSlackWakesAtItsTime) {
    TimerWheel w(TimerWheel::Clock::Manual, kStart);
    Probe lazy(w), exact(w);
    lazy.slack_ms = 100;
    w.arm(lazy, 20);
    EXPECT_EQ(w.next_wake(), kStart + 120);
    w.arm(exact, 30);   // a retransmission: exact
    EXPECT_EQ(w.next_wake(), kStart + 30);
    w.run_until(kStart + 30);
    EXPECT_EQ(lazy.fired, (Times{20}));   // due by then: served in the same wake-up
    EXPECT_EQ(exact.fired, (Times{30}));
}

// ---- the live clock --------------------------------------------------------

namespace {

struct LiveProbe : TimerEntry {
    std::mutex mu;
    std::condition_variable cv;
    int count = 0;
    uint64_t at = 0;
    LiveProbe() {
        fire = [](TimerEntry& self, uint64_t now) {
            auto& p = static_cast<LiveProbe&>(self);
            std::lock_guard lk(p.mu);
            ++p.count;
            p.at = now;
            p.cv.notify_all();
        };
    }
};

}  // namespace

TEST(TimerWheel, LiveClockThreadFiresA20msTimer) {
    using namespace std::chrono;
    TimerWheel w;
    bool started = false;
    w.start([&] {
        started = true;
        return true;
    });
    LiveProbe p;
    const uint64_t armed_at = w.now_ms();
    const auto t0 = steady_clock::now();
    EXPECT_TRUE(w.arm(p, 20));
    {
        std::unique_lock lk(p.mu);
        ASSERT_TRUE(p.cv.wait_for(lk, seconds(5), [&] { return p.count > 0; }));
    }
    const auto waited = duration_cast<milliseconds>(steady_clock::now() - t0).count();
    // Never early; late only by scheduling (generous: the machine is shared).
    EXPECT_GE(waited, 19);
    EXPECT_LT(waited, 1000);
    EXPECT_GE(p.at, armed_at + 20);
    EXPECT_EQ(w.armed(), 0u);
    w.stop();
    EXPECT_TRUE(started);
    EXPECT_EQ(p.count, 1);
}

TEST(TimerWheel, LiveClockLazyTimersFireInOneWakeUpWithinTheirSlack) {
    using namespace std::chrono;
    TimerWheel w;
    w.start([] { return true; });
    LiveProbe p[3];
    std::vector<steady_clock::time_point> when(3);
    const auto t0 = steady_clock::now();
    const uint64_t delays[3] = {10, 30, 50};
    for (int i = 0; i < 3; ++i) {
        p[i].slack_ms = 200;
        w.arm(p[i], delays[i]);
    }
    for (int i = 0; i < 3; ++i) {
        std::unique_lock lk(p[i].mu);
        ASSERT_TRUE(p[i].cv.wait_for(lk, seconds(5), [&] { return p[i].count > 0; }));
        when[size_t(i)] = steady_clock::now();
    }
    w.stop();
    // One wake-up at about 210 ms served all three: none before 50 ms.
    EXPECT_GE(duration_cast<milliseconds>(when[0] - t0).count(), 50);
    EXPECT_LT(duration_cast<milliseconds>(when[2] - when[0]).count(), 20);
}

TEST(TimerWheel, LiveClockDisarmedTimerDoesNotFireAndStopIsIdempotent) {
    TimerWheel w;
    w.start([] { return true; });
    LiveProbe p, q;
    w.arm(p, 30);
    w.arm(q, 40);
    EXPECT_TRUE(w.disarm(p));
    {
        std::unique_lock lk(q.mu);
        ASSERT_TRUE(q.cv.wait_for(lk, std::chrono::seconds(5), [&] { return q.count > 0; }));
    }
    w.stop();
    w.stop();
    EXPECT_EQ(p.count, 0);
}

TEST(TimerWheel, LiveClockStartRefusedByInitFiresNothing) {
    TimerWheel w;
    w.start([] { return false; });   // a worker init failed
    LiveProbe p;
    w.arm(p, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    w.stop();
    EXPECT_EQ(p.count, 0);
}
