// Database metrics for every module at once: db::PerWorker wraps each
// connection it opens in one of these, which times every statement into
// ser_db_query_duration_seconds{driver,op} and counts the failed ones in
// ser_db_errors_total{driver,op}. The driver is the db_url scheme.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "ser/db.hpp"
#include "ser/metrics.hpp"

namespace ser::db {

class MeteredConnection : public Connection {
public:
    enum Op { kSelect, kInsert, kUpdate, kDelete, kRaw, kOps };
    struct Meters {
        std::array<metrics::Histogram, kOps> latency;
        std::array<metrics::Counter, kOps> errors;
    };
    static Meters meters(metrics::Registry& r, std::string_view driver);
    // ser_db_connect_failures_total{driver}
    static metrics::Counter connect_failures(metrics::Registry& r, std::string_view driver);

    MeteredConnection(std::unique_ptr<Connection> inner, Meters m) : inner_(std::move(inner)), m_(std::move(m)) {}

    bool query(const Select& q, Result& out) override;
    bool insert(const Insert& q) override;
    bool update(const Update& q) override;
    bool remove(const Delete& q) override;
    bool raw(std::string_view sql, Result* out, std::string_view purpose) override;
    std::string escape(std::string_view s) override { return inner_->escape(s); }
    std::string last_error() const override { return inner_->last_error(); }

private:
    template <class F> bool timed(Op op, F&& f);
    std::unique_ptr<Connection> inner_;
    Meters m_;
};

}  // namespace ser::db
