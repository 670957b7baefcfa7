// A record while it is being edited (UsrlocApi::edit, the FIFO commands):
// the api::Record a caller's function gets, applying SER's contact state
// rules per db_mode.
//
// Locking: db_mode 1 holds the slot's write lock for the whole edit and the
// data lock only around each change, so the database statement of a change
// runs before the call returns without blocking lookups of the slot. db_mode
// 3 holds the write lock while it reads the AOR's rows into a record of its
// own, runs the edit and writes each change (nothing shared in memory, so no
// data lock). Other modes do no I/O here and hold the data lock for the
// whole edit.
#pragma once

#include <mutex>
#include <string_view>

#include "modules/usrloc/domain.hpp"
#include "ser/api/usrloc.hpp"

namespace ser::mod::usrloc {

class Usrloc;

// SER's st_update_ucontact / st_delete_ucontact (true: free the contact now).
CState state_after_update(CState s, int db_mode);
bool delete_frees(Ucontact& c, int db_mode);

class RecordView final : public api::Record {
public:
    // db_mode 3 reads the AOR's rows here; if that fails, error() says so.
    RecordView(Usrloc& ul, Domain& d, std::string_view aor);
    ~RecordView() override;   // drops the record if it has no contact left (db_mode 3: frees its own)
    RecordView(const RecordView&) = delete;
    RecordView& operator=(const RecordView&) = delete;

    std::string_view aor() const override { return aor_; }
    void contacts(std::vector<api::Contact>& out, time_t now, bool valid_only) const override;
    size_t valid_count(time_t now) const override;
    bool has(std::string_view uri) const override;
    bool insert(const api::ContactInfo& c) override;
    bool update(const api::ContactInfo& c, bool to_head) override;
    bool remove(std::string_view uri) override;
    bool remove_all() override;

    // For the FIFO commands.
    bool exists() const { return rec_ != nullptr; }
    // The contact with this URI, deleted zombies included (SER's get_ucontact).
    const Ucontact* find_any(std::string_view uri) const;
    // update() that also sets replicate (ul_add).
    bool update_replicate(const api::ContactInfo& c);
    // Deletes the contact with this URI (a zombie stays one).
    bool remove_any(std::string_view uri);

    // The first usrloc failure of this edit (a P-Registrar-Error text), or null.
    const char* error() const { return error_; }

private:
    RecordView(Usrloc& ul, Domain& d, std::string_view aor, AorHash h);
    Ucontact* live(std::string_view uri) const;   // not a zombie
    bool change(Ucontact* c, const api::ContactInfo& ci, bool to_head, bool set_replicate);
    bool erase(Ucontact* c);
    // db_mode 1 and 3: writes `c` as its state says, then records the outcome.
    bool write_through(Ucontact* c);
    bool writes_at_once() const;   // db_mode 1 or 3
    void lock_op() {
        if (per_op_) data_.lock();
    }
    void unlock_op() {
        if (per_op_) data_.unlock();
    }
    void fail(const char* e) {
        if (!error_) error_ = e;
    }

    Usrloc& ul_;
    Domain& d_;
    Shard& s_;
    std::string_view aor_;
    uint32_t high_;
    Urecord* rec_ = nullptr;
    RecordPtr own_;   // db_mode 3: rec_, read from the database
    bool per_op_;
    bool db_only_;
    std::unique_lock<std::mutex> write_;
    std::unique_lock<std::mutex> data_;
    const char* error_ = nullptr;
};

}  // namespace ser::mod::usrloc
