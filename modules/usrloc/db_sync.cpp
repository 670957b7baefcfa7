#include "modules/usrloc/db_sync.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <vector>

#include "ser/log.hpp"

namespace ser::mod::usrloc {

Row row_of(std::string_view table, const Urecord& r, const Ucontact& c) {
    Row w;
    w.table = table;
    w.aor = r.aor();
    w.uri = c.uri();
    w.received = c.received();
    w.callid = c.callid();
    w.user_agent = c.user_agent();
    w.expires = time_t(c.expires);
    w.q = c.q;
    w.cseq = c.cseq;
    w.replicate = c.replicate;
    w.flags = c.flags;
    w.deleted = is_zombie(c.state);
    return w;
}

void RowCopy::assign(const Row& r) {
    row_ = r;
    buf_.clear();
    buf_.reserve(r.table.size() + r.aor.size() + r.uri.size() + r.received.size() + r.callid.size() +
                 r.user_agent.size());
    std::string_view* parts[] = {&row_.table, &row_.aor, &row_.uri, &row_.received, &row_.callid, &row_.user_agent};
    size_t off[6];
    for (int i = 0; i < 6; ++i) {
        off[i] = buf_.size();
        buf_.append(*parts[i]);
    }
    for (int i = 0; i < 6; ++i) *parts[i] = std::string_view(buf_).substr(off[i], parts[i]->size());
}

AorKey split_aor(std::string_view aor, bool use_domain) {
    if (!use_domain) return {aor, {}};
    size_t at = aor.find('@');
    if (at == std::string_view::npos) return {aor, {}};
    return {aor.substr(0, at), aor.substr(at + 1)};
}

namespace {

double q_value(int q) { return q == api::kQUnspecified ? -1.0 : double(q) / 1000.0; }

db::Value received_value(std::string_view r) {
    return r.empty() ? db::Value::null_of(db::Type::String) : db::Value::of_str(r);
}

}  // namespace

bool RowWriter::insert(db::Connection& c, const Row& r) const {
    if (r.memory_only()) return true;
    AorKey k = split_aor(r.aor, use_domain_);
    std::vector<db::Field> f = {
        {cols_->user, db::Value::of_str(k.user)},
        {cols_->contact, db::Value::of_str(r.uri)},
        {cols_->expires, db::Value::of_time(r.expires)},
        {cols_->q, db::Value::of_double(q_value(r.q))},
        {cols_->callid, db::Value::of_str(r.callid)},
        {cols_->cseq, db::Value::of_int(r.cseq)},
        {cols_->replicate, db::Value::of_int(r.replicate)},
        {cols_->flags, db::Value::of_int(r.flags)},
        {cols_->state, db::Value::of_int(r.deleted ? 1 : 0)},
        {cols_->user_agent, db::Value::of_str(r.user_agent)},
        {cols_->received, received_value(r.received)},
    };
    if (use_domain_) f.push_back({cols_->domain, db::Value::of_str(k.domain)});
    return c.insert({.table = r.table, .fields = f, .purpose = "usrloc: insert of a contact"});
}

std::vector<db::Where> RowWriter::key_of(const Row& r) const {
    AorKey k = split_aor(r.aor, use_domain_);
    std::vector<db::Where> w = {
        {cols_->user, db::Value::of_str(k.user)},
        {cols_->contact, db::Value::of_str(r.uri)},
    };
    if (use_domain_) w.push_back({cols_->domain, db::Value::of_str(k.domain)});
    return w;
}

bool RowWriter::update(db::Connection& c, const Row& r) const {
    if (r.memory_only()) return true;
    const std::vector<db::Where> w = key_of(r);
    const db::Field set[] = {
        {cols_->expires, db::Value::of_time(r.expires)},
        {cols_->q, db::Value::of_double(q_value(r.q))},
        {cols_->callid, db::Value::of_str(r.callid)},
        {cols_->cseq, db::Value::of_int(r.cseq)},
        {cols_->replicate, db::Value::of_int(r.replicate)},
        {cols_->state, db::Value::of_int(r.deleted ? 1 : 0)},
        {cols_->flags, db::Value::of_int(r.flags)},
        {cols_->user_agent, db::Value::of_str(r.user_agent)},
        {cols_->received, received_value(r.received)},
    };
    return c.update({.table = r.table, .where = w, .set = set, .purpose = "usrloc: update of a contact"});
}

bool RowWriter::remove(db::Connection& c, const Row& r) const {
    if (r.memory_only()) return true;
    const std::vector<db::Where> w = key_of(r);
    return c.remove({.table = r.table, .where = w, .purpose = "usrloc: delete of a contact"});
}

// ---- reading rows ------------------------------------------------------------------

int64_t int_of(const db::Value& v) {
    if (v.null) return 0;
    switch (v.type) {
    case db::Type::Int:
    case db::Type::Bitmap: return v.i;
    case db::Type::Double: return int64_t(v.d);
    case db::Type::DateTime: return int64_t(v.t);
    default: return std::strtoll(std::string(v.s).c_str(), nullptr, 10);
    }
}

namespace {

// Values as the drivers may return them: typed by the column, or as text.
std::optional<std::string_view> text_of(const db::Value& v, db::Result& keep) {
    if (v.null) return std::nullopt;
    switch (v.type) {
    case db::Type::String:
    case db::Type::Blob: return v.s;
    case db::Type::Int:
    case db::Type::Bitmap: return keep.keep(std::to_string(v.i));
    case db::Type::Double: return keep.keep(fmt::format("{}", v.d));
    case db::Type::DateTime: return keep.keep(std::to_string(int64_t(v.t)));
    }
    return std::nullopt;
}

double double_of(const db::Value& v) {
    if (v.null) return 0;
    switch (v.type) {
    case db::Type::Double: return v.d;
    case db::Type::Int:
    case db::Type::Bitmap: return double(v.i);
    case db::Type::DateTime: return double(v.t);
    default: return std::strtod(std::string(v.s).c_str(), nullptr);
    }
}

// "YYYY-MM-DD HH:MM:SS" in local time (how DATETIME columns hold it).
time_t time_of(const db::Value& v) {
    if (v.null) return 0;
    switch (v.type) {
    case db::Type::DateTime: return v.t;
    case db::Type::Int:
    case db::Type::Bitmap: return time_t(v.i);
    case db::Type::Double: return time_t(v.d);
    default: break;
    }
    std::string s(v.s);
    struct tm tm {};
    if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                    &tm.tm_sec) < 3)
        return time_t(std::strtoll(s.c_str(), nullptr, 10));
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    return mktime(&tm);
}

