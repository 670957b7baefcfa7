// Runs the TimerExport entries of every loaded module on the timer thread,
// and the core's own slow housekeeping.
#pragma once

#include <malloc.h>

#include "runtime/core/server.hpp"
#include "runtime/core/timer.hpp"

namespace ser::app {

class ModuleTimers {
public:
    explicit ModuleTimers(rt::Server& server) {
        for (auto& m : server.modules().modules()) {
            for (size_t i = 0; i < m->exports->timer_count; ++i) {
                const TimerExport& t = m->exports->timers[i];
                unsigned ms = t.interval_ms ? t.interval_ms(*m->instance) : 0;
                if (ms == 0) continue;
                Module* inst = m->instance.get();
                auto tick = t.tick;
                timers_.add(std::string(m->name()) + ":" + t.name, ms, [inst, tick](uint64_t now) { tick(*inst, now); });
            }
        }
        // Memory freed after a load peak (transactions past their wait
        // timer) goes back to the system: glibc keeps freed heap pages of
        // its per-thread arenas otherwise.
        timers_.add("core:trim", 10000, [](uint64_t) { malloc_trim(0); });
    }
    // `on_start` runs first in the timer thread (worker init).
    void start(std::function<bool()> on_start) { timers_.start(std::move(on_start)); }
    size_t size() const { return timers_.size(); }
    void stop() { timers_.stop(); }

private:
    rt::TimerService timers_;
};

}  // namespace ser::app
