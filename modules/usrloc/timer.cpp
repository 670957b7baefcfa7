// The timer's work (modules.md §6.3/§6.4), slot by slot: expired contacts
// and deleted zombies leave memory, and the database is brought in line
// (write-through: what is left to delete or retry; write-back: every change).
// Statements never run under a slot's data lock: the work of a slot is
// decided and copied under it, written without it, and the outcome applied
// under it again. What the database refused stays as it is and is retried at
// the next run: memory remains what lookups use. db_mode 3 has no memory:
// the timer deletes the expired rows of the table.
#include <vector>

#include "modules/usrloc/record_view.hpp"
#include "modules/usrloc/usrloc.hpp"
#include "ser/log.hpp"

namespace ser::mod::usrloc {

// Database results of one run. After three failures in a row the database
// is taken as down for the rest of the run: the remaining writes wait for
// the next one instead of each waiting for the driver's own timeouts.
struct Usrloc::DbPass {
    db::Connection* conn = nullptr;
    int in_a_row = 0;
    bool down = false;
    size_t failed = 0, done = 0;

    template <class F> bool run(F&& statement) {
        bool ok = !down && conn && statement(*conn);
        if (ok) {
            ++done;
            in_a_row = 0;
        } else {
            ++failed;
            if (!conn || ++in_a_row >= 3) down = true;
        }
        return ok;
    }
};

namespace {

void log_expired(const Urecord& r, const Ucontact& c) {
    SER_NOTICE("Binding '{}','{}' has expired", r.aor(), c.uri());
}

void log_kept(const Urecord& r, const Ucontact& c) {
    SER_NOTICE("Keeping binding '{}','{}' for replication", r.aor(), c.uri());
}

// Removes `*link` from its record and frees it; `link` then points at the next.
void free_at(Ucontact** link) {
    Ucontact* c = *link;
    *link = c->next;
    free_contact(c);
}

enum class Expired { Keep, Free, DeleteRow };

// What a sweep does with an expired contact (logged and counted here): a
// replicated one stays; one without a row (or with no database) is freed;
// one with a row becomes invisible (ZombieD) until its row is deleted.
Expired on_expired(Domain& d, const Urecord& r, Ucontact& c, bool with_db) {
    if (c.replicate != 0) {
        log_kept(r, c);
        return Expired::Keep;
    }
    if (!is_zombie(c.state)) {
        log_expired(r, c);
        ++d.expired;
    }
    if (!with_db || !has_row(c.state)) return Expired::Free;
    c.state = CState::ZombieD;
    return Expired::DeleteRow;
}

}  // namespace

void Usrloc::synchronize(time_t now) {
    std::lock_guard run(sync_mu_);
    DbPass pass;
    if (db_mode != kNoDb) pass.conn = connection();
    for (Domain* d : domains()) {
        if (db_only()) {
            expire_rows(*d, now, pass);
            continue;
        }
        for (uint32_t i = 0; i < Domain::kSlots; ++i) {
            Shard& s = d->shard(i);
            switch (db_mode) {
            case kWriteThrough: sweep_write_through(*d, s, now, pass); break;
            case kWriteBack: flush_write_back(*d, s, now, pass); break;
            default: sweep_memory(*d, s, now); break;
            }
        }
    }
    // One message per outage (the driver logs each failed statement itself).
    if (pass.failed > 0) {
        if (!db_failing_.exchange(true)) {
            if (db_only())
                SER_ERR("usrloc: {} database statement(s) of the timer failed; expired rows are deleted at a later "
                        "run",
                        pass.failed);
            else
                SER_ERR("usrloc: {} database write(s) failed; the contacts stay in memory and are written at a "
                        "later timer run",
                        pass.failed);
        }
    } else if (pass.done > 0 && db_failing_.exchange(false)) {
        SER_NOTICE("usrloc: database writes succeed again");
    }
}

// db_mode 0: memory only.
void Usrloc::sweep_memory(Domain& d, Shard& s, time_t now) {
    std::lock_guard g(s.mu);
    d.for_each(s, [&](Urecord& r) {
        for (Ucontact** link = &r.contacts; *link;) {
            Ucontact* c = *link;
            if (c->expired(now)) {
                if (on_expired(d, r, *c, false) == Expired::Keep)
                    link = &c->next;
                else
                    free_at(link);
            } else if (c->state == CState::ZombieN && c->replicate == 0) {
                SER_NOTICE("removing spare zombie (nodb) '{}','{}'", r.aor(), c->uri());
                free_at(link);
            } else {
                link = &c->next;
            }
        }
    });
    d.drop_empty(s);
}

// db_mode 3: the rows with expires < now, but not permanent or replicated
// ones (as memory is swept). The flags are tested here (the database API has
// no bit operators); each delete repeats `expires < now`, so a row another
// instance refreshed meanwhile stays. The AOR's slot lock keeps the edits of
// this process out between the read and the delete.
void Usrloc::expire_rows(Domain& d, time_t now, DbPass& pass) {
    std::vector<std::string_view> names = {cols.user, cols.contact, cols.flags, cols.replicate, cols.state};
    if (use_domain_param) names.push_back(cols.domain);
    const db::Where expired[] = {{cols.expires, db::Value::of_time(now), "<"}};
    db::Result res;
    if (!pass.run([&](db::Connection& c) {
            return c.query(
                {.table = d.name(), .where = expired, .columns = names, .purpose = "usrloc: expired contacts"}, res);
        }))
        return;
    std::string aor;
    for (const auto& row : res.rows) {
        if (row.size() < names.size() || row[0].null || row[1].null) continue;
        const std::string_view user = row[0].s, uri = row[1].s;
        const std::string_view domain = use_domain_param && !row[5].null ? row[5].s : std::string_view();
        aor.assign(user);
        if (use_domain_param) {
            aor += '@';
            aor.append(domain);
        }
        if (unsigned(int_of(row[2])) & api::kFlPermanent) continue;
        if (int_of(row[3]) != 0) {
            SER_NOTICE("Keeping binding '{}','{}' for replication", aor, uri);
            continue;
        }
        std::vector<db::Where> w = {
            {cols.user, db::Value::of_str(user)},
            {cols.contact, db::Value::of_str(uri)},
            {cols.expires, db::Value::of_time(now), "<"},
        };
        if (use_domain_param) w.push_back({cols.domain, db::Value::of_str(domain)});
        std::lock_guard g(d.shard(hash_aor(aor).shard).write_mu);
        const bool ok = pass.run([&](db::Connection& c) {
            return c.remove({.table = d.name(), .where = w, .purpose = "usrloc: delete of an expired contact"});
        });
        if (!ok) continue;
        if (int_of(row[4]) == 0) {   // a deleted row (state 1) was no binding any more
            SER_NOTICE("Binding '{}','{}' has expired", aor, uri);
            ++d.expired;
        }
    }
}

// db_mode 1. The slot's write lock keeps every writer out while the rows
// are written, so the contacts can be written from where they are.
void Usrloc::sweep_write_through(Domain& d, Shard& s, time_t now, DbPass& pass) {
    enum Op { kInsert, kUpdate, kDelete };
    struct Job {
        Urecord* r;
        Ucontact* c;
        Op op;
        bool ok = false;
    };
    std::lock_guard w(s.write_mu);
    std::vector<Job> jobs;
    {
        std::lock_guard g(s.mu);
        d.for_each(s, [&](Urecord& r) {
            for (Ucontact** link = &r.contacts; *link;) {
                Ucontact* c = *link;
                if (c->expired(now)) {
                    const Expired e = on_expired(d, r, *c, true);
                    if (e == Expired::Free) {
                        free_at(link);
                        continue;
                    }
                    if (e == Expired::DeleteRow) jobs.push_back({&r, c, kDelete});   // memory follows the row
                } else {
                    switch (c->state) {
                    case CState::New: jobs.push_back({&r, c, kInsert}); break;
                    case CState::Sync: break;
                    case CState::Dirty: jobs.push_back({&r, c, kUpdate}); break;
                    case CState::ZombieN:
                        if (c->replicate == 0) {
                            free_at(link);
                            continue;
                        }
                        jobs.push_back({&r, c, kInsert});
                        break;
                    case CState::ZombieS:
                        if (c->replicate == 0) jobs.push_back({&r, c, kDelete});
                        break;
                    case CState::ZombieD: jobs.push_back({&r, c, c->replicate ? kUpdate : kDelete}); break;
                    }
                }
                link = &c->next;
            }
        });
        d.drop_empty(s);
    }
    if (jobs.empty()) return;

    for (Job& j : jobs) {
        const Row row = row_of(d.name(), *j.r, *j.c);
        j.ok = pass.run([&](db::Connection& c) {
            switch (j.op) {
            case kInsert: return writer_.insert(c, row);
            case kUpdate: return writer_.update(c, row);
            case kDelete: return writer_.remove(c, row);
            }
            return false;
        });
    }

    std::lock_guard g(s.mu);
    for (Job& j : jobs) {
        if (!j.ok) continue;
        if (j.op == kDelete) {
            unlink_contact(*j.r, j.c);
            free_contact(j.c);
            continue;
        }
        j.c->state = is_zombie(j.c->state) ? CState::ZombieS : CState::Sync;
    }
    d.drop_empty(s);
}

// db_mode 2. Workers keep changing the slot while its rows are written:
// the flusher works from copies, marks what it writes (kFlushing: such a
// contact is never freed by a worker), and learns from kChanged whether
// the contact changed again before the write finished.
void Usrloc::flush_write_back(Domain& d, Shard& s, time_t now, DbPass& pass) {
    enum Op { kInsert, kUpdate, kDelete };
    struct Job {
        RowCopy row;
        uint32_t high;
        Op op;
        bool zombie_write;   // a replicated zombie's row (state 1) is written
        bool ok = false;
    };
    std::vector<Job> jobs;
    {
        std::lock_guard g(s.mu);
        d.for_each(s, [&](Urecord& r) {
            auto add = [&](Ucontact* c, Op op, bool zombie_write) {
                c->mark = kFlushing;   // clears kChanged: changes from now on are seen
                jobs.push_back({RowCopy(row_of(d.name(), r, *c)), r.hash, op, zombie_write});
            };
            for (Ucontact** link = &r.contacts; *link;) {
                Ucontact* c = *link;
                if (c->expired(now)) {
                    const Expired e = on_expired(d, r, *c, true);
                    if (e == Expired::Free) {
                        free_at(link);
                        continue;
                    }
                    if (e == Expired::DeleteRow) add(c, kDelete, false);
                } else {
                    switch (c->state) {
                    case CState::New: add(c, kInsert, false); break;
                    case CState::Sync: break;
                    case CState::Dirty: add(c, kUpdate, false); break;
                    case CState::ZombieN:
                        if (c->replicate == 0) {
                            free_at(link);
                            continue;
                        }
                        add(c, kInsert, true);
                        break;
                    case CState::ZombieS:
                        if (c->replicate == 0) add(c, kDelete, false);
                        break;
                    case CState::ZombieD:
                        if (c->replicate != 0)
                            add(c, kUpdate, true);
                        else
                            add(c, kDelete, false);
                        break;
                    }
                }
                link = &c->next;
            }
        });
        d.drop_empty(s);
    }
    if (jobs.empty()) return;

    for (Job& j : jobs) {
        const Row& row = j.row.row();
        j.ok = pass.run([&](db::Connection& c) {
            switch (j.op) {
            case kInsert: return writer_.insert(c, row);
            case kUpdate: return writer_.update(c, row);
            case kDelete: return writer_.remove(c, row);
            }
            return false;
        });
    }

    std::lock_guard g(s.mu);
    for (Job& j : jobs) {
        const Row& row = j.row.row();
        Urecord* r = d.find(s, row.aor, j.high);
        Ucontact* prev = nullptr;
        Ucontact* c = r ? find_contact(*r, row.uri, &prev) : nullptr;
        if (!c || !(c->mark & kFlushing)) continue;   // cannot happen: flushing contacts stay
        const bool changed = c->mark & kChanged;
        c->mark = 0;
        bool drop = false;
        switch (j.op) {
        case kInsert:
            if (j.ok) {
                if (c->state == CState::New)
                    c->state = changed ? CState::Dirty : CState::Sync;
                else if (c->state == CState::ZombieN)   // deleted while written: the row must go
                    c->state = j.zombie_write && !changed ? CState::ZombieS : CState::ZombieD;
            } else {
                drop = c->state == CState::ZombieN && c->replicate == 0;
            }
            break;
        case kUpdate:
            if (!j.ok) break;
            if (c->state == CState::Dirty && !changed) c->state = CState::Sync;
            if (c->state == CState::ZombieD && j.zombie_write && !changed) c->state = CState::ZombieS;
            break;
        case kDelete:
            if (!j.ok) break;
            if (is_zombie(c->state))
                drop = true;
            else
                c->state = CState::New;   // registered again meanwhile: the row is gone
            break;
        }
        if (drop) {
            if (prev)
                prev->next = c->next;
            else
                r->contacts = c->next;
            free_contact(c);
        }
    }
    d.drop_empty(s);
}

}  // namespace ser::mod::usrloc
