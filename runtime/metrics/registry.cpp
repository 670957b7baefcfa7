// The metrics registry (ser/metrics.hpp): families by name, slot storage in
// blocks of kShards x kSlotsPerRow counters, and the snapshot a scrape sums.
#include <bit>
#include <cmath>
#include <map>
#include <mutex>

#include "runtime/metrics/exposition.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/metrics.hpp"

namespace ser::metrics {

namespace {

// initial-exec: libsercore is loaded with the program (never dlopen'ed), so
// the variable sits in static TLS and a read needs no __tls_get_addr call.
thread_local unsigned t_shard __attribute__((tls_model("initial-exec"))) = 0;

// Row r of a block is shard r's slots of kSlotsPerRow series: one worker's
// updates stay on its own cache lines (a row is 512 bytes, 64-aligned).
struct Block {
    alignas(64) std::atomic<uint64_t> v[kShards][kSlotsPerRow];
    Block() {
        for (auto& row : v)
            for (auto& s : row) s.store(0, std::memory_order_relaxed);
    }
};

bool valid_name(std::string_view n, bool label) {
    if (n.empty()) return false;
    for (size_t i = 0; i < n.size(); ++i) {
        char c = n[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':') ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return !(label && n.size() >= 2 && n[0] == '_' && n[1] == '_');   // reserved by Prometheus
}

const char* type_name(Type t) {
    switch (t) {
    case Type::Counter: return "counter";
    case Type::Gauge: return "gauge";
    case Type::Histogram: return "histogram";
    }
    return "?";
}

uint64_t sum_slot(const std::atomic<uint64_t>* base) {
    uint64_t s = 0;
    for (size_t r = 0; r < kShards; ++r) s += base[r * kSlotsPerRow].load(std::memory_order_relaxed);
    return s;
}

}  // namespace

unsigned this_shard() noexcept { return t_shard; }
void set_this_shard(int worker_index) noexcept { t_shard = unsigned(worker_index < 0 ? 0 : worker_index) % kShards; }

void Histogram::observe(double v) const noexcept {
    if (!base_) return;
    uint32_t i = 0;
    while (i < n_ && !(v <= bounds_[i])) ++i;   // NaN lands in +Inf
    std::atomic<uint64_t>* row = base_ + size_t(this_shard()) * kSlotsPerRow;
    row[i].fetch_add(1, std::memory_order_relaxed);
    std::atomic<uint64_t>& sum = row[n_ + 1];
    uint64_t old = sum.load(std::memory_order_relaxed);
    while (!sum.compare_exchange_weak(old, std::bit_cast<uint64_t>(std::bit_cast<double>(old) + v),
                                      std::memory_order_relaxed)) {
    }
}

struct Registry::Impl {
    struct Callback {
        uint64_t id;
        Collect fn;
    };
    struct Family {
        std::string name, help;
        Type type;
        Labels label_names;
        std::vector<double> bounds;
        std::map<Labels, std::atomic<uint64_t>*> series;   // label values -> first slot (shard 0)
        std::vector<Callback> callbacks;
    };

    // `mu` guards the families and the slots; `collect_mu` the callbacks,
    // which a scrape runs without `mu`: a worker that registers a series
    // (db::PerWorker on its first connect) never waits for a callback that
    // may wait for a lock that worker holds. Order: collect_mu, then mu.
    mutable std::mutex collect_mu;
    mutable std::mutex mu;
    std::map<std::string, Family, std::less<>> families;   // never erased: references stay valid
    std::vector<std::unique_ptr<Block>> blocks;
    size_t next_slot = 0;
    uint64_t next_id = 1;

    // The family `name` as described, created if new; null (logged) on a mismatch.
    Family* family(Type type, std::string_view name, std::string_view help, const Labels& label_names,
                   const std::vector<double>& bounds) {
        if (!valid_name(name, false)) {
            SER_ERR("metrics: bad metric name '{}'", name);
            return nullptr;
        }
        for (const auto& l : label_names)
            if (!valid_name(l, true) || (type == Type::Histogram && l == "le")) {
                SER_ERR("metrics: {}: bad label name '{}'", name, l);
                return nullptr;
            }
        auto it = families.find(name);
        if (it == families.end()) {
            Family f{std::string(name), std::string(help), type, label_names, bounds, {}, {}};
            return &families.emplace(f.name, std::move(f)).first->second;
        }
        Family& f = it->second;
        if (f.type != type || f.label_names != label_names || f.bounds != bounds) {
            SER_ERR("metrics: {} is already registered as another {} (type, labels or buckets differ)", name,
                    type_name(f.type));
            return nullptr;
        }
        return &f;
    }

    // `n` adjacent slots of one row, zeroed: shard r's are at +r*kSlotsPerRow.
    std::atomic<uint64_t>* slots(size_t n) {
        if (next_slot % kSlotsPerRow + n > kSlotsPerRow) next_slot += kSlotsPerRow - next_slot % kSlotsPerRow;
        const size_t b = next_slot / kSlotsPerRow, col = next_slot % kSlotsPerRow;
        if (b >= blocks.size()) blocks.push_back(std::make_unique<Block>());
        next_slot += n;
        return &blocks[b]->v[0][col];
    }

