// The debug level (ser/log.hpp) is read on every log call by every worker
// and will be changed at run time by a management command from another
// thread: an atomic with relaxed loads, behind the same functions.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <type_traits>

#include "runtime/core/log_sink.hpp"
#include "ser/log.hpp"

using namespace ser;

static_assert(std::is_same_v<decltype(log_detail::g_level), std::atomic<int>>);

namespace {

struct RestoreLevel {
    int saved = log_level();
    ~RestoreLevel() { set_log_level(saved); }
};

}  // namespace

TEST(LogLevel, SetAndReadBack) {
    RestoreLevel restore;
    set_log_level(L_DBG);
    EXPECT_EQ(log_level(), L_DBG);
    EXPECT_TRUE(log_enabled(L_DBG));
    set_log_level(L_WARN);
    EXPECT_FALSE(log_enabled(L_NOTICE));
    EXPECT_TRUE(log_enabled(L_WARN));
    EXPECT_TRUE(log_enabled(L_ERR));   // errors always
    set_log_level(-5);
    EXPECT_TRUE(log_enabled(L_ALERT) == (L_ALERT <= -5));
}

// A worker polling log_enabled() sees a level set from another thread (run
// under ThreadSanitizer this is also the data-race check).
TEST(LogLevel, ChangedFromAnotherThreadIsSeenByAWorker) {
    RestoreLevel restore;
    set_log_level(L_NOTICE);
    std::atomic<bool> seen{false};
    std::thread worker([&] {
        for (int i = 0; i < 5'000'000 && !seen; ++i)
            if (log_enabled(L_DBG)) seen = true;
            else std::this_thread::yield();
    });
    set_log_level(L_DBG);
    worker.join();
    EXPECT_TRUE(seen.load());
}
