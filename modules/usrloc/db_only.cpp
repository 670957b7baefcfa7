// db_mode 3, database only: records are read from the table at every use
// and never kept (edits: record_view.cpp, expiry: timer.cpp).
#include "modules/usrloc/usrloc.hpp"
#include "ser/log.hpp"

namespace ser::mod::usrloc {

bool Usrloc::read_record(const Domain& d, std::string_view aor, uint32_t high, RecordPtr& out) {
    out.reset();
    db::Connection* c = connection();
    if (!c) return false;
    auto take = [&](std::string_view, Ucontact* uc) {
        if (!out) out.reset(make_record(aor, high));
        if (!out) {
            free_contact(uc);
            return false;
        }
        // The order rules of memory; equal q keep the order of the rows,
        // as the table has no column that tells which contact came first.
        insert_ordered(*out, uc, desc_time_order);
        return true;
    };
    std::string e;
    if (read_rows(*c, d.name(), cols, use_domain_param, &aor, "usrloc", take, e)) return true;
    if (!e.empty()) SER_ERR("usrloc: contacts of '{}' in table '{}': {}", aor, d.name(), e);
    out.reset();
    return false;
}

bool Usrloc::read_table(const Domain& d, Domain& into) {
    db::Connection* c = connection();
    if (!c) return false;
    auto take = [&](std::string_view aor, Ucontact* uc) { return put_read_contact(into, aor, uc, desc_time_order); };
    std::string e;
    if (read_rows(*c, d.name(), cols, use_domain_param, nullptr, "usrloc", take, e)) return true;
    if (!e.empty()) SER_ERR("usrloc: table '{}': {}", d.name(), e);
    return false;
}

bool Usrloc::get_from_db(Domain& d, std::string_view aor, time_t now, std::vector<api::Contact>& out,
                         bool valid_only) {
    // A failed read is no record: lookup answers as for an unknown AOR.
    RecordPtr r;
    if (!read_record(d, aor, hash_aor(aor).high, r) || !r) return false;
    for (const Ucontact* c = r->contacts; c; c = c->next) {
        if (is_zombie(c->state)) continue;
        if (valid_only && !c->valid(now)) continue;
        out.push_back(to_api(*c));
    }
    return true;
}

void Usrloc::ping_targets_from_db(unsigned flags, std::vector<api::PingTarget>& out) {
    db::Connection* c = connection();
    if (!c) return;
    const std::string_view names[] = {cols.contact, cols.received, cols.flags};
    for (Domain* d : domains()) {
        db::Result res;
        if (!c->query({.table = d->name(), .columns = names, .purpose = "usrloc: contacts to ping"}, res)) continue;
        for (const auto& row : res.rows) {
            if (row.size() < 3 || row[0].null || row[0].s.empty()) continue;
            // The flags are tested here: the database API has no bit operators.
            if ((unsigned(int_of(row[2])) & flags) != flags) continue;
            const bool rcv = !row[1].null && !row[1].s.empty();
            // The table has no socket column: the pinger uses its default.
            out.push_back({std::string(rcv ? row[1].s : row[0].s), std::string()});
        }
    }
}

}  // namespace ser::mod::usrloc