    std::atomic<uint64_t>* series(Type type, std::string_view name, std::string_view help, const Labels& names,
                                  const Labels& values, const std::vector<double>& bounds) {
        std::lock_guard lk(mu);
        Family* f = family(type, name, help, names, bounds);
        if (!f) return nullptr;
        if (values.size() != names.size()) {
            SER_ERR("metrics: {}: {} label value(s) for {} label name(s)", name, values.size(), names.size());
            return nullptr;
        }
        auto [it, added] = f->series.emplace(values, nullptr);
        if (added) it->second = slots(type == Type::Histogram ? bounds.size() + 2 : 1);
        return it->second;
    }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Counter Registry::counter(std::string_view name, std::string_view help, const Labels& names, const Labels& values) {
    return Counter(impl_->series(Type::Counter, name, help, names, values, {}));
}

Gauge Registry::gauge(std::string_view name, std::string_view help, const Labels& names, const Labels& values) {
    return Gauge(impl_->series(Type::Gauge, name, help, names, values, {}));
}

Histogram Registry::histogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                              const Labels& names, const Labels& values) {
    bool ok = !bounds.empty() && bounds.size() <= kSlotsPerRow - 2;
    for (size_t i = 0; ok && i < bounds.size(); ++i)
        ok = std::isfinite(bounds[i]) && (i == 0 || bounds[i] > bounds[i - 1]);
    if (!ok) {
        SER_ERR("metrics: {}: bucket bounds must be 1 to {} finite, increasing numbers", name, kSlotsPerRow - 2);
        return {};
    }
    std::atomic<uint64_t>* base = impl_->series(Type::Histogram, name, help, names, values, bounds);
    if (!base) return {};
    std::lock_guard lk(impl_->mu);
    // The family's own copy: it lives as long as the registry.
    const Impl::Family& f = impl_->families.find(name)->second;
    return Histogram(base, f.bounds.data(), uint32_t(f.bounds.size()));
}

uint64_t Registry::collect(Type type, std::string_view name, std::string_view help, const Labels& names,
                           Collect fn) {
    if (type == Type::Histogram || !fn) {
        SER_ERR("metrics: {}: a callback reports a counter or a gauge", name);
        return 0;
    }
    std::lock_guard ck(impl_->collect_mu);
    std::lock_guard lk(impl_->mu);
    Impl::Family* f = impl_->family(type, name, help, names, {});
    if (!f) return 0;
    uint64_t id = impl_->next_id++;
    f->callbacks.push_back({id, std::move(fn)});
    return id;
}

uint64_t Registry::collect(Type type, std::string_view name, std::string_view help, std::function<double()> fn) {
    if (!fn) return 0;
    return collect(type, name, help, {}, [fn = std::move(fn)](std::vector<Sample>& out) {
        out.push_back({{}, fn()});
    });
}

void Registry::remove(uint64_t id) {
    std::lock_guard ck(impl_->collect_mu);
    std::lock_guard lk(impl_->mu);
    for (auto& [name, f] : impl_->families)
        std::erase_if(f.callbacks, [id](const Impl::Callback& c) { return c.id == id; });
}

void Registry::remove_callbacks() {
    std::lock_guard ck(impl_->collect_mu);
    std::lock_guard lk(impl_->mu);
    for (auto& [name, f] : impl_->families) f.callbacks.clear();
}

std::vector<FamilySnapshot> Registry::snapshot() const {
    std::lock_guard ck(impl_->collect_mu);   // no callback is added or removed meanwhile
    std::vector<FamilySnapshot> out;
    std::vector<const std::vector<Impl::Callback>*> callbacks;   // per family of `out`
    {
        std::lock_guard lk(impl_->mu);
        out.reserve(impl_->families.size());
        for (const auto& [name, f] : impl_->families) {
            FamilySnapshot s{f.name, f.help, f.type, f.label_names, f.bounds, {}};
            for (const auto& [values, base] : f.series) {
                SeriesSnapshot v;
                v.values = values;
                if (f.type == Type::Counter) {
                    v.value = double(sum_slot(base));
                } else if (f.type == Type::Gauge) {
                    v.value = double(int64_t(sum_slot(base)));
                } else {
                    uint64_t cum = 0;
                    for (size_t i = 0; i <= f.bounds.size(); ++i) v.buckets.push_back(cum += sum_slot(base + i));
                    for (size_t r = 0; r < kShards; ++r)
                        v.sum += std::bit_cast<double>(
                            base[f.bounds.size() + 1 + r * kSlotsPerRow].load(std::memory_order_relaxed));
                }
                s.series.push_back(std::move(v));
            }
            // A family nobody reported (no series yet) is still described.
            out.push_back(std::move(s));
            callbacks.push_back(&f.callbacks);   // stable: families are never erased
        }
    }
    std::vector<Sample> samples;
    for (size_t i = 0; i < out.size(); ++i) {
        for (const auto& cb : *callbacks[i]) {
            samples.clear();
            cb.fn(samples);
            for (auto& smp : samples) {
                if (smp.values.size() != out[i].label_names.size()) continue;   // a callback's bug: not rendered
                out[i].series.push_back({std::move(smp.values), smp.value, {}, 0});
            }
        }
    }
    return out;
}

std::string Registry::render() const { return render_text(snapshot()); }

Registry& Registry::unscraped() {
    static Registry r;   // for Cores without metrics only; the server has its own
    return r;
}

}  // namespace ser::metrics

namespace ser {

metrics::Registry& Core::metrics() { return metrics::Registry::unscraped(); }

}  // namespace ser