int q_of(double q) {
    if (q == -1) return api::kQUnspecified;
    long v = std::lround(q * 1000);   // float(10,2) columns: 0.29 is 0.28999...
    return int(v < 0 ? 0 : (v > 1000 ? 1000 : v));
}

}  // namespace

bool check_version(db::Connection& c, std::string_view table, std::string& error) {
    int ver = db::table_version(c, table);
    if (ver < 0) {
        error = "Error while querying table version";
        return false;
    }
    if (ver < kTableVersion) {
        // SER's text, then what was found: a table never created has no row.
        error = ver == 0 ? fmt::format("Invalid table version (use ser_mysql.sh reinstall): no row in table "
                                       "'version' for '{}' (no such table?), {} needed",
                                       table, kTableVersion)
                         : fmt::format("Invalid table version (use ser_mysql.sh reinstall): {}, {} needed", ver,
                                       kTableVersion);
        return false;
    }
    return true;
}

bool read_rows(db::Connection& c, std::string_view table, const Columns& cols, bool use_domain,
               const std::string_view* aor, std::string_view who, const TakeContact& take, std::string& error) {
    std::vector<std::string_view> names = {cols.user, cols.contact, cols.expires, cols.q,
                                           cols.callid, cols.cseq, cols.replicate, cols.state,
                                           cols.flags, cols.user_agent, cols.received};
    if (use_domain) names.push_back(cols.domain);
    std::vector<db::Where> where;
    if (aor) {
        AorKey k = split_aor(*aor, use_domain);
        where.push_back({cols.user, db::Value::of_str(k.user)});
        if (use_domain) where.push_back({cols.domain, db::Value::of_str(k.domain)});
    }
    db::Result res;
    const std::string_view purpose = aor ? "usrloc: contacts of an AOR" : "usrloc: every contact of a table";
    if (!c.query({.table = table, .where = where, .columns = names, .purpose = purpose}, res)) {
        error.clear();   // the driver logged why
        return false;
    }

    std::string row_aor;
    for (const auto& row : res.rows) {
        if (row.size() < names.size()) continue;
        auto user = text_of(row[0], res);
        if (!user) {
            log(L_CRIT, "{}: ERROR: bad username record in table {}", who, table);
            log(L_CRIT, "{}: ERROR: skipping...", who);
            continue;
        }
        auto contact = text_of(row[1], res);
        if (!contact) {
            log(L_CRIT, "{}: ERROR: bad contact record in table {}", who, table);
            log(L_CRIT, "{}: ERROR: for username {}", who, *user);
            log(L_CRIT, "{}: ERROR: skipping...", who);
            continue;
        }
        auto callid = text_of(row[4], res);
        if (!callid) {
            log(L_CRIT, "{}: ERROR: bad callid record in table {}", who, table);
            log(L_CRIT, "{}: ERROR: for username {}, contact {}", who, *user, *contact);
            log(L_CRIT, "{}: ERROR: skipping...", who);
            continue;
        }
        api::ContactInfo ci;
        ci.uri = *contact;
        ci.callid = *callid;
        ci.expires = time_of(row[2]);
        ci.q = q_of(double_of(row[3]));
        ci.cseq = uint32_t(int_of(row[5]));
        ci.replicate = int(int_of(row[6]));
        const bool deleted = int_of(row[7]) != 0;
        ci.flags = uint32_t(int_of(row[8]));
        ci.user_agent = text_of(row[9], res).value_or(std::string_view());
        ci.received = text_of(row[10], res).value_or(std::string_view());
        if (aor) {
            row_aor = *aor;   // the rows asked for, whatever case the database matched
        } else {
            row_aor.assign(*user);
            if (use_domain) {
                row_aor += '@';
                row_aor.append(text_of(row[11], res).value_or(std::string_view()));
            }
        }

        Ucontact* uc = make_contact(ci);
        if (!uc) {
            error = fmt::format("a contact of '{}' is too long", row_aor);
            return false;
        }
        // The row is in the database already; a deleted one (state 1) is a
        // zombie whose row says so.
        uc->state = deleted ? CState::ZombieS : CState::Sync;
        if (!take(row_aor, uc)) {
            error = "cannot create a record";
            return false;
        }
    }
    return true;
}

