#include "runtime/db/metered_connection.hpp"

#include <chrono>
#include <string>

#include "ser/wait.hpp"

namespace ser::db {

namespace {
constexpr const char* kOpLabels[] = {"select", "insert", "update", "delete", "raw"};
}

MeteredConnection::Meters MeteredConnection::meters(metrics::Registry& r, std::string_view driver) {
    Meters m;
    const std::string d(driver);
    for (int i = 0; i < kOps; ++i) {
        m.latency[size_t(i)] = r.histogram("ser_db_query_duration_seconds",
                                           "Time of database statements, by driver and kind",
                                           metrics::latency_buckets(), {"driver", "op"}, {d, kOpLabels[i]});
        m.errors[size_t(i)] = r.counter("ser_db_errors_total", "Database statements that failed, by driver and kind",
                                        {"driver", "op"}, {d, kOpLabels[i]});
    }
    return m;
}

metrics::Counter MeteredConnection::connect_failures(metrics::Registry& r, std::string_view driver) {
    return r.counter("ser_db_connect_failures_total", "Database connections that could not be opened, by driver",
                     {"driver"}, {std::string(driver)});
}

template <class F> bool MeteredConnection::timed(Op op, F&& f) {
    const auto start = std::chrono::steady_clock::now();
    const bool ok = f();
    const auto took = std::chrono::steady_clock::now() - start;
    m_.latency[op].observe(std::chrono::duration<double>(took).count());
    // A wait outside the process: the UDP reader's cue to share its socket.
    add_thread_wait_ns(uint64_t(std::chrono::nanoseconds(took).count()));
    if (!ok) m_.errors[op].inc();
    return ok;
}

bool MeteredConnection::query(const Select& q, Result& out) {
    return timed(kSelect, [&] { return inner_->query(q, out); });
}
bool MeteredConnection::insert(const Insert& q) {
    return timed(kInsert, [&] { return inner_->insert(q); });
}
bool MeteredConnection::update(const Update& q) {
    return timed(kUpdate, [&] { return inner_->update(q); });
}
bool MeteredConnection::remove(const Delete& q) {
    return timed(kDelete, [&] { return inner_->remove(q); });
}
bool MeteredConnection::raw(std::string_view sql, Result* out, std::string_view purpose) {
    return timed(kRaw, [&] { return inner_->raw(sql, out, purpose); });
}

}  // namespace ser::db
