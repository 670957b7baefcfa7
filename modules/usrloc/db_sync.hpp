// The database side of usrloc (modules.md §6.4): a contact's row written as
// insert / update / delete statements of the domain's table, the version
// check and the preload at start-up.
#pragma once

#include <cstdint>
#include <ctime>
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
    struct Key {
        std::string_view user, domain;
    };
    Key key_of(std::string_view aor) const;
    const Columns* cols_ = nullptr;
    bool use_domain_ = false;
};

// Checks the table's version (>= 6) and loads every row into `d` (rows with
// a NULL username, contact or Call-ID are skipped; state 1 = deleted zombie).
// db_mode 3 loads into memory-only states. False + error: start-up fails.
bool load_table(db::Connection& c, Domain& d, const Columns& cols, bool use_domain, bool desc_time_order,
                int db_mode, std::string& error);

inline constexpr int kTableVersion = 6;

}  // namespace ser::mod::usrloc