bool put_read_contact(Domain& d, std::string_view aor, Ucontact* uc, bool desc_time_order) {
    AorHash h = hash_aor(aor);
    Shard& s = d.shard(h.shard);
    std::lock_guard g(s.mu);
    Urecord* r = d.find(s, aor, h.high);
    if (!r) r = d.create(s, aor, h.high);
    if (!r) {
        free_contact(uc);
        return false;
    }
    insert_ordered(*r, uc, desc_time_order);
    return true;
}

bool load_table(db::Connection& c, Domain& d, const Columns& cols, bool use_domain, bool desc_time_order,
                std::string& error) {
    const std::string& table = d.name();
    if (!check_version(c, table, error)) return false;
    size_t loaded = 0;
    auto take = [&](std::string_view aor, Ucontact* uc) {
        if (!put_read_contact(d, aor, uc, desc_time_order)) return false;
        ++loaded;
        return true;
    };
    std::string e;
    if (!read_rows(c, table, cols, use_domain, nullptr, "preload_udomain", take, e)) {
        error = fmt::format("Error while preloading domain '{}'{}{}", table, e.empty() ? "" : ": ", e);
        return false;
    }
    SER_DBG("usrloc: {} contacts of table '{}' loaded", loaded, table);
    return true;
}

}  // namespace ser::mod::usrloc
