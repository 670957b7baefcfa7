#include "runtime/mgmt/db_command.hpp"

#include <strings.h>

#include <cctype>
#include <ctime>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "ser/db.hpp"
#include "ser/log.hpp"

namespace ser::rt::mgmt {

namespace {

constexpr size_t kMaxEntries = 32;   // SER's MAX_ARRAY

struct Entry {
    std::string_view key, op;
    db::Value value;
};

// One request: its lines are kept so that the DB values can point into them.
class DbRequest {
public:
    explicit DbRequest(FifoRequest& r) : req_(r) {}

    // Errors go to the client as "ERROR: <text>" lines and to the log.
    void fail(std::string_view text) {
        req_.reply(fmt::format("ERROR: {}\n", text));
        SER_ERR("fifo DB: {}", text);
    }

    std::optional<std::string_view> line() {
        auto l = req_.read_line();
        if (!l) return std::nullopt;
        std::string_view s = lines_.emplace_back(std::move(*l));
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
    }

    // Column names up to ".".
    bool keys(std::vector<std::string_view>& out) {
        for (;;) {
            auto l = line();
            if (!l || l->empty()) {
                fail("Bad key list in SELECT DB command (missing '.' at the end?)");
                return false;
            }
            if (*l == ".") return true;
            if (out.size() < kMaxEntries) out.push_back(*l);
            else SER_WARN("fifo DB: too many keys (max={}), ignoring \"{}\"", kMaxEntries, *l);
        }
    }

    // key<op>value lines up to ".".
    bool entries(std::vector<Entry>& out) {
        for (;;) {
            auto l = line();
            if (!l) {
                fail("Command end when reading AVPs - missing . at after AVP list?");
                return false;
            }
            if (*l == ".") return true;
            Entry e;
            if (!parse_entry(*l, e)) return false;
            if (out.size() < kMaxEntries) out.push_back(e);
            else SER_WARN("fifo DB: too many avps (max={}), ignoring \"{}\"", kMaxEntries, *l);
        }
    }

private:
    bool parse_entry(std::string_view s, Entry& e) {
        size_t i = 0;
        while (i < s.size() && (std::isalnum((unsigned char)s[i]) || s[i] == '_')) ++i;
        if (i == 0 || i == s.size()) return broken(s);
        e.key = s.substr(0, i);
        bool space = false;
        while (i < s.size() && std::isspace((unsigned char)s[i])) ++i, space = true;
        if (i == s.size()) return broken(s);
        size_t op = i;
        if (s[i] == '<' || s[i] == '>') {
            ++i;
            if (i < s.size() && s[i] == '=') ++i;
        } else if (s[i] == '=') {
            ++i;
        } else {
            // Other operators are words with a space on each side.
            if (!space) return broken(s);
            while (i < s.size() && !std::isspace((unsigned char)s[i])) ++i;
            if (i == s.size()) return broken(s);
        }
        e.op = s.substr(op, i - op);
        while (i < s.size() && std::isspace((unsigned char)s[i])) ++i;
        if (i == s.size()) return broken(s);
        return parse_value(s.substr(i), e.value);
    }

    bool broken(std::string_view s) {
        SER_ERR("fifo DB: parse error in \"{}\"", s);
        fail("Broken AVP(attr|op|val) in DB command");
        return false;
    }

