// Time a worker thread spends waiting on something outside the process (a
// database statement, a DNS lookup, an RTP proxy's answer, a command run by
// exec()), summed per thread. The core's UDP readers read it around the
// messages they process: when messages wait, a reader shares its socket with
// the other workers so that it is read meanwhile. A module that blocks on I/O
// of its own wraps the wait in a ScopedWait. Time lost to preemption on a
// busy machine is no wait and does not count.
#pragma once

#include <chrono>
#include <cstdint>

namespace ser {

// Nanoseconds this thread has waited so far.
uint64_t thread_wait_ns();
void add_thread_wait_ns(uint64_t ns);

// Counts its own lifetime as a wait.
class ScopedWait {
public:
    ScopedWait() : start_(std::chrono::steady_clock::now()) {}
    ~ScopedWait() {
        add_thread_wait_ns(uint64_t(std::chrono::nanoseconds(std::chrono::steady_clock::now() - start_).count()));
    }
    ScopedWait(const ScopedWait&) = delete;
    ScopedWait& operator=(const ScopedWait&) = delete;

private:
    std::chrono::steady_clock::time_point start_;
};

}  // namespace ser
