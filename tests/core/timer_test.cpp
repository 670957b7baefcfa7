#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "runtime/core/timer.hpp"

using ser::rt::TimerService;

// Functional, not timed: waits (bounded) until each timer has fired a few
// times and checks that the faster one fired more often.
TEST(Timer, RunsEveryTimerRepeatedly) {
    TimerService t;
    std::atomic<int> fast{0}, slow{0};
    t.add("fast", 5, [&](uint64_t) { ++fast; });
    t.add("slow", 50, [&](uint64_t) { ++slow; });
    t.start();
    for (int i = 0; i < 500 && slow.load() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    t.stop();
    EXPECT_GE(slow.load(), 3);
    EXPECT_GT(fast.load(), slow.load());
}

TEST(Timer, StopsPromptlyAndIdempotently) {
    TimerService t;
    std::atomic<int> n{0};
    t.add("t", 1000000, [&](uint64_t) { ++n; });
    t.start();
    t.stop();
    t.stop();
    EXPECT_EQ(n.load(), 0);
}
