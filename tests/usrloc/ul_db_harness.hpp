// usrloc's database modes on a real SQLite file made by tools/ser-db: the
// test reads and writes the `location` table through a sqlite.so of its own
// (a second harness), never through usrloc.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ser/db.hpp"
#include "tests/usrloc/ul_harness.hpp"

namespace ser::test {

// A `location` row as the test reads it back.
struct LocRow {
    std::string username, domain, contact, callid, user_agent;
    std::optional<std::string> received;   // nullopt: NULL
    time_t expires = 0;
    std::string expires_text;   // the stored text of the DATETIME column
    double q = 0;
    int64_t cseq = 0, replicate = 0, state = 0, flags = 0;
};

// How SER writes a DATETIME: local time, "YYYY-MM-DD HH:MM:SS".
inline std::string local_datetime(time_t t) {
    struct tm tm {};
    localtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

// The test's own connection to the database file.
class Sql {
public:
    explicit Sql(const std::string& url) {
        if (!h_.load("listen=udp:127.0.0.1:5098\nloadmodule \"sqlite.so\"\nroute{ break; }\n")) {
            ADD_FAILURE() << h_.errors;
            return;
        }
        std::string e;
        db::Driver* d = db::find_driver(h_.server, url, e);
        db::Url u;
        if (!d || !db::parse_url(url, u, e)) {
            ADD_FAILURE() << e;
            return;
        }
        c_ = d->connect(u, e);
        if (!c_) ADD_FAILURE() << e;
    }
    ~Sql() { c_.reset(); }

    db::Connection& conn() { return *c_; }
    bool exec(std::string_view sql) { return c_ && c_->raw(sql, nullptr, "usrloc test"); }
    db::Result query(std::string_view sql) {
        db::Result r;
        EXPECT_TRUE(c_ && c_->raw(sql, &r, "usrloc test")) << sql;
        return r;
    }
    int64_t count(std::string_view sql) {
        db::Result r = query(sql);
        return r.rows.empty() || r.rows[0].empty() ? -1 : r.rows[0][0].i;
    }

    // Every row of `location`, ordered by username, domain, contact.
    std::vector<LocRow> rows() {
        db::Result r = query(
            "select username, domain, contact, received, expires, q, callid, cseq, replicate, state, flags, "
            "user_agent, expires || '' from location order by username, domain, contact");
        std::vector<LocRow> out;
        for (const auto& v : r.rows) {
            LocRow x;
            x.username = std::string(v[0].s);
            x.domain = std::string(v[1].s);
            x.contact = std::string(v[2].s);
            if (!v[3].null) x.received = std::string(v[3].s);
            x.expires = v[4].t;
            x.q = v[5].d;
            x.callid = std::string(v[6].s);
            x.cseq = v[7].i;
            x.replicate = v[8].i;
            x.state = v[9].i;
            x.flags = v[10].i;
            x.user_agent = std::string(v[11].s);
            x.expires_text = std::string(v[12].s);
            out.push_back(std::move(x));
        }
        return out;
    }
    std::optional<LocRow> row(std::string_view username, std::string_view contact) {
        for (auto& r : rows())
            if (r.username == username && r.contact == contact) return r;
        return std::nullopt;
    }

    // A row written behind usrloc's back (as another ser or serctl would).
    bool insert_row(const LocRow& r) {
        const db::Field f[] = {
            {"username", db::Value::of_str(r.username)},
            {"domain", db::Value::of_str(r.domain)},
            {"contact", db::Value::of_str(r.contact)},
            {"received", r.received ? db::Value::of_str(*r.received) : db::Value::null_of(db::Type::String)},
            {"expires", db::Value::of_time(r.expires)},
            {"q", db::Value::of_double(r.q)},
            {"callid", db::Value::of_str(r.callid)},
            {"cseq", db::Value::of_int(r.cseq)},
            {"replicate", db::Value::of_int(r.replicate)},
            {"state", db::Value::of_int(r.state)},
            {"flags", db::Value::of_int(r.flags)},
            {"user_agent", db::Value::of_str(r.user_agent)},
        };
        return c_ && c_->insert({.table = "location", .fields = f, .purpose = "usrloc test: a row"});
    }

    // Counts the statements run on `location` from now on (table ul_writes).
    bool count_writes() {
        return exec("drop trigger if exists ul_w_i") && exec("drop trigger if exists ul_w_u") &&
               exec("drop trigger if exists ul_w_d") && exec("drop table if exists ul_writes") &&
               exec("create table ul_writes (op text)") &&
               exec("create trigger ul_w_i after insert on location begin insert into ul_writes values ('i'); end") &&
               exec("create trigger ul_w_u after update on location begin insert into ul_writes values ('u'); end") &&
               exec("create trigger ul_w_d after delete on location begin insert into ul_writes values ('d'); end");
    }
    int64_t writes(char op) { return count(std::string("select count(*) from ul_writes where op = '") + op + "'"); }
    bool clear_writes() { return exec("delete from ul_writes"); }

private:
    Harness h_;
    std::unique_ptr<db::Connection> c_;
};

// One database made by the tool for the suite, copied for each test.
class UsrlocDb : public testing::Test {
protected:
    static inline std::filesystem::path made;
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/ser-ul-made-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        made = std::filesystem::path(tmpl) / "ser.db";
        std::string cmd = std::string(SER_SOURCE_DIR) + "/tools/ser-db create sqlite " + made.string() + " > /dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(made.parent_path()); }

    void SetUp() override {
        char tmpl[] = "/tmp/ser-ul-db-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        std::filesystem::copy_file(made, dir / "ser.db");
        url = "sqlite://" + (dir / "ser.db").string();
        sql = std::make_unique<Sql>(url);
    }
    void TearDown() override {
        ul.reset();   // usrloc's shutdown may still write
        sql.reset();
        std::filesystem::remove_all(dir);
    }

    // Loads sqlite.so and usrloc in `mode` on the test's file.
    bool start(int mode, const std::string& more = "", int workers = 1, int busy_timeout_ms = 5000) {
        ul = std::make_unique<Ul>();
        return load(*ul, mode, more, workers, busy_timeout_ms);
    }
    // Another ser on the same file (db_mode 3: instances sharing a table).
    // The test resets it before the fixture's TearDown.
    std::unique_ptr<Ul> another(int mode, const std::string& more = "") {
        auto other = std::make_unique<Ul>();
        EXPECT_TRUE(load(*other, mode, more, 1, 5000)) << other->errors();
        return other;
    }
    bool load(Ul& u, int mode, const std::string& more, int workers, int busy_timeout_ms) {
        const std::string head = "loadmodule \"sqlite.so\"\nmodparam(\"sqlite\", \"busy_timeout\", " +
                                 std::to_string(busy_timeout_ms) + ")\n";
        const std::string params = "modparam(\"usrloc\", \"db_url\", \"" + url + "\")\nmodparam(\"usrloc\", \"db_mode\", " +
                                   std::to_string(mode) + ")\n" + more;
        return u.load(params, head, workers);
    }
    // usrloc's shutdown (write-back: the final flush), then a new start.
    bool restart(int mode, const std::string& more = "") {
        ul->shutdown();
        ul.reset();
        return start(mode, more);
    }
    // The stored row holds every field of `c` and is live (state 0).
    static void expect_row(const LocRow& r, const api::ContactInfo& c) {
        SCOPED_TRACE(r.contact);
        EXPECT_EQ(r.contact, c.uri);
        if (c.received.empty())
            EXPECT_FALSE(r.received.has_value());
        else
            EXPECT_EQ(r.received.value_or("<NULL>"), c.received);
        EXPECT_EQ(r.expires, c.expires);
        EXPECT_EQ(r.expires_text, local_datetime(c.expires));
        EXPECT_DOUBLE_EQ(r.q, c.q == api::kQUnspecified ? -1.0 : c.q / 1000.0);
        EXPECT_EQ(r.callid, c.callid);
        EXPECT_EQ(r.cseq, int64_t(c.cseq));
        EXPECT_EQ(r.flags, int64_t(c.flags));
        EXPECT_EQ(r.user_agent, c.user_agent);
        EXPECT_EQ(r.replicate, c.replicate);
        EXPECT_EQ(r.state, 0);
    }
    // A contact as usrloc returns it, against a row.
    static void expect_same(const api::Contact& c, const LocRow& r) {
        SCOPED_TRACE(c.uri);
        EXPECT_EQ(r.contact, c.uri);
        EXPECT_EQ(r.received.value_or(""), c.received);
        EXPECT_EQ(r.expires, c.expires);
        EXPECT_DOUBLE_EQ(r.q, c.q == api::kQUnspecified ? -1.0 : c.q / 1000.0);
        EXPECT_EQ(r.callid, c.callid);
        EXPECT_EQ(r.cseq, int64_t(c.cseq));
        EXPECT_EQ(r.flags, int64_t(c.flags));
        EXPECT_EQ(r.user_agent, c.user_agent);
        EXPECT_EQ(r.replicate, c.replicate);
        EXPECT_EQ(r.state, 0);
    }
    // The table holds exactly the contacts of `aors` in memory (no use_domain).
    void expect_table_is_memory(api::UsrlocDomain* d, const std::vector<std::string>& aors) {
        size_t contacts = 0;
        auto rows = sql->rows();
        for (const auto& aor : aors) {
            for (const auto& c : ul->get(d, aor, false)) {
                ++contacts;
                auto r = sql->row(aor, c.uri);
                ASSERT_TRUE(r) << aor << " " << c.uri;
                expect_same(c, *r);
            }
        }
        EXPECT_EQ(rows.size(), contacts);
    }
    // The State line of each contact in ul_dump, in dump order.
    std::vector<std::string> states() {
        std::vector<std::string> out;
        const std::string dump = ul->fifo("ul_dump");
        for (size_t at = dump.find("State     : "); at != std::string::npos; at = dump.find("State     : ", at + 1))
            out.push_back(dump.substr(at + 12, dump.find('\n', at) - at - 12));
        return out;
    }

    std::filesystem::path dir;
    std::string url;
    std::unique_ptr<Sql> sql;
    std::unique_ptr<Ul> ul;
};

}  // namespace ser::test
