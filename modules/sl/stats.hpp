// Counters of stateless replies and the sl_stats management command
// (modules.md §2.4). Shared by all workers, hence atomics.
#pragma once

#include <array>
#include <atomic>
#include <string>

namespace ser::mod::sl {

class Stats {
public:
    enum Bucket {
        k200, k202, k2xx,
        k300, k301, k302, k3xx,
        k400, k401, k403, k404, k407, k408, k483, k4xx,
        k500, k5xx,
        k6xx,
        kxxx,
        kBucketCount
    };

    static Bucket bucket(int code);
    void count_reply(int code) { counters_[bucket(code)].fetch_add(1, std::memory_order_relaxed); }
    void count_failure() { failures_.fetch_add(1, std::memory_order_relaxed); }
    unsigned long get(Bucket b) const { return counters_[b].load(std::memory_order_relaxed); }
    unsigned long failures() const { return failures_.load(std::memory_order_relaxed); }

    // The seven lines after the status line; each ends in six spaces and a
    // newline [quirk] (SER's CLEANUP_EOL).
    std::string format() const;

private:
    std::array<std::atomic<unsigned long>, kBucketCount> counters_{};
    std::atomic<unsigned long> failures_{0};
};

}  // namespace ser::mod::sl
