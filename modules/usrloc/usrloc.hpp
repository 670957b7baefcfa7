// usrloc: the user location table (modules.md §6). The module instance owns
// the parameters, the registered domains and the database connections, and
// is the UsrlocApi registrar and nathelper use.
//
// db_mode 3 (database only, as later SER/Kamailio) keeps no contact in
// memory between calls: every call reads the AOR's rows, an edit writes each
// change at once, and the timer deletes expired rows; the domains stay empty
// and only lend their slot locks. Several ser instances can share one table.
#pragma once

#include <atomic>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "modules/usrloc/db_sync.hpp"
#include "modules/usrloc/domain.hpp"
#include "ser/api/usrloc.hpp"
#include "ser/db.hpp"
#include "ser/module.hpp"

namespace ser::mod::usrloc {

enum DbMode : int { kNoDb = 0, kWriteThrough = 1, kWriteBack = 2, kDbOnly = 3 };

class Usrloc : public Module, public api::UsrlocApi {
public:
    // ---- parameters (§6.1) ----
    std::string db_url = "mysql://ser:heslo@localhost/ser";
    int db_mode = kNoDb;
    int timer_interval = 60;   // seconds
    bool use_domain_param = false;
    bool desc_time_order = false;
    Columns cols;

    // ---- Module ----
    bool init(Core& core) override;
    void destroy() override;

    // ---- UsrlocApi ----
    api::UsrlocDomain* register_domain(std::string_view table, std::string& error) override;
    std::string_view domain_name(const api::UsrlocDomain* d) const override;
    bool use_domain() const override { return use_domain_param; }
    bool edit(api::UsrlocDomain* d, std::string_view aor, const std::function<bool(api::Record&)>& fn,
              std::string& error) override;
    bool get(api::UsrlocDomain* d, std::string_view aor, time_t now, std::vector<api::Contact>& out,
             bool valid_only) override;
    void ping_targets(unsigned flags, std::vector<api::PingTarget>& out) override;

    // ---- inside the module ----
    // Registered domains, the last registered first (SER's list order).
    std::vector<Domain*> domains() const;
    Domain* find_domain(std::string_view name) const;
    // The timer's work on every domain (§6.3): expiry, zombies, database
    // synchronisation. One run at a time (timer, ul_flush, shutdown).
    void synchronize(time_t now);
    // The wall clock of a timer tick: `now_ms` is the core's monotonic clock;
    // its distance from the present shifts the present UNIX time (a test
    // drives the timer "an hour later" this way).
    time_t wall_time(uint64_t now_ms) const;

    // This worker's database connection, or null (logged by db::PerWorker).
    db::Connection* connection() { return db_ ? db_->get() : nullptr; }
    const RowWriter& writer() const { return writer_; }
    // Gauges of the tables' sizes, read at scrape time (metrics.cpp).
    void register_metrics(Core& core);

    // ---- db_mode 3 (db_only.cpp) ----
    bool db_only() const { return db_mode == kDbOnly; }
    // The rows of `aor` as a record of its own, in record order (null: no
    // row). False: no connection or the statement failed (logged).
    bool read_record(const Domain& d, std::string_view aor, uint32_t high, RecordPtr& out);
    // Every row of `d`'s table into `into`, an empty domain of the same name
    // (ul_dump, ul_stats). False as read_record.
    bool read_table(const Domain& d, Domain& into);

private:
    // One timer pass over a slot, per db_mode.
    struct DbPass;
    void sweep_memory(Domain& d, Shard& s, time_t now);
    void sweep_write_through(Domain& d, Shard& s, time_t now, DbPass& pass);
    void flush_write_back(Domain& d, Shard& s, time_t now, DbPass& pass);
    void expire_rows(Domain& d, time_t now, DbPass& pass);   // db_mode 3
    bool get_from_db(Domain& d, std::string_view aor, time_t now, std::vector<api::Contact>& out, bool valid_only);
    void ping_targets_from_db(unsigned flags, std::vector<api::PingTarget>& out);

    mutable std::mutex domains_mu_;
    std::vector<std::unique_ptr<Domain>> domains_;   // registration order
    std::mutex sync_mu_;
    std::unique_ptr<db::PerWorker> db_;
    RowWriter writer_;   // set at init, once the parameters are known
    std::atomic<bool> db_failing_{false};   // a failure burst was logged
};

}  // namespace ser::mod::usrloc
