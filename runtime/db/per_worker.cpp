// One database connection per worker thread (ser/db.hpp PerWorker).
#include "runtime/db/metered_connection.hpp"
#include "ser/db.hpp"
#include "ser/log.hpp"

namespace ser::db {

bool PerWorker::init(Core& core, std::string_view url, std::string_view owner, std::string& error) {
    core_ = &core;
    owner_ = std::string(owner);
    std::string e;
    driver_ = find_driver(core, url, e);
    if (!driver_) {
        error = owner_ + ": " + e;
        return false;
    }
    parse_url(url, url_, e);
    // The driver's series show (at 0) before the first statement.
    MeteredConnection::meters(core.metrics(), url_.scheme);
    MeteredConnection::connect_failures(core.metrics(), url_.scheme);
    slots_.clear();
    slots_.resize(size_t(core.worker_count() > 0 ? core.worker_count() : 1));
    return true;
}

Connection* PerWorker::get() {
    if (!driver_) return nullptr;
    size_t i = size_t(core_->worker_index());
    if (i >= slots_.size()) {
        SER_ERR("{}: no database connection slot for worker {}", owner_, i);
        return nullptr;
    }
    Slot& s = slots_[i];
    if (s.conn) return s.conn.get();
    uint64_t now = core_->now_ms();
    if (now < s.retry_at_ms) return nullptr;
    std::string e;
    s.conn = driver_->connect(url_, e);
    if (!s.conn) {
        MeteredConnection::connect_failures(core_->metrics(), url_.scheme).inc();
        if (!s.failing) SER_ERR("{}: cannot connect to the database: {}", owner_, e);
        s.failing = true;
        s.retry_at_ms = now + 1000;
        return nullptr;
    }
    // Every statement of every module is timed and its failures counted.
    s.conn = std::make_unique<MeteredConnection>(std::move(s.conn),
                                                 MeteredConnection::meters(core_->metrics(), url_.scheme));
    if (s.failing) SER_NOTICE("{}: database connection open again", owner_);
    s.failing = false;
    return s.conn.get();
}

int table_version(Connection& c, std::string_view table) {
    Where w[] = {{"table_name", Value::of_str(table)}};
    std::string_view cols[] = {"table_version"};
    Result r;
    if (!c.query({.table = "version", .where = w, .columns = cols, .purpose = "version of a table"}, r)) return -1;
    if (r.rows.empty()) return 0;
    if (r.rows.size() > 1) {
        SER_ERR("table '{}' has {} rows in table 'version' (one expected)", table, r.rows.size());
        return -1;
    }
    const Value& v = r.rows[0][0];
    if (v.null) return 0;
    if (v.type == Type::Int) return int(v.i);
    if (v.type == Type::String) return std::atoi(std::string(v.s).c_str());
    return int(v.d);
}

}  // namespace ser::db
