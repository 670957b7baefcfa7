#include "modules/usrloc/record_view.hpp"

#include <vector>

#include "modules/usrloc/usrloc.hpp"
#include "ser/log.hpp"

namespace ser::mod::usrloc {

CState state_after_update(CState s, int db_mode) {
    switch (s) {
    case CState::New: return CState::New;   // the insert is still to come
    case CState::Sync: return db_mode == kWriteBack ? CState::Dirty : CState::Sync;
    case CState::Dirty: return CState::Dirty;
    case CState::ZombieN: return CState::New;
    case CState::ZombieS: return db_mode == kWriteThrough ? CState::Sync : CState::Dirty;
    case CState::ZombieD: return CState::Dirty;
    }
    return s;
}

bool delete_frees(Ucontact& c, int db_mode) {
    // A contact the write-back flusher is inserting right now must stay: the
    // flusher learns from it whether the row it wrote has to go again.
    const bool keep = c.replicate != 0 || (c.mark & kFlushing);
    switch (c.state) {
    case CState::New:
        if (!keep) return true;
        c.state = CState::ZombieN;
        return false;
    case CState::Sync:
    case CState::Dirty:
        c.state = CState::ZombieD;
        return false;
    case CState::ZombieN: return !keep;
    case CState::ZombieS:
    case CState::ZombieD: return false;
    }
    return false;
}

RecordView::RecordView(Usrloc& ul, Domain& d, std::string_view aor) : RecordView(ul, d, aor, hash_aor(aor)) {}

RecordView::RecordView(Usrloc& ul, Domain& d, std::string_view aor, AorHash h)
    : ul_(ul), d_(d), s_(d.shard(h.shard)), aor_(aor), high_(h.high), per_op_(ul.db_mode == kWriteThrough),
      db_only_(ul.db_only()) {
    if (db_only_) {
        // Edits of one AOR in this process follow each other; between
        // processes the database decides.
        write_ = std::unique_lock(s_.write_mu);
        if (!ul_.read_record(d_, aor_, high_, own_)) fail("usrloc_record_get failed");
        rec_ = own_.get();
        return;
    }
    if (per_op_) write_ = std::unique_lock(s_.write_mu);
    data_ = std::unique_lock(s_.mu);
    rec_ = d_.find(s_, aor_, high_);
    if (per_op_) data_.unlock();
}

RecordView::~RecordView() {
    if (db_only_) return;   // own_ frees the record that was read
    if (rec_ && !rec_->contacts) {
        lock_op();
        d_.drop(s_, rec_);
        unlock_op();
    }
}

Ucontact* RecordView::live(std::string_view uri) const {
    if (!rec_) return nullptr;
    Ucontact* c = find_contact(*rec_, uri);
    return c && !is_zombie(c->state) ? c : nullptr;
}

bool RecordView::writes_at_once() const { return ul_.db_mode == kWriteThrough || db_only_; }

const Ucontact* RecordView::find_any(std::string_view uri) const { return rec_ ? find_contact(*rec_, uri) : nullptr; }

void RecordView::contacts(std::vector<api::Contact>& out, time_t now, bool valid_only) const {
    if (!rec_) return;
    for (const Ucontact* c = rec_->contacts; c; c = c->next) {
        if (is_zombie(c->state)) continue;
        if (valid_only && !c->valid(now)) continue;
        out.push_back(to_api(*c));
    }
}

size_t RecordView::valid_count(time_t now) const {
    size_t n = 0;
    if (rec_)
        for (const Ucontact* c = rec_->contacts; c; c = c->next) n += c->valid(now);
    return n;
}

bool RecordView::has(std::string_view uri) const { return live(uri) != nullptr; }

bool RecordView::insert(const api::ContactInfo& ci) {
    // A contact of this URI that was deleted (or is known already) is
    // brought back in place, as SER's registrar finds it by get_ucontact.
    if (Ucontact* e = rec_ ? find_contact(*rec_, ci.uri) : nullptr) return change(e, ci, false, true);

    Ucontact* c = make_contact(ci);
    if (!c) {
        SER_ERR("usrloc: cannot store contact '{}' of '{}' (a field is too long or memory is out)", ci.uri, aor_);
        fail("usrloc_contact_insert failed");
        return false;
    }
    lock_op();
    if (!rec_ && db_only_) {
        own_.reset(make_record(aor_, high_));
        rec_ = own_.get();
    } else if (!rec_) {
        rec_ = d_.create(s_, aor_, high_);
    }
    if (!rec_) {
        unlock_op();
        free_contact(c);
        SER_ERR("usrloc: cannot create the record of '{}'", aor_);
        fail("usrloc_record_new failed");
        return false;
    }
    insert_ordered(*rec_, c, ul_.desc_time_order);
    c->mark |= kChanged;
    unlock_op();
    if (!writes_at_once()) return true;

    // Write-through and database only: the row goes in before the REGISTER
    // is answered; a contact the database refused is not kept (registrar
    // answers 500).
    db::Connection* conn = ul_.connection();
    const bool ok = conn ? ul_.writer().insert(*conn, row_of(d_.name(), *rec_, *c)) : ci.flags & api::kFlMem;
    lock_op();
    if (ok) {
        c->state = CState::Sync;
    } else {
        unlink_contact(*rec_, c);
        free_contact(c);
    }
    unlock_op();
    if (!ok) fail("usrloc_contact_insert failed");
    return ok;
}

bool RecordView::update(const api::ContactInfo& ci, bool to_head) {
    Ucontact* e = rec_ ? find_contact(*rec_, ci.uri) : nullptr;
    if (!e) {
        SER_ERR("usrloc: update of contact '{}' of '{}', which is not stored", ci.uri, aor_);
        fail("usrloc_contact_update failed");
        return false;
    }
    return change(e, ci, to_head, false);
}

bool RecordView::update_replicate(const api::ContactInfo& ci) {
    Ucontact* e = rec_ ? find_contact(*rec_, ci.uri) : nullptr;
    return e ? change(e, ci, false, true) : insert(ci);
}

bool RecordView::change(Ucontact* e, const api::ContactInfo& ci, bool to_head, bool set_replicate) {
    lock_op();
    const bool was_memory_only = e->flags & api::kFlMem;
    Ucontact* c = rewrite_contact(e, ci);
    if (!c) {
        unlock_op();
        SER_ERR("usrloc: cannot update contact '{}' of '{}' (a field is too long or memory is out)", ci.uri, aor_);
        fail("usrloc_contact_update failed");
        return false;
    }
    if (c != e) {
        replace_contact(*rec_, e, c);
        free_contact(e);
    }
    if (set_replicate) c->replicate = ci.replicate;
    c->state = state_after_update(c->state, ul_.db_mode);
    // A save_memory() contact saved normally now has no row yet.
    if (was_memory_only && !(c->flags & api::kFlMem) && ul_.db_mode != kNoDb) c->state = CState::New;
    c->mark |= kChanged;
    if (to_head) move_to_head(*rec_, c);
    unlock_op();
    if (!writes_at_once() || write_through(c) || !db_only_) return true;
    // Database only: no memory keeps the refresh for a retry.
    fail("usrloc_contact_update failed");
    return false;
}

bool RecordView::write_through(Ucontact* c) {
    // db_mode 1: a failed update stays dirty for the timer to retry: memory
    // is what lookups use, and a database outage must not lose a refresh.
    db::Connection* conn = ul_.connection();
    const bool inserting = c->state == CState::New;
    const Row row = row_of(d_.name(), *rec_, *c);
    bool ok = row.memory_only();
    if (!ok && conn) ok = inserting ? ul_.writer().insert(*conn, row) : ul_.writer().update(*conn, row);
    lock_op();
    if (ok)
        c->state = CState::Sync;
    else if (c->state == CState::Sync)
        c->state = CState::Dirty;
    unlock_op();
    return ok;
}

bool RecordView::erase(Ucontact* c) {
    if (db_only_) {
        // The row goes at once: no zombie waits in memory for the timer.
        db::Connection* conn = ul_.connection();
        const Row row = row_of(d_.name(), *rec_, *c);
        if (!row.memory_only() && !(conn && ul_.writer().remove(*conn, row))) {
            fail("usrloc_contact_delete failed");
            return false;
        }
        unlink_contact(*rec_, c);
        free_contact(c);
        return true;
    }
    lock_op();
    c->mark |= kChanged;
    if (delete_frees(*c, ul_.db_mode)) {
        unlink_contact(*rec_, c);
        free_contact(c);
        unlock_op();
        return true;
    }
    const bool mark_row = ul_.db_mode == kWriteThrough && c->state == CState::ZombieD;
    unlock_op();
    if (!mark_row) return true;
    // Write-through keeps the row as deleted (state 1) until the timer
    // deletes it; if that fails the timer deletes the stale row directly.
    db::Connection* conn = ul_.connection();
    const Row row = row_of(d_.name(), *rec_, *c);
    const bool ok = row.memory_only() || (conn && ul_.writer().update(*conn, row));
    if (ok) {
        lock_op();
        c->state = CState::ZombieS;
        unlock_op();
    }
    return true;
}

bool RecordView::remove(std::string_view uri) {
    Ucontact* c = live(uri);
    return c ? erase(c) : true;
}

bool RecordView::remove_any(std::string_view uri) {
    Ucontact* c = rec_ ? find_contact(*rec_, uri) : nullptr;
    return c ? erase(c) : true;
}

bool RecordView::remove_all() {
    if (!rec_) return true;
    std::vector<Ucontact*> all;
    for (Ucontact* c = rec_->contacts; c; c = c->next)
        if (!is_zombie(c->state)) all.push_back(c);
    bool ok = true;
    for (Ucontact* c : all) ok = erase(c) && ok;
    return ok;
}

}  // namespace ser::mod::usrloc
