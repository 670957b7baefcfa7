// usrloc: the user location table (modules.md §6). The module instance owns
// the parameters, the registered domains and the database connections, and
// is the UsrlocApi registrar and nathelper use.
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

enum DbMode : int { kNoDb = 0, kWriteThrough = 1, kWriteBack = 2, kReadOnly = 3 };

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

private:
    // One timer pass over a slot, per db_mode.
    struct DbPass;
    void sweep_memory(Domain& d, Shard& s, time_t now);
    void sweep_write_through(Domain& d, Shard& s, time_t now, DbPass& pass);
    void flush_write_back(Domain& d, Shard& s, time_t now, DbPass& pass);

    mutable std::mutex domains_mu_;
    std::vector<std::unique_ptr<Domain>> domains_;   // registration order
    std::mutex sync_mu_;
    std::unique_ptr<db::PerWorker> db_;
    RowWriter writer_;   // set at init, once the parameters are known
    std::atomic<bool> db_failing_{false};   // a failure burst was logged
};

}  // namespace ser::mod::usrloc
