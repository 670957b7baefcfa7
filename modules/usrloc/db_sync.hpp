// The database side of usrloc (modules.md §6.4): a contact's row written as
// insert / update / delete statements of the domain's table, the version
// check, and rows read back as contacts (the preload at start-up; db_mode 3
// reads them at every use).
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>

#include "modules/usrloc/domain.hpp"
#include "ser/db.hpp"

namespace ser::mod::usrloc {

// Column names (the *_column parameters).
struct Columns {
    std::string user = "username";
    std::string domain = "domain";
    std::string contact = "contact";
    std::string expires = "expires";
    std::string q = "q";
    std::string callid = "callid";
    std::string cseq = "cseq";
    std::string method = "method";   // accepted, never used (as in SER)
    std::string replicate = "replicate";
    std::string state = "state";
    std::string flags = "flags";
    std::string user_agent = "user_agent";
    std::string received = "received";
};

// What a statement writes for one contact. Views: into the contact itself
// (db_mode 1: the writer's slot write lock keeps it unchanged) or into a
// RowCopy (write-back: the flusher writes without any lock).
struct Row {
    std::string_view table, aor, uri, received, callid, user_agent;
    time_t expires = 0;
    int q = api::kQUnspecified;
    uint32_t cseq = 0;
    int32_t replicate = 0;
    uint32_t flags = 0;
    bool deleted = false;   // state column 1

    bool memory_only() const { return flags & api::kFlMem; }
};

Row row_of(std::string_view table, const Urecord& r, const Ucontact& c);

// The key columns of an AOR: with use_domain split at the first '@' (no '@':
// an empty domain), else the whole AOR is the username.
struct AorKey {
    std::string_view user, domain;
};
AorKey split_aor(std::string_view aor, bool use_domain);

class RowCopy {
public:
    RowCopy() = default;
    explicit RowCopy(const Row& r) { assign(r); }
    RowCopy(const RowCopy& o) { assign(o.row_); }
    RowCopy& operator=(const RowCopy& o) {
        if (this != &o) assign(o.row_);
        return *this;
    }
    const Row& row() const { return row_; }

private:
    void assign(const Row& r);
    std::string buf_;
    Row row_;
};

// The statements of one module configuration. FL_MEM contacts are never
// written: their statements succeed without touching the database.
class RowWriter {
public:
    RowWriter() = default;
    RowWriter(const Columns& cols, bool use_domain) : cols_(&cols), use_domain_(use_domain) {}
    bool insert(db::Connection& c, const Row& r) const;
    bool update(db::Connection& c, const Row& r) const;
    bool remove(db::Connection& c, const Row& r) const;

private:
    // The row's key: username, contact (and domain with use_domain).
    std::vector<db::Where> key_of(const Row& r) const;

    const Columns* cols_ = nullptr;
    bool use_domain_ = false;
};

// An integer column's value however the driver typed it (NULL: 0).
int64_t int_of(const db::Value& v);

// Checks the table's version (>= 6). False + error: start-up fails.
bool check_version(db::Connection& c, std::string_view table, std::string& error);

// Reads rows of `table` as contacts (state Sync; ZombieS for a row with
// state 1): every row, or with `aor` only the rows of that AOR. `take` gets
// each contact with its AOR and owns it; false from `take` stops the read.
// Rows with a NULL username, contact or Call-ID are skipped (logged with
// `who`). False: the statement failed (error empty: the driver logged it),
// or error says which contact was too long or that `take` refused one.
// Puts a contact read from the table into `d` under its slot's lock (the
// record made if missing); frees it and returns false when none can be made.
bool put_read_contact(Domain& d, std::string_view aor, Ucontact* uc, bool desc_time_order);

using TakeContact = std::function<bool(std::string_view aor, Ucontact* c)>;
bool read_rows(db::Connection& c, std::string_view table, const Columns& cols, bool use_domain,
               const std::string_view* aor, std::string_view who, const TakeContact& take, std::string& error);

// Checks the table's version and loads every row into `d` (db_mode 1, 2).
bool load_table(db::Connection& c, Domain& d, const Columns& cols, bool use_domain, bool desc_time_order,
                std::string& error);

inline constexpr int kTableVersion = 6;

}  // namespace ser::mod::usrloc
