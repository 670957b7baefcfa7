// Metrics for monitoring (our extension; served in the Prometheus text format
// when `metrics_listen` is set). The core and modules register families of
// counters, gauges and histograms with fixed label names at init() through
// Core::metrics(), keep the handles, and update them on the hot path:
//
//   auto& r = core.metrics();
//   retr_ = r.counter("ser_tm_retransmissions_total", "Requests retransmitted by tm's timers");
//   ...
//   retr_.inc();
//
// An update takes no lock and writes no cache line another worker writes:
// every series has one slot per shard (the thread's Core::worker_index()
// modulo kShards), the slots of one shard lying together, and a scrape sums
// them. Values that already exist elsewhere (a table's size, a proxy's
// health) are not copied into counters: a callback computes them at scrape
// time (collect()).
//
// Registering a family twice with the same type and label names returns the
// same family (two modules may count into one); a different type, label
// set or bucket list, or a bad name, is refused with an error in the log and
// an unbound handle, whose updates do nothing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ser::metrics {

inline constexpr size_t kShards = 64;        // slots per series
inline constexpr size_t kSlotsPerRow = 64;   // series whose slots of one shard share cache lines

// The calling thread's shard. The core sets it when a worker thread starts
// (Server::set_worker_index); other threads share shard 0, so every update
// is an atomic add (relaxed: a scrape needs no ordering).
unsigned this_shard() noexcept;
void set_this_shard(int worker_index) noexcept;

using Labels = std::vector<std::string>;

enum class Type : uint8_t { Counter, Gauge, Histogram };

// A monotonic count.
class Counter {
public:
    Counter() = default;
    void inc(uint64_t n = 1) const noexcept {
        if (base_) base_[this_shard() * kSlotsPerRow].fetch_add(n, std::memory_order_relaxed);
    }
    bool bound() const { return base_ != nullptr; }

private:
    friend class Registry;
    explicit Counter(std::atomic<uint64_t>* base) : base_(base) {}
    std::atomic<uint64_t>* base_ = nullptr;
};

// A value that goes up and down by steps (sessions open, calls in
// progress); the shards' signed sum is its value.
class Gauge {
public:
    Gauge() = default;
    void add(int64_t d) const noexcept {
        if (base_) base_[this_shard() * kSlotsPerRow].fetch_add(uint64_t(d), std::memory_order_relaxed);
    }
    void inc() const noexcept { add(1); }
    void dec() const noexcept { add(-1); }
    bool bound() const { return base_ != nullptr; }

private:
    friend class Registry;
    explicit Gauge(std::atomic<uint64_t>* base) : base_(base) {}
    std::atomic<uint64_t>* base_ = nullptr;
};

// Observations in fixed buckets (upper bounds, `le`), with their sum and count.
class Histogram {
public:
    Histogram() = default;
    void observe(double v) const noexcept;
    bool bound() const { return base_ != nullptr; }

private:
    friend class Registry;
    Histogram(std::atomic<uint64_t>* base, const double* bounds, uint32_t n) : base_(base), bounds_(bounds), n_(n) {}
    std::atomic<uint64_t>* base_ = nullptr;   // n_ + 1 bucket counts (the last is +Inf), then the sum (double bits)
    const double* bounds_ = nullptr;
    uint32_t n_ = 0;
};

// Bucket bounds for latencies in seconds: 0.5 ms to 10 s.
inline std::vector<double> latency_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// One value a callback reports at scrape time: its label values (as many as
// the family's label names) and the value.
struct Sample {
    Labels values;
    double value = 0;
};
using Collect = std::function<void(std::vector<Sample>& out)>;

// What a scrape sees: every family, by name; series by label values.
struct SeriesSnapshot {
    Labels values;
    double value = 0;                 // counter, gauge
    std::vector<uint64_t> buckets;    // histogram: cumulative, one per bound, then +Inf (= count)
    double sum = 0;                   // histogram
};
struct FamilySnapshot {
    std::string name, help;
    Type type = Type::Counter;
    Labels label_names;
    std::vector<double> bounds;       // histogram
    std::vector<SeriesSnapshot> series;
};

class Registry {
public:
    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // The series of family `name` with these label values (created on first
    // use; label values in the order of `label_names`).
    Counter counter(std::string_view name, std::string_view help, const Labels& label_names = {},
                    const Labels& label_values = {});
    Gauge gauge(std::string_view name, std::string_view help, const Labels& label_names = {},
                const Labels& label_values = {});
    // `bounds`: strictly increasing, finite (at most kSlotsPerRow - 2); +Inf is implied.
    Histogram histogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                        const Labels& label_names = {}, const Labels& label_values = {});

    // Values computed at scrape time for a counter or gauge family. `fn`
    // runs on the scraping thread, one callback at a time; it may take the
    // module's own locks (workers never wait for a scrape: their updates
    // and registrations do not wait for callbacks), must be quick and may
    // not call collect() or remove(). Returns an id for remove(), 0 when
    // refused. Once remove() returns, the callback is not running.
    uint64_t collect(Type type, std::string_view name, std::string_view help, const Labels& label_names,
                     Collect fn);
    // A family of one value without labels.
    uint64_t collect(Type type, std::string_view name, std::string_view help, std::function<double()> fn);
    void remove(uint64_t id);
    // Drops every callback: the core does it before the modules that
    // registered them are destroyed.
    void remove_callbacks();

    std::vector<FamilySnapshot> snapshot() const;
    // The Prometheus text exposition format (version 0.0.4) of snapshot().
    std::string render() const;

    // The registry of a Core that keeps no metrics (test Cores): it accepts
    // everything and nobody reads it.
    static Registry& unscraped();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ser::metrics
