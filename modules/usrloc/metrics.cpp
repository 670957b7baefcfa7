// usrloc's metrics (ser/metrics.hpp), computed at scrape time from the
// domains in memory: AORs with a valid contact and the valid contacts. A
// scrape walks each slot under its lock, one slot at a time, as ul_dump does.
// db_mode 3 keeps nothing in memory: the counts would need a query per
// scrape, so only the expiry counter is reported there.
#include <ctime>

#include "modules/usrloc/usrloc.hpp"
#include "ser/metrics.hpp"

namespace ser::mod::usrloc {

namespace {

struct Counts {
    long aors = 0, contacts = 0;
};

Counts count(const Domain& d, time_t now) {
    Counts c;
    for (uint32_t i = 0; i < Domain::kSlots; ++i) {
        const Shard& s = d.shard(i);
        std::lock_guard g(s.mu);
        d.for_each(s, [&](const Urecord& r) {
            long valid = 0;
            for (const Ucontact* k = r.contacts; k; k = k->next)
                if (k->valid(now)) ++valid;
            c.contacts += valid;
            if (valid) ++c.aors;
        });
    }
    return c;
}

}  // namespace

void Usrloc::register_metrics(Core& core) {
    using metrics::Sample;
    using metrics::Type;
    metrics::Registry& r = core.metrics();
    if (!db_only()) {
        r.collect(Type::Gauge, "ser_usrloc_aors", "Addresses of record with at least one valid contact, by table",
                  {"table"}, [this](std::vector<Sample>& out) {
                      const time_t now = time(nullptr);
                      for (Domain* d : domains()) out.push_back({{d->name()}, double(count(*d, now).aors)});
                  });
        r.collect(Type::Gauge, "ser_usrloc_contacts", "Valid (registered, not expired) contacts, by table",
                  {"table"}, [this](std::vector<Sample>& out) {
                      const time_t now = time(nullptr);
                      for (Domain* d : domains()) out.push_back({{d->name()}, double(count(*d, now).contacts)});
                  });
    }
    r.collect(Type::Counter, "ser_usrloc_expired_contacts_total", "Contacts removed by usrloc's timer on expiry, by table",
              {"table"}, [this](std::vector<Sample>& out) {
                  for (Domain* d : domains()) out.push_back({{d->name()}, double(d->expired.load())});
              });
}

}  // namespace ser::mod::usrloc