    bool parse_value(std::string_view s, db::Value& v) {
        std::optional<db::Type> cast;
        if (s.front() == '[') {
            size_t end = s.find(']');
            if (end == std::string_view::npos || end + 1 >= s.size()) {
                fail("Bad cast operator format (expected attr=[type]val)");
                return false;
            }
            std::string_view name = s.substr(1, end - 1);
            static const std::pair<const char*, db::Type> kCasts[] = {
                {"int", db::Type::Int},   {"double", db::Type::Double}, {"string", db::Type::String},
                {"blob", db::Type::Blob}, {"date", db::Type::DateTime}, {"bitmap", db::Type::Bitmap}};
            for (const auto& [n, t] : kCasts)
                if (name.size() == strlen(n) && strncasecmp(name.data(), n, name.size()) == 0) cast = t;
            if (!cast) {
                fail("Unknown cast type");
                return false;
            }
            s.remove_prefix(end + 1);
        }
        if (s.size() > 1 && s.front() == '"' && s.back() == '"') {
            if (cast && *cast != db::Type::String && *cast != db::Type::Blob) {
                fail("Invalid cast for quoted value");
                return false;
            }
            s = s.substr(1, s.size() - 2);
            v = cast == db::Type::Blob ? db::Value::of_blob(s) : db::Value::of_str(s);
            return true;
        }
        if (s.size() > 1 && s.front() == '<' && s.back() == '>') {
            if (cast && *cast != db::Type::DateTime) {
                fail("Invalid cast for quoted value");
                return false;
            }
            std::string t(s.substr(1, s.size() - 2));
            std::tm tm{};
            char* end = strptime(t.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
            if (!end || *end) {
                fail("Bad <date time> format (expected <YYYY-MM-DD hh:mm:ss>)");
                return false;
            }
            tm.tm_isdst = -1;
            v = db::Value::of_time(mktime(&tm));
            return true;
        }
        if (s.front() == '+' || s.front() == '-' || std::isdigit((unsigned char)s.front())) {
            std::string t(s);
            size_t digits = std::isdigit((unsigned char)t[0]) ? 0 : 1;
            size_t dot = t.find('.');
            bool well_formed = t.size() > digits &&
                               t.find_first_not_of("0123456789.", digits) == std::string::npos &&
                               (dot == std::string::npos || (t.find('.', dot + 1) == std::string::npos && dot > digits &&
                                                             dot + 1 < t.size()));
            if (!well_formed) {
                fail("Bad int/float value format (expected [+/-]nr[.nr])");
                return false;
            }
            bool is_double = dot != std::string::npos;
            db::Type type = cast.value_or(is_double ? db::Type::Double : db::Type::Int);
            if (type == db::Type::Bitmap && (is_double || t[0] == '-')) {
                fail("Invalid value for BITMAP type");
                return false;
            }
            if (type == db::Type::Int && is_double) {
                fail("Invalid cast to INT for a DOUBLE value");
                return false;
            }
            if (type != db::Type::Int && type != db::Type::Double && type != db::Type::Bitmap) {
                fail("Invalid cast for numerical value");
                return false;
            }
            if (type == db::Type::Double) v = db::Value::of_double(strtod(t.c_str(), nullptr));
            else if (type == db::Type::Bitmap) v = db::Value::of_bitmap(uint32_t(strtoul(t.c_str(), nullptr, 10)));
            else v = db::Value::of_int(strtoll(t.c_str(), nullptr, 10));
            return true;
        }
        if (s.size() == 4 && strncasecmp(s.data(), "null", 4) == 0) {
            if (!cast) {
                fail("NULL values requires type casting");
                return false;
            }
            v = db::Value::null_of(*cast);
            return true;
        }
        fail("Unable to recognize value type");
        return false;
    }

    FifoRequest& req_;
    std::deque<std::string> lines_;
};

void print_result(const db::Result& res, FifoRequest& r) {
    std::string out;
    for (const auto& c : res.columns) out += c + " ";
    out += "\n";
    for (const auto& row : res.rows) {
        for (const db::Value& v : row) {
            if (v.null) {
                out += "NULL ";
                continue;
            }
            switch (v.type) {
            case db::Type::Int:
            case db::Type::Bitmap: out += fmt::format("{} ", v.i); break;
            case db::Type::Double: out += fmt::format("{:f} ", v.d); break;
            case db::Type::DateTime: {
                char buf[64];
                time_t t = v.t;
                out += ctime_r(&t, buf) ? buf : "?";   // ctime's newline too, as SER printed it
                out += " ";
                break;
            }
            case db::Type::String:
            case db::Type::Blob: out.append(v.s).append(" "); break;
            }
        }
        out += "\n";
    }
    r.reply(out);
}

bool all_assignments(const std::vector<Entry>& v) {
    for (const Entry& e : v)
        if (e.op != "=") return false;
    return true;
}

std::vector<db::Where> where_of(const std::vector<Entry>& v) {
    std::vector<db::Where> w;
    for (const Entry& e : v) w.push_back({e.key, e.value, e.op == "=" ? std::string_view() : e.op});
    return w;
}

std::vector<db::Field> fields_of(const std::vector<Entry>& v) {
    std::vector<db::Field> f;
    for (const Entry& e : v) f.push_back({e.key, e.value});
    return f;
}

int run(db::PerWorker& pool, FifoRequest& fifo) {
    DbRequest q(fifo);
    db::Connection* c = pool.get();
    auto name = q.line();
    if (!name || name->empty()) {
        q.fail("DB command name expected");
        return -1;
    }
    auto is = [&](const char* n) { return name->size() == strlen(n) && strncasecmp(name->data(), n, name->size()) == 0; };
    enum { kSelect, kDelete, kInsert, kUpdate, kRaw, kRawResponse } cmd;
    if (is("select")) cmd = kSelect;
    else if (is("delete")) cmd = kDelete;
    else if (is("insert")) cmd = kInsert;
    else if (is("update")) cmd = kUpdate;
    else if (is("raw_query")) cmd = kRaw;
    else if (is("raw_query_response")) cmd = kRawResponse;
    else {
        q.fail("Unknown DB command name");
        return -1;
    }
    std::vector<std::string_view> keys;
    std::vector<Entry> set, where;
    constexpr std::string_view kPurpose = "fifo DB command";
    if (cmd == kSelect && !q.keys(keys)) return -1;
    if (cmd == kUpdate) {
        if (!q.entries(set)) return -1;
        if (set.empty()) {
            q.fail("UPDATE command must have at least one field to update");
            return -1;
        }
        if (!all_assignments(set)) {
            q.fail("Invalid operator in updated fields (expected = )");
            return -1;
        }
    }
    if (cmd == kRaw || cmd == kRawResponse) {
        auto sql = q.line();
        if (!sql || sql->empty()) {
            q.fail("Raw db command expected");
            return -1;
        }
        db::Result res;
        if (!c || !c->raw(*sql, cmd == kRawResponse ? &res : nullptr, kPurpose)) {
            q.fail("Internal Server error - DB query failed");
            return -1;
        }
        if (cmd == kRawResponse) print_result(res, fifo);
        return 1;
    }
    auto table = q.line();
    if (!table || table->empty()) {
        q.fail("Table name expected");
        return -1;
    }
    if (!q.entries(where)) return -1;
    std::vector<db::Where> w = where_of(where);
    bool ok = false;
    switch (cmd) {
    case kSelect: {
        db::Result res;
        ok = c && c->query({.table = *table, .where = w, .columns = keys, .purpose = kPurpose}, res);
        if (ok) print_result(res, fifo);
        break;
    }
    case kUpdate: {
        std::vector<db::Field> f = fields_of(set);
        ok = c && c->update({.table = *table, .where = w, .set = f, .purpose = kPurpose});
        break;
    }
    case kDelete: ok = c && c->remove({.table = *table, .where = w, .purpose = kPurpose}); break;
    case kInsert: {
        if (where.empty()) {
            q.fail("Nothing to insert (empty AVP list)");
            return -1;
        }
        if (!all_assignments(where)) {
            q.fail("Invalid operator in inserted fields (expected = )");
            return -1;
        }
        std::vector<db::Field> f = fields_of(where);
        ok = c && c->insert({.table = *table, .fields = f, .purpose = kPurpose});
        break;
    }
    default: break;
    }
    if (!ok) {
        q.fail("Internal Server error - DB query failed");
        return -1;
    }
    return 1;
}

}  // namespace

bool add_db_command(CommandTable& table, Core& core, const std::string& url, std::string& error) {
    auto pool = std::make_shared<db::PerWorker>();
    std::string e;
    if (!pool->init(core, url, "fifo DB", e)) {
        db::Url parsed;
        std::string pe;
        if (!db::parse_url(url, parsed, pe)) {
            error = "fifo_db_url: " + pe;
            return false;
        }
        SER_WARN("{}: fifo DB commands disabled", e);
        return true;
    }
    return table.add("DB", [pool](FifoRequest& r) { return run(*pool, r); }, error);
}

}  // namespace ser::rt::mgmt
