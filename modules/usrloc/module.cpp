// usrloc: parameters, start-up, shutdown and the export table.
#include <climits>

#include "modules/usrloc/fifo.hpp"
#include "modules/usrloc/usrloc.hpp"
#include "ser/api.hpp"
#include "ser/log.hpp"
#include "ser/params.hpp"

namespace ser::mod::usrloc {

bool Usrloc::init(Core& core) {
    core_ = &core;
    writer_ = RowWriter(cols, use_domain_param);
    if (db_mode != kNoDb) {
        db_ = std::make_unique<db::PerWorker>();
        std::string e;
        if (!db_->init(core, db_url, "usrloc", e)) {
            SER_ERR("{}", e);
            return false;
        }
    }
    if (!export_api<api::UsrlocApi>(core, this)) {
        SER_ERR("usrloc: cannot register the usrloc API");
        return false;
    }
    register_metrics(core);
    return true;
}

void Usrloc::destroy() {
    // SER's main process synchronises the world before it goes: write-back
    // contacts reach the database here. Database only has nothing to bring.
    if (core_ && !core_->check_only() && !db_only()) synchronize(time(nullptr));
    std::lock_guard g(domains_mu_);
    domains_.clear();
    db_.reset();
}

time_t Usrloc::wall_time(uint64_t now_ms) const {
    const int64_t ahead_ms = int64_t(now_ms) - int64_t(core().now_ms());
    return time(nullptr) + time_t(ahead_ms / 1000);
}

namespace {

template <std::string Columns::*Member>
bool set_col(Module& self, const ParamValue& v, std::string&) {
    self_as<Usrloc>(self).cols.*Member = std::string(v.text);
    return true;
}

const ParamExport params[] = {
    {"db_url", ParamType::Str, set_str<&Usrloc::db_url>},
    // 0 memory, 1 write-through, 2 write-back, 3 database only; others refused.
    {"db_mode", ParamType::Int, set_int<&Usrloc::db_mode, 0, 3>},
    {"timer_interval", ParamType::Int, set_int<&Usrloc::timer_interval, 1, INT_MAX / 1000>},
    {"use_domain", ParamType::Int, set_bool<&Usrloc::use_domain_param>},
    {"desc_time_order", ParamType::Int, set_bool<&Usrloc::desc_time_order>},
    {"user_column", ParamType::Str, set_col<&Columns::user>},
    {"domain_column", ParamType::Str, set_col<&Columns::domain>},
    {"contact_column", ParamType::Str, set_col<&Columns::contact>},
    {"expires_column", ParamType::Str, set_col<&Columns::expires>},
    {"q_column", ParamType::Str, set_col<&Columns::q>},
    {"callid_column", ParamType::Str, set_col<&Columns::callid>},
    {"cseq_column", ParamType::Str, set_col<&Columns::cseq>},
    {"method_column", ParamType::Str, set_col<&Columns::method>},
    {"replicate_column", ParamType::Str, set_col<&Columns::replicate>},
    {"state_column", ParamType::Str, set_col<&Columns::state>},
    {"flags_column", ParamType::Str, set_col<&Columns::flags>},
    {"user_agent_column", ParamType::Str, set_col<&Columns::user_agent>},
    {"received_column", ParamType::Str, set_col<&Columns::received>},
};

unsigned timer_ms(const Module& self) { return unsigned(static_cast<const Usrloc&>(self).timer_interval) * 1000u; }

void timer_tick(Module& self, uint64_t now_ms) {
    Usrloc& ul = self_as<Usrloc>(self);
    ul.synchronize(ul.wall_time(now_ms));
}

const TimerExport timers[] = {
    {"timer", timer_ms, timer_tick},
};

const FifoExport fifo[] = {
    {"ul_stats", fifo_ul_stats},
    {"ul_rm", fifo_ul_rm},
    {"ul_rm_contact", fifo_ul_rm_contact},
    {"ul_dump", fifo_ul_dump},
    {"ul_flush", fifo_ul_flush},
    {"ul_add", fifo_ul_add},
    {"ul_show_contact", fifo_ul_show_contact},
};

}  // namespace
}  // namespace ser::mod::usrloc

// No script functions: usrloc is used through its API (modules.md §6).
SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "usrloc", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::usrloc::Usrloc; }, nullptr, 0, ::ser::mod::usrloc::params,
    SER_COUNT(::ser::mod::usrloc::params), ::ser::mod::usrloc::fifo, SER_COUNT(::ser::mod::usrloc::fifo),
    ::ser::mod::usrloc::timers, SER_COUNT(::ser::mod::usrloc::timers), 0}))
