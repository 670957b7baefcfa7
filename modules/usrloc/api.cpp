// The UsrlocApi of the module: domains, edits, lookups, NAT ping targets.
#include <algorithm>

#include "modules/usrloc/record_view.hpp"
#include "modules/usrloc/usrloc.hpp"
#include "ser/log.hpp"

namespace ser::mod::usrloc {

std::vector<Domain*> Usrloc::domains() const {
    std::lock_guard g(domains_mu_);
    std::vector<Domain*> out;
    out.reserve(domains_.size());
    for (auto it = domains_.rbegin(); it != domains_.rend(); ++it) out.push_back(it->get());
    return out;
}

Domain* Usrloc::find_domain(std::string_view name) const {
    std::lock_guard g(domains_mu_);
    for (const auto& d : domains_)
        if (d->name() == name) return d.get();
    return nullptr;
}

api::UsrlocDomain* Usrloc::register_domain(std::string_view table, std::string& error) {
    std::lock_guard g(domains_mu_);
    for (const auto& d : domains_)
        if (d->name() == table) return d.get();
    auto d = std::make_unique<Domain>(std::string(table));
    // The table is checked and loaded when first named (a fix-up); `ser -c`
    // opens no connection.
    if (db_mode != kNoDb && !core().check_only()) {
        db::Connection* c = connection();
        if (!c) {
            error = fmt::format("usrloc: cannot open a database connection for table '{}'", table);
            return nullptr;
        }
        std::string e;
        // Database only: nothing to load, every use reads the table.
        const bool ok = db_only() ? check_version(*c, d->name(), e)
                                  : load_table(*c, *d, cols, use_domain_param, desc_time_order, e);
        if (!ok) {
            error = fmt::format("usrloc: table '{}': {}", table, e);
            return nullptr;
        }
    }
    domains_.push_back(std::move(d));
    return domains_.back().get();
}

std::string_view Usrloc::domain_name(const api::UsrlocDomain* d) const {
    return d ? std::string_view(static_cast<const Domain*>(d)->name()) : std::string_view();
}

bool Usrloc::edit(api::UsrlocDomain* ud, std::string_view aor, const std::function<bool(api::Record&)>& fn,
                  std::string& error) {
    if (!ud) {
        error = "usrloc_record_get failed";
        return false;
    }
    bool r;
    const char* e;
    {
        RecordView v(*this, *static_cast<Domain*>(ud), aor);
        // db_mode 3: `fn` never sees a record the database could not give.
        r = !v.error() && fn(v);
        e = v.error();
    }
    if (e) {
        error = e;
        return false;
    }
    return r;
}

bool Usrloc::get(api::UsrlocDomain* ud, std::string_view aor, time_t now, std::vector<api::Contact>& out,
                 bool valid_only) {
    if (!ud) return false;
    Domain& d = *static_cast<Domain*>(ud);
    if (db_only()) return get_from_db(d, aor, now, out, valid_only);
    AorHash h = hash_aor(aor);
    Shard& s = d.shard(h.shard);
    std::lock_guard g(s.mu);
    const Urecord* r = d.find(s, aor, h.high);
    if (!r) return false;
    for (const Ucontact* c = r->contacts; c; c = c->next) {
        if (is_zombie(c->state)) continue;
        if (valid_only && !c->valid(now)) continue;
        out.push_back(to_api(*c));
    }
    return true;
}

void Usrloc::ping_targets(unsigned flags, std::vector<api::PingTarget>& out) {
    // [quirk] no validity check: expired and deleted contacts are pinged
    // until the timer removes them (SER's get_all_ucontacts).
    if (db_only()) return ping_targets_from_db(flags, out);
    for (Domain* d : domains()) {
        for (uint32_t i = 0; i < Domain::kSlots; ++i) {
            Shard& s = d->shard(i);
            std::lock_guard g(s.mu);
            d->for_each(s, [&](const Urecord& r) {
                for (const Ucontact* c = r.contacts; c; c = c->next) {
                    if (c->len[Ucontact::kUri] == 0 || (c->flags & flags) != flags) continue;
                    std::string_view rcv = c->received();
                    out.push_back({std::string(rcv.empty() ? c->uri() : rcv), std::string(c->socket())});
                }
            });
        }
    }
}

}  // namespace ser::mod::usrloc
