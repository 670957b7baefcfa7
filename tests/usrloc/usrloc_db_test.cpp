// usrloc's database modes (modules.md §6.1, §6.3, §6.4) on a real SQLite file
// made by tools/ser-db: what write-through and write-back put in `location`
// and when, the preload at start-up, expiry, database-only mode 3 (the
// table as the only store, shared by two instances), database failures, and
// edits that do not wait for a write-back flush stuck on the database.
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "runtime/core/server.hpp"
#include "tests/registrar/reg_harness.hpp"
#include "tests/usrloc/ul_db_harness.hpp"

namespace ser::test {
namespace {

using api::ContactInfo;

const std::string kUseDomain = "modparam(\"usrloc\", \"use_domain\", 1)\n";

ContactInfo full_contact(const std::string& uri) {
    ContactInfo c = contact(uri, 250, 600, api::kFlNat);
    c.received = "sip:198.51.100.7:40012";
    c.callid = "reg-call-1@10.0.0.1";
    c.user_agent = "Phone/1.0";
    c.cseq = 7;
    return c;
}

// ---- db_mode 1: write-through ------------------------------------------------

TEST_F(UsrlocDb, WriteThroughInsertUpdateDeleteReachTheTableAtOnce) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(1, kUseDomain)) << ul->errors();
    auto* d = ul->domain("location");

    ContactInfo c = full_contact("sip:alice@10.0.0.1:5060");
    ASSERT_TRUE(ul->put(d, "alice@example.com", c));
    auto rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].username, "alice");
    EXPECT_EQ(rows[0].domain, "example.com");
    expect_row(rows[0], c);

    // Every column follows an update; a received no longer given is NULL.
    ContactInfo u = contact("sip:alice@10.0.0.1:5060", 1000, 1200);
    u.callid = "reg-call-2@10.0.0.1";
    u.user_agent = "Phone/2.0";
    u.cseq = 8;
    ASSERT_TRUE(ul->put(d, "alice@example.com", u));
    rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    expect_row(rows[0], u);

    // A deletion marks the row deleted at once and removes it at the next run.
    ASSERT_TRUE(ul->rm(d, "alice@example.com", "sip:alice@10.0.0.1:5060"));
    EXPECT_TRUE(ul->get(d, "alice@example.com", false).empty());
    rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].state, 1);
    ul->tick();
    EXPECT_TRUE(sql->rows().empty());
    EXPECT_FALSE(ul->exists(d, "alice@example.com"));
}

TEST_F(UsrlocDb, WriteThroughWithoutUseDomainAndMemoryOnlyContacts) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(1)) << ul->errors();
    auto* d = ul->domain("location");
    ContactInfo plain = contact("sip:bob@10.0.0.2");   // q unspecified, no received
    plain.replicate = 3;
    ASSERT_TRUE(ul->put(d, "bob", plain));
    ContactInfo perm = contact("sip:bob@10.0.0.3", 100, 0, api::kFlPermanent | api::kFlNat);
    perm.expires = 0;
    ASSERT_TRUE(ul->put(d, "bob", perm));
    ASSERT_TRUE(ul->put(d, "bob", contact("sip:bob@10.0.0.4", 500, 600, api::kFlMem)));   // save_memory

    auto rows = sql->rows();
    ASSERT_EQ(rows.size(), 2u);
    for (const auto& r : rows) {
        EXPECT_EQ(r.username, "bob");
        EXPECT_EQ(r.domain, "");   // not written without use_domain
    }
    expect_row(rows[0], plain);
    expect_row(rows[1], perm);
    EXPECT_EQ(ul->get(d, "bob").size(), 3u);

    // An FL_MEM contact saved normally later gets its row.
    ASSERT_TRUE(ul->put(d, "bob", contact("sip:bob@10.0.0.4", 500, 600)));
    EXPECT_EQ(sql->rows().size(), 3u);
}

// ---- db_mode 2: write-back ----------------------------------------------------

TEST_F(UsrlocDb, WriteBackWritesNothingBeforeTheTick) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(2)) << ul->errors();
    auto* d = ul->domain("location");
    ASSERT_TRUE(ul->put(d, "alice", full_contact("sip:alice@10.0.0.1")));
    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@10.0.0.9", 1000)));
    ASSERT_TRUE(ul->put(d, "bob", contact("sip:bob@10.0.0.2")));
    EXPECT_TRUE(sql->rows().empty());
    EXPECT_EQ(states(), (std::vector<std::string>(3, "CS_NEW")));

    ul->tick();
    expect_table_is_memory(d, {"alice", "bob"});
    EXPECT_EQ(states(), (std::vector<std::string>(3, "CS_SYNC")));

    // Updates and deletions wait for the next run too.
    ContactInfo u = contact("sip:bob@10.0.0.2", 300, 900);
    u.cseq = 2;
    ASSERT_TRUE(ul->put(d, "bob", u));
    ASSERT_TRUE(ul->rm(d, "alice", "sip:alice@10.0.0.9"));
    EXPECT_EQ(sql->row("bob", "sip:bob@10.0.0.2").value().cseq, 1);
    EXPECT_TRUE(sql->row("alice", "sip:alice@10.0.0.9"));
    ul->tick();
    expect_table_is_memory(d, {"alice", "bob"});
    EXPECT_FALSE(sql->row("alice", "sip:alice@10.0.0.9"));
    EXPECT_EQ(sql->row("bob", "sip:bob@10.0.0.2").value().cseq, 2);
}

TEST_F(UsrlocDb, WriteBackWritesAContactChangedTwiceOnceWithTheFinalValues) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(2)) << ul->errors();
    ASSERT_TRUE(sql->count_writes());
    auto* d = ul->domain("location");
    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@10.0.0.1")));
    ul->tick();
    ASSERT_EQ(sql->writes('i'), 1);

    ContactInfo second = full_contact("sip:alice@10.0.0.1");
    second.cseq = 2;
    ASSERT_TRUE(ul->put(d, "alice", second));
    ContactInfo third = contact("sip:alice@10.0.0.1", 750, 1800);
    third.callid = "reg-call-3";
    third.cseq = 3;
    ASSERT_TRUE(ul->put(d, "alice", third));
    // Never written, changed and deleted between two runs: no statement.
    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@10.0.0.5")));
    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@10.0.0.5", 10)));
    ASSERT_TRUE(ul->rm(d, "alice", "sip:alice@10.0.0.5"));
    sql->clear_writes();

    ul->tick();
    EXPECT_EQ(sql->writes('u'), 1);
    EXPECT_EQ(sql->writes('i'), 0);
    EXPECT_EQ(sql->writes('d'), 0);
    auto rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    expect_row(rows[0], third);

    ul->tick();   // nothing changed: nothing written
    EXPECT_EQ(sql->writes('u'), 1);
}

TEST_F(UsrlocDb, WriteBackShutdownFlushesAndTheNextStartLoads) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(2, kUseDomain)) << ul->errors();
    auto* d = ul->domain("location");
    ContactInfo c = full_contact("sip:carol@10.0.0.3");
    ASSERT_TRUE(ul->put(d, "carol@example.org", c));
    EXPECT_TRUE(sql->rows().empty());
    ASSERT_TRUE(restart(2, kUseDomain)) << ul->errors();
    auto rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].username, "carol");
    EXPECT_EQ(rows[0].domain, "example.org");
    expect_row(rows[0], c);
    d = ul->domain("location");
    auto got = ul->get(d, "carol@example.org");
    ASSERT_EQ(got.size(), 1u);
    expect_same(got[0], rows[0]);
}

// A deleted contact registered again before the timer ran keeps its row.
TEST_F(UsrlocDb, RegisteringADeletedContactAgainKeepsItsRow) {
    LogLevelGuard quiet{L_WARN};
    for (int mode : {1, 2}) {
        SCOPED_TRACE("db_mode " + std::to_string(mode));
        ASSERT_TRUE(sql->exec("delete from location"));
        ASSERT_TRUE(start(mode)) << ul->errors();
        auto* d = ul->domain("location");
        ASSERT_TRUE(ul->put(d, "frank", contact("sip:frank@10.0.0.1")));
        ul->tick();
        ASSERT_TRUE(ul->rm(d, "frank", "sip:frank@10.0.0.1"));
        EXPECT_EQ(sql->row("frank", "sip:frank@10.0.0.1").value().state, mode == 1 ? 1 : 0);
        ContactInfo again = contact("sip:frank@10.0.0.1", 200, 900);
        again.cseq = 4;
        ASSERT_TRUE(ul->put(d, "frank", again));
        ul->tick();
        auto rows = sql->rows();
        ASSERT_EQ(rows.size(), 1u);
        expect_row(rows[0], again);
        EXPECT_EQ(ul->uris(d, "frank"), (std::vector<std::string>{"sip:frank@10.0.0.1"}));
    }
}

// ---- expiry on the timer --------------------------------------------------------

TEST_F(UsrlocDb, ExpiryDeletesFromMemoryAndTableButKeepsPermanentContacts) {
    LogLevelGuard quiet{L_WARN};
    for (int mode : {1, 2}) {
        SCOPED_TRACE("db_mode " + std::to_string(mode));
        ASSERT_TRUE(sql->exec("delete from location"));
        ASSERT_TRUE(start(mode)) << ul->errors();
        auto* d = ul->domain("location");
        ASSERT_TRUE(ul->put(d, "dave", contact("sip:dave@10.0.0.1", 500, 30)));
        ASSERT_TRUE(ul->put(d, "dave", contact("sip:dave@10.0.0.2", 500, 3600)));
        ContactInfo perm = contact("sip:dave@10.0.0.3", 500, 0, api::kFlPermanent);
        perm.expires = 0;
        ASSERT_TRUE(ul->put(d, "dave", perm));
        ASSERT_TRUE(ul->put(d, "erin", contact("sip:erin@10.0.0.4", 500, 30)));
        ul->tick();
        ASSERT_EQ(sql->rows().size(), 4u);

        ul->tick(120);   // two minutes later
        EXPECT_EQ(ul->uris(d, "dave", false), (std::vector<std::string>{"sip:dave@10.0.0.2", "sip:dave@10.0.0.3"}));
        EXPECT_FALSE(ul->exists(d, "erin"));
        auto rows = sql->rows();
        ASSERT_EQ(rows.size(), 2u);
        EXPECT_EQ(rows[0].contact, "sip:dave@10.0.0.2");
        EXPECT_EQ(rows[1].contact, "sip:dave@10.0.0.3");
        EXPECT_EQ(ul->fifo("ul_stats"), "200 ok\nDomain Registered Expired\n'location' 1 2\n");

        ul->tick(365L * 86400);   // a year later: only the permanent one
        EXPECT_EQ(ul->uris(d, "dave", false), (std::vector<std::string>{"sip:dave@10.0.0.3"}));
        rows = sql->rows();
        ASSERT_EQ(rows.size(), 1u);
        expect_row(rows[0], perm);
    }
}

// ---- start-up load ----------------------------------------------------------------

LocRow row_of(std::string user, std::string contact, long expires_in, double q = -1, int64_t flags = 0) {
    LocRow r;
    r.username = std::move(user);
    r.contact = std::move(contact);
    r.expires = time(nullptr) + expires_in;
    r.q = q;
    r.callid = "loaded-" + r.contact;
    r.cseq = 5;
    r.flags = flags;
    r.user_agent = "Loaded UA";
    return r;
}

TEST_F(UsrlocDb, StartUpLoadsEveryRowWithEveryField) {
    LogLevelGuard quiet{L_WARN};
    for (int mode : {1, 2}) {
        SCOPED_TRACE("db_mode " + std::to_string(mode));
        ASSERT_TRUE(sql->exec("delete from location"));
        LocRow a = row_of("alice", "sip:alice@10.0.0.1:5060", 600, 0.25, api::kFlNat);
        a.received = "sip:198.51.100.7:40012";
        a.replicate = 2;
        a.cseq = 99;
        LocRow b = row_of("alice", "sip:alice@10.0.0.2", 900, 1.0);
        LocRow c = row_of("alice", "sip:alice@10.0.0.3", 900);   // q unspecified: last
        LocRow perm = row_of("alice", "sip:alice@10.0.0.4", 0, 0.5, api::kFlPermanent);
        perm.expires = 0;
        LocRow expired = row_of("alice", "sip:alice@10.0.0.5", -100, 0.5);
        LocRow deleted = row_of("bob", "sip:bob@10.0.0.6", 900, 0.5);
        deleted.state = 1;   // a deleted row of write-through not yet removed
        for (const auto& r : {a, b, c, perm, expired, deleted}) ASSERT_TRUE(sql->insert_row(r));
        ASSERT_TRUE(sql->count_writes());

        ASSERT_TRUE(start(mode)) << ul->errors();
        auto* d = ul->domain("location");
        auto got = ul->get(d, "alice");
        ASSERT_EQ(got.size(), 4u);
        EXPECT_EQ(got[0].uri, b.contact);
        EXPECT_EQ(got[1].uri, perm.contact);
        EXPECT_EQ(got[2].uri, a.contact);
        EXPECT_EQ(got[3].uri, c.contact);
        expect_same(got[0], b);
        expect_same(got[1], perm);
        expect_same(got[2], a);
        expect_same(got[3], c);
        EXPECT_EQ(got[2].q, 250);
        EXPECT_EQ(got[3].q, api::kQUnspecified);
        // The expired row is loaded but invisible; the deleted one is a zombie.
        EXPECT_EQ(ul->get(d, "alice", false).size(), 5u);
        EXPECT_TRUE(ul->get(d, "bob", false).empty());
        EXPECT_FALSE(ul->exists(d, "carol"));

        // The first run deletes both rows and rewrites nothing else.
        ul->tick();
        EXPECT_EQ(sql->writes('d'), 2);
        EXPECT_EQ(sql->writes('u'), 0);
        EXPECT_EQ(sql->writes('i'), 0);
        EXPECT_FALSE(sql->row("alice", expired.contact));
        EXPECT_FALSE(sql->row("bob", deleted.contact));
        EXPECT_EQ(sql->rows().size(), 4u);
        EXPECT_EQ(ul->get(d, "alice", false).size(), 4u);
        EXPECT_FALSE(ul->exists(d, "bob"));

        // Loaded contacts are in sync: an update writes them as any other.
        ContactInfo u = contact(b.contact, 100, 60);
        u.cseq = 100;
        ASSERT_TRUE(ul->put(d, "alice", u));
        ul->tick();
        EXPECT_EQ(sql->row("alice", b.contact).value().cseq, 100);
        ul->shutdown();
    }
}

TEST_F(UsrlocDb, StartUpWithUseDomainJoinsUsernameAndDomain) {
    LogLevelGuard quiet{L_WARN};
    LocRow a = row_of("alice", "sip:alice@10.0.0.1", 600);
    a.domain = "example.com";
    LocRow b = row_of("alice", "sip:alice@10.0.0.2", 600);
    b.domain = "example.org";
    ASSERT_TRUE(sql->insert_row(a));
    ASSERT_TRUE(sql->insert_row(b));
    ASSERT_TRUE(start(1, kUseDomain)) << ul->errors();
    auto* d = ul->domain("location");
    EXPECT_EQ(ul->uris(d, "alice@example.com"), (std::vector<std::string>{"sip:alice@10.0.0.1"}));
    EXPECT_EQ(ul->uris(d, "alice@example.org"), (std::vector<std::string>{"sip:alice@10.0.0.2"}));
    EXPECT_FALSE(ul->exists(d, "alice"));
    // The delete names the domain: the other domain's row stays.
    ASSERT_TRUE(ul->rm(d, "alice@example.com", "sip:alice@10.0.0.1"));
    ul->tick();
    auto rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].domain, "example.org");
}

TEST_F(UsrlocDb, StartUpRefusesUnknownAndOldTables) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(1)) << ul->errors();
    std::string e;
    testing::internal::CaptureStderr();
    // No such table (no row in `version` either).
    EXPECT_EQ(ul->api->register_domain("nosuch", e), nullptr);
    EXPECT_NE(e.find("'nosuch'"), std::string::npos) << e;
    EXPECT_NE(e.find("Invalid table version"), std::string::npos) << e;
    EXPECT_NE(e.find("no row in table 'version'"), std::string::npos) << e;
    // A version row but no table.
    ASSERT_TRUE(sql->exec("insert into version (table_name, table_version) values ('ghost', 6)"));
    e.clear();
    EXPECT_EQ(ul->api->register_domain("ghost", e), nullptr);
    EXPECT_NE(e.find("Error while preloading domain 'ghost'"), std::string::npos) << e;
    // A table of an older schema.
    ASSERT_TRUE(sql->exec("update version set table_version = 5 where table_name = 'aliases'"));
    e.clear();
    EXPECT_EQ(ul->api->register_domain("aliases", e), nullptr);
    EXPECT_NE(e.find("Invalid table version"), std::string::npos) << e;
    EXPECT_NE(e.find("5, 6 needed"), std::string::npos) << e;
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("no such table"), std::string::npos) << log;   // the driver's message for 'ghost'
    EXPECT_NE(ul->api->register_domain("location", e), nullptr) << e;
}

// ---- db_mode 3: database only ---------------------------------------------------------

// modules.md §6.1: 0.9 has no db_mode 3 (the 2006 trunk's is read-only);
// this usrloc takes it as later SER/Kamailio do: the table is the only
// store, read at every use, so instances can share it.

const std::string kDbOnlyTable = "location";

TEST_F(UsrlocDb, DbOnlyGetReadsRowsWrittenBehindItsBack) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(3)) << ul->errors();
    auto* d = ul->domain(kDbOnlyTable);
    EXPECT_FALSE(ul->exists(d, "alice"));

    // Rows another ser (or serctl) wrote after this one started.
    LocRow a = row_of("alice", "sip:alice@10.0.0.1:5060", 600, 0.25, api::kFlNat);
    a.received = "sip:198.51.100.7:40012";
    a.replicate = 2;
    a.cseq = 99;
    LocRow b = row_of("alice", "sip:alice@10.0.0.2", 900, 1.0);
    LocRow c = row_of("alice", "sip:alice@10.0.0.3", 900);   // q unspecified: last
    LocRow perm = row_of("alice", "sip:alice@10.0.0.4", 0, 0.5, api::kFlPermanent);
    perm.expires = 0;
    LocRow expired = row_of("alice", "sip:alice@10.0.0.5", -100, 0.5);
    LocRow deleted = row_of("alice", "sip:alice@10.0.0.6", 900, 0.75);
    deleted.state = 1;   // a deleted row a write-through ser has not removed yet
    LocRow other = row_of("bob", "sip:bob@10.0.0.7", 900);
    for (const auto& r : {a, b, c, perm, expired, deleted, other}) ASSERT_TRUE(sql->insert_row(r));

    auto got = ul->get(d, "alice");
    ASSERT_EQ(got.size(), 4u);
    expect_same(got[0], b);
    expect_same(got[1], perm);
    expect_same(got[2], a);
    expect_same(got[3], c);
    EXPECT_EQ(got[2].q, 250);
    EXPECT_EQ(got[3].q, api::kQUnspecified);
    EXPECT_TRUE(got[2].socket.empty());   // the table has no column for it
    // The expired row is returned when asked for; the deleted one never.
    auto all = ul->get(d, "alice", false);
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(all[2].uri, expired.contact);
    EXPECT_EQ(ul->uris(d, "bob"), (std::vector<std::string>{other.contact}));

    // Nothing is kept between calls: the next get sees every change of the table.
    ASSERT_TRUE(sql->exec("delete from location where contact = 'sip:alice@10.0.0.2'"));
    ASSERT_TRUE(sql->exec("update location set cseq = 5000 where contact = 'sip:alice@10.0.0.1:5060'"));
    got = ul->get(d, "alice");
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].uri, perm.contact);
    EXPECT_EQ(got[1].cseq, 5000u);
    ASSERT_TRUE(sql->exec("delete from location where username = 'alice'"));
    EXPECT_FALSE(ul->exists(d, "alice"));
    EXPECT_TRUE(ul->exists(d, "bob"));
}

TEST_F(UsrlocDb, DbOnlyUseDomainReadsTheAorsDomainOnly) {
    LogLevelGuard quiet{L_WARN};
    LocRow a = row_of("alice", "sip:alice@10.0.0.1", 600);
    a.domain = "example.com";
    LocRow b = row_of("alice", "sip:alice@10.0.0.2", 600);
    b.domain = "example.org";
    ASSERT_TRUE(sql->insert_row(a));
    ASSERT_TRUE(sql->insert_row(b));
    ASSERT_TRUE(start(3, kUseDomain)) << ul->errors();
    auto* d = ul->domain(kDbOnlyTable);
    EXPECT_EQ(ul->uris(d, "alice@example.com"), (std::vector<std::string>{a.contact}));
    EXPECT_EQ(ul->uris(d, "alice@example.org"), (std::vector<std::string>{b.contact}));
    EXPECT_FALSE(ul->exists(d, "alice"));
    // The delete names the domain: the other domain's row stays.
    ASSERT_TRUE(ul->rm(d, "alice@example.com", a.contact));
    auto rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].domain, "example.org");
}

TEST_F(UsrlocDb, DbOnlyStartUpChecksTheVersionAndLoadsNothing) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(sql->insert_row(row_of("alice", "sip:alice@10.0.0.1", 600)));
    ASSERT_TRUE(start(3)) << ul->errors();
    std::string e;
    auto* d = ul->api->register_domain(kDbOnlyTable, e);
    ASSERT_NE(d, nullptr) << e;
    EXPECT_EQ(ul->api->register_domain("nosuch", e), nullptr);
    EXPECT_NE(e.find("Invalid table version"), std::string::npos) << e;
    EXPECT_TRUE(ul->exists(d, "alice"));
    // Nothing was loaded at registration: the row deleted behind usrloc's
    // back is gone for it too.
    ASSERT_TRUE(sql->exec("delete from location"));
    EXPECT_FALSE(ul->exists(d, "alice"));
}

TEST_F(UsrlocDb, DbOnlyEditWritesEveryChangeToTheTableAtOnce) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(sql->count_writes());
    ASSERT_TRUE(start(3, kUseDomain)) << ul->errors();
    auto* d = ul->domain(kDbOnlyTable);

    ContactInfo c = full_contact("sip:alice@10.0.0.1:5060");
    c.replicate = 3;
    ASSERT_TRUE(ul->put(d, "alice@example.com", c));
    auto rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].username, "alice");
    EXPECT_EQ(rows[0].domain, "example.com");
    expect_row(rows[0], c);
    EXPECT_EQ(sql->writes('i'), 1);

    // Every column follows an update (replicate stays); a received no
    // longer given is NULL.
    ContactInfo u = contact("sip:alice@10.0.0.1:5060", 1000, 1200);
    u.callid = "reg-call-2@10.0.0.1";
    u.user_agent = "Phone/2.0";
    u.cseq = 8;
    u.replicate = 3;
    ASSERT_TRUE(ul->put(d, "alice@example.com", u));
    rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    expect_row(rows[0], u);
    EXPECT_EQ(sql->writes('u'), 1);
    expect_same(ul->get(d, "alice@example.com").at(0), rows[0]);

    // One edit as registrar's save of two Contacts: the record holds what
    // the table holds, and each change is one statement.
    LocRow elsewhere = row_of("alice", "sip:alice@10.0.0.9", 600);
    elsewhere.domain = "example.org";
    ASSERT_TRUE(sql->insert_row(elsewhere));
    ASSERT_TRUE(sql->clear_writes());
    ContactInfo second = contact("sip:alice@10.0.0.2", 500, 600);
    std::string e;
    ASSERT_TRUE(ul->api->edit(d, "alice@example.com", [&](api::Record& r) {
        EXPECT_TRUE(r.has(u.uri));
        EXPECT_FALSE(r.has(elsewhere.contact));
        EXPECT_EQ(r.valid_count(time(nullptr)), 1u);
        if (!r.insert(second) || !r.remove(u.uri)) return false;
        std::vector<api::Contact> now_in;
        r.contacts(now_in, time(nullptr), true);
        EXPECT_EQ(now_in.size(), 1u);
        return true;
    }, e)) << e;
    EXPECT_EQ(sql->writes('i'), 1);
    EXPECT_EQ(sql->writes('d'), 1);
    EXPECT_EQ(sql->writes('u'), 0);
    auto kept = sql->row("alice", second.uri);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->domain, "example.com");
    expect_row(*kept, second);
    EXPECT_EQ(sql->rows().size(), 2u);   // the deleted row is gone, not marked (state 1)

    // Contact: * removes the AOR's rows; the other domain's stays.
    ASSERT_TRUE(ul->api->edit(d, "alice@example.com", [](api::Record& r) { return r.remove_all(); }, e)) << e;
    EXPECT_FALSE(ul->exists(d, "alice@example.com"));
    rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].domain, "example.org");

    // save_memory: FL_MEM contacts are never written, and no memory keeps them.
    ASSERT_TRUE(ul->put(d, "bob@example.com", contact("sip:bob@10.0.0.3", 500, 600, api::kFlMem)));
    EXPECT_FALSE(ul->exists(d, "bob@example.com"));
    EXPECT_EQ(sql->rows().size(), 1u);
}

TEST_F(UsrlocDb, DbOnlyTwoInstancesShareTheTable) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(3)) << ul->errors();
    auto other = another(3);
    ASSERT_TRUE(other->api);
    auto* da = ul->domain(kDbOnlyTable);
    auto* db = other->domain(kDbOnlyTable);

    ContactInfo first = full_contact("sip:alice@10.0.0.1");
    ASSERT_TRUE(ul->put(da, "alice", first));
    auto seen = other->get(db, "alice");
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].received, first.received);
    EXPECT_EQ(seen[0].cseq, first.cseq);

    // The other registers a second phone of alice, before the first (q).
    ASSERT_TRUE(other->put(db, "alice", contact("sip:alice@10.0.0.2", 900, 600)));
    EXPECT_EQ(ul->uris(da, "alice"), (std::vector<std::string>{"sip:alice@10.0.0.2", "sip:alice@10.0.0.1"}));
    // A refresh through the other ser is what this one reads next.
    ContactInfo refresh = full_contact("sip:alice@10.0.0.1");
    refresh.cseq = 8;
    ASSERT_TRUE(other->put(db, "alice", refresh));
    EXPECT_EQ(ul->get(da, "alice").at(1).cseq, 8u);

    // An edit here counts the other's contacts (registrar's max_contacts).
    std::string e;
    ASSERT_TRUE(ul->api->edit(da, "alice", [&](api::Record& r) {
        EXPECT_EQ(r.valid_count(time(nullptr)), 2u);
        return r.remove("sip:alice@10.0.0.2");
    }, e)) << e;
    EXPECT_EQ(other->uris(db, "alice"), (std::vector<std::string>{"sip:alice@10.0.0.1"}));
    ASSERT_TRUE(other->put(db, "bob", contact("sip:bob@10.0.0.3")));
    EXPECT_TRUE(ul->exists(da, "bob"));
    ASSERT_TRUE(other->api->edit(db, "alice", [](api::Record& r) { return r.remove_all(); }, e)) << e;
    EXPECT_FALSE(ul->exists(da, "alice"));
    EXPECT_EQ(sql->rows().size(), 1u);
    other.reset();
}

// Workers of one ser edit one AOR at once: each edit reads, decides and
// writes under the AOR's slot lock, so a limit of 10 contacts (registrar's
// max_contacts rule) holds although 30 are offered.
TEST_F(UsrlocDb, DbOnlyEditsOfOneAorFollowEachOtherInAProcess) {
    LogLevelGuard quiet{L_WARN};
    constexpr int kWorkers = 3;
    ASSERT_TRUE(start(3, "", kWorkers + 1, 60000)) << ul->errors();
    auto* d = ul->domain(kDbOnlyTable);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWorkers; ++w) {
        threads.emplace_back([&, w] {
            rt::Server::set_worker_index(1 + w);
            for (int i = 0; i < 10; ++i) {
                ContactInfo c = contact("sip:w" + std::to_string(w) + "@10.0.0." + std::to_string(i), 500);
                std::string e;
                const bool ok = ul->api->edit(d, "shared", [&](api::Record& r) {
                    return r.valid_count(time(nullptr)) >= 10 || r.insert(c);
                }, e);
                if (!ok) ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(sql->rows().size(), 10u);
    EXPECT_EQ(ul->get(d, "shared").size(), 10u);
}

TEST_F(UsrlocDb, DbOnlyTimerDeletesExpiredRows) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(3)) << ul->errors();
    auto* d = ul->domain(kDbOnlyTable);
    ASSERT_TRUE(ul->put(d, "dave", contact("sip:dave@10.0.0.1", 500, 30)));
    ASSERT_TRUE(ul->put(d, "dave", contact("sip:dave@10.0.0.2", 500, 3600)));
    ContactInfo perm = contact("sip:dave@10.0.0.3", 500, 0, api::kFlPermanent);
    perm.expires = 0;
    ASSERT_TRUE(ul->put(d, "dave", perm));
    ASSERT_TRUE(ul->put(d, "erin", contact("sip:erin@10.0.0.4", 500, 30)));
    LocRow replicated = row_of("rita", "sip:rita@10.0.0.5", -100);
    replicated.replicate = 1;   // kept, as memory keeps it
    LocRow zombie = row_of("zed", "sip:zed@10.0.0.6", -100);
    zombie.state = 1;   // deleted already: removed, not counted
    ASSERT_TRUE(sql->insert_row(replicated));
    ASSERT_TRUE(sql->insert_row(zombie));

    ul->tick();
    EXPECT_EQ(sql->rows().size(), 5u);
    EXPECT_FALSE(sql->row("zed", zombie.contact));
    EXPECT_EQ(ul->fifo("ul_stats"), "200 ok\nDomain Registered Expired\n'location' 3 0\n");

    ul->tick(120);   // two minutes later
    auto rows = sql->rows();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].contact, "sip:dave@10.0.0.2");
    EXPECT_EQ(rows[1].contact, "sip:dave@10.0.0.3");
    EXPECT_EQ(rows[2].contact, replicated.contact);
    EXPECT_EQ(ul->fifo("ul_stats"), "200 ok\nDomain Registered Expired\n'location' 2 2\n");

    // ul_flush runs the same work; a year later only the permanent one and
    // the replicated one are left.
    ASSERT_TRUE(sql->exec("update location set expires = '2001-01-01 00:00:00' where contact = 'sip:dave@10.0.0.2'"));
    EXPECT_EQ(ul->fifo("ul_flush"), "200 ul_flush completed\n");
    EXPECT_EQ(ul->uris(d, "dave", false), (std::vector<std::string>{"sip:dave@10.0.0.3"}));
    ul->tick(365L * 86400);
    rows = sql->rows();
    ASSERT_EQ(rows.size(), 2u);
    expect_row(rows[0], perm);
    EXPECT_EQ(rows[1].contact, replicated.contact);
}

TEST_F(UsrlocDb, DbOnlyDatabaseFailuresFailEditsAndGetsWithoutACrash) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(3, "", 1, 0)) << ul->errors();   // busy_timeout 0: a lock fails at once
    auto* d = ul->domain(kDbOnlyTable);
    ContactInfo first = contact("sip:alice@10.0.0.1", 500, 30);
    ASSERT_TRUE(ul->put(d, "alice", first));

    ASSERT_TRUE(sql->exec("begin immediate"));   // every write is refused now
    testing::internal::CaptureStderr();
    std::string e;
    EXPECT_FALSE(ul->put(d, "alice", contact("sip:alice@10.0.0.2"), &e));
    EXPECT_EQ(e, "usrloc_contact_insert failed");
    ContactInfo refresh = contact("sip:alice@10.0.0.1", 500, 3600);
    refresh.cseq = 2;
    EXPECT_FALSE(ul->put(d, "alice", refresh, &e));
    EXPECT_EQ(e, "usrloc_contact_update failed");
    EXPECT_FALSE(ul->api->edit(d, "alice", [](api::Record& r) { return r.remove("sip:alice@10.0.0.1"); }, e));
    EXPECT_EQ(e, "usrloc_contact_delete failed");
    // Reads still work (WAL): the table is unchanged.
    auto got = ul->get(d, "alice");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].cseq, 1u);
    ul->tick(120);   // the expired row cannot be deleted
    std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("database is locked"), std::string::npos) << log;
    EXPECT_NE(log.find("usrloc: 1 database statement(s) of the timer failed"), std::string::npos) << log;
    ASSERT_TRUE(sql->exec("commit"));
    ul->tick(120);   // the next run deletes it
    EXPECT_TRUE(sql->rows().empty());

    // The table gone: no record, edits fail before their function runs.
    ASSERT_TRUE(ul->put(d, "alice", first));
    ASSERT_TRUE(sql->exec("drop table location"));
    testing::internal::CaptureStderr();
    EXPECT_FALSE(ul->exists(d, "alice"));
    bool ran = false;
    EXPECT_FALSE(ul->api->edit(d, "alice", [&](api::Record&) { return ran = true; }, e));
    EXPECT_FALSE(ran);
    EXPECT_EQ(e, "usrloc_record_get failed");
    std::vector<api::PingTarget> pings;
    ul->api->ping_targets(api::kFlNat, pings);
    EXPECT_TRUE(pings.empty());
    ul->tick();
    EXPECT_EQ(ul->fifo("ul_dump"), "500 Error while reading table 'location'\n");
    EXPECT_EQ(ul->fifo("ul_stats"), "500 Error while reading table 'location'\n");
    EXPECT_EQ(ul->fifo("ul_show_contact", {"location", "alice"}), "500 Error while reading table 'location'\n");
    EXPECT_EQ(ul->fifo("ul_rm", {"location", "alice"}), "500 Error while deleting user alice\n");
    EXPECT_EQ(ul->fifo("ul_rm_contact", {"location", "alice", "sip:alice@10.0.0.1"}),
              "500 ul_rm_contact: Error while deleting contact sip:alice@10.0.0.1\n");
    EXPECT_EQ(ul->fifo("ul_add", {"location", "alice", "sip:alice@10.0.0.1", "60", "1", "0", "0"}).substr(0, 33),
              "500 Error while adding contact\n (");
    log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("no such table"), std::string::npos) << log;
}

TEST_F(UsrlocDb, DbOnlyFifoCommandsWorkOnTheTable) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(3)) << ul->errors();
    ul->domain(kDbOnlyTable);
    ASSERT_TRUE(sql->insert_row(row_of("carol", "sip:carol@10.0.0.4", 600, 0.5)));

    EXPECT_EQ(ul->fifo("ul_add", {"location", "Alice@example.com", "sip:alice@10.0.0.1", "600", "0.5", "0", "1"}),
              "200 Added to table\n('alice','sip:alice@10.0.0.1') to 'location'\n");
    auto r = sql->row("alice", "sip:alice@10.0.0.1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->callid, "The-Answer-To-The-Ultimate-Question-Of-Life-Universe-And-Everything");
    EXPECT_EQ(r->cseq, 42);
    EXPECT_EQ(r->user_agent, "SIP Express Router FIFO");
    EXPECT_EQ(r->flags, 1);
    EXPECT_DOUBLE_EQ(r->q, 0.5);
    // Again: the row is updated, its flags OR-ed.
    EXPECT_EQ(ul->fifo("ul_add", {"location", "alice", "sip:alice@10.0.0.1", "900", "1", "4", "128"}),
              "200 Added to table\n('alice','sip:alice@10.0.0.1') to 'location'\n");
    r = sql->row("alice", "sip:alice@10.0.0.1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->flags, 129);
    EXPECT_EQ(r->replicate, 4);
    EXPECT_DOUBLE_EQ(r->q, 1.0);

    const std::string shown = ul->fifo("ul_show_contact", {"location", "carol"});
    EXPECT_EQ(shown.rfind("200 OK\n<sip:carol@10.0.0.4>;q=0.5;expires=", 0), 0u) << shown;
    EXPECT_EQ(ul->fifo("ul_show_contact", {"location", "nobody"}), "404 Username nobody in table location not found\n");

    const std::string dump = ul->fifo("ul_dump");
    EXPECT_EQ(dump.rfind("200 ok\n===Domain list===\n---Domain---\nname : 'location'\n", 0), 0u) << dump;
    EXPECT_NE(dump.find("    n    : 2\n"), std::string::npos) << dump;
    EXPECT_NE(dump.find("aor   : 'alice'\n"), std::string::npos) << dump;
    EXPECT_NE(dump.find("Contact   : 'sip:carol@10.0.0.4'\n"), std::string::npos) << dump;
    EXPECT_NE(dump.find("Call-ID   : 'loaded-sip:carol@10.0.0.4'\n"), std::string::npos) << dump;
    EXPECT_EQ(states(), (std::vector<std::string>(2, "CS_SYNC")));
    EXPECT_EQ(ul->fifo("ul_stats"), "200 ok\nDomain Registered Expired\n'location' 2 0\n");

    EXPECT_EQ(ul->fifo("ul_rm_contact", {"location", "alice", "sip:alice@10.0.0.1"}),
              "200 Contact (alice, sip:alice@10.0.0.1) deleted from table location\n");
    EXPECT_FALSE(sql->row("alice", "sip:alice@10.0.0.1"));
    EXPECT_EQ(ul->fifo("ul_rm_contact", {"location", "alice", "sip:alice@10.0.0.1"}),
              "404 Username alice in table location not found\n");
    EXPECT_EQ(ul->fifo("ul_rm", {"location", "carol"}), "200 user (location, carol) deleted\n");
    EXPECT_TRUE(sql->rows().empty());
    EXPECT_NE(ul->fifo("ul_dump").find("    n    : 0\n"), std::string::npos);
}

TEST_F(UsrlocDb, DbOnlyPingTargetsReadTheTables) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(3)) << ul->errors();
    ul->domain(kDbOnlyTable);
    ul->domain("aliases");
    LocRow behind = row_of("alice", "sip:alice@10.0.0.1", 600, 0.5, api::kFlNat);
    behind.received = "sip:198.51.100.7:40012";
    LocRow nat = row_of("bob", "sip:bob@10.0.0.2", -100, 0.5, api::kFlNat | api::kFlPermanent);
    LocRow open = row_of("carol", "sip:carol@10.0.0.3", 600);
    for (const auto& r : {behind, nat, open}) ASSERT_TRUE(sql->insert_row(r));
    ASSERT_TRUE(sql->exec("insert into aliases (username, domain, contact, callid, user_agent, flags) "
                          "values ('dave', '', 'sip:dave@10.0.0.4', 'c', 'ua', 1)"));

    std::vector<api::PingTarget> out;
    ul->api->ping_targets(api::kFlNat, out);
    std::vector<std::string> uris;
    for (const auto& t : out) {
        uris.push_back(t.uri);
        EXPECT_TRUE(t.socket.empty());
    }
    std::sort(uris.begin(), uris.end());
    EXPECT_EQ(uris, (std::vector<std::string>{"sip:198.51.100.7:40012", "sip:bob@10.0.0.2", "sip:dave@10.0.0.4"}));
    out.clear();
    ul->api->ping_targets(0, out);
    EXPECT_EQ(out.size(), 4u);
}

// REGISTERs through registrar on a database-only usrloc: the bindings are
// rows another ser reads, and a refused write is registrar's 500.
TEST_F(UsrlocDb, DbOnlyRegistrarSavesAndLooksUpThroughTheTable) {
    LogLevelGuard quiet{L_WARN};
    using namespace registrar;
    Reg r;
    LOAD(r, "modparam(\"usrloc\", \"db_mode\", 3)\nmodparam(\"usrloc\", \"db_url\", \"" + url + "\")\n", kRoute,
         "loadmodule \"sqlite.so\"\nmodparam(\"sqlite\", \"busy_timeout\", 0)\n");
    std::string ok = r.reply(reg(kC5070));
    EXPECT_EQ(status_of(ok), 200) << ok;
    ASSERT_TRUE(sql->row("alice", "sip:alice@127.0.0.1:5070"));

    // Another ser registers a second phone; this one's lookup and reply see it.
    ASSERT_TRUE(start(3)) << ul->errors();
    auto* d = ul->domain(kDbOnlyTable);
    EXPECT_EQ(ul->uris(d, "alice"), (std::vector<std::string>{"sip:alice@127.0.0.1:5070"}));
    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@127.0.0.1:5071", 1000)));
    ok = r.reply(reg(""));   // a query: no Contact
    EXPECT_EQ(status_of(ok), 200) << ok;
    EXPECT_NE(ok.find("Contact: <sip:alice@127.0.0.1:5071>;q=1;expires="), std::string::npos) << ok;
    EXPECT_NE(ok.find(", <sip:alice@127.0.0.1:5070>;expires="), std::string::npos) << ok;
    auto fwd = r.send(request());
    ASSERT_EQ(fwd.size(), 1u);
    EXPECT_EQ(first_line(fwd[0].data), "INVITE sip:alice@127.0.0.1:5071 SIP/2.0");

    // The database refuses writes: 500 with usrloc's step, nothing stored.
    ASSERT_TRUE(sql->exec("begin immediate"));
    testing::internal::CaptureStderr();
    std::string refused = r.reply(reg("Contact: <sip:alice@127.0.0.1:5072>\r\n", "r1", 2));
    testing::internal::GetCapturedStderr();
    ASSERT_TRUE(sql->exec("commit"));
    EXPECT_EQ(status_of(refused), 500) << refused;
    EXPECT_NE(refused.find("P-Registrar-Error: usrloc_contact_insert failed"), std::string::npos) << refused;
    EXPECT_EQ(ul->get(d, "alice").size(), 2u);

    // Contact: * with Expires: 0 removes the rows.
    ok = r.reply(reg("Contact: *\r\nExpires: 0\r\n", "r1", 3));
    EXPECT_EQ(status_of(ok), 200) << ok;
    EXPECT_TRUE(sql->rows().empty());
    EXPECT_FALSE(ul->exists(d, "alice"));
}

// ---- database failures ----------------------------------------------------------------

TEST_F(UsrlocDb, WriteThroughOutageKeepsMemoryRightAndRetriesAtTheTimer) {
    LogLevelGuard quiet{L_NOTICE};
    ASSERT_TRUE(start(1, "", 1, 0)) << ul->errors();   // busy_timeout 0: a lock fails at once
    auto* d = ul->domain("location");
    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@10.0.0.1")));
    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@10.0.0.2")));

    ASSERT_TRUE(sql->exec("begin immediate"));   // the database refuses every write now
    testing::internal::CaptureStderr();
    std::string e;
    // A new contact the database refused is not kept (registrar answers 500).
    EXPECT_FALSE(ul->put(d, "alice", contact("sip:alice@10.0.0.3"), &e));
    EXPECT_EQ(e, "usrloc_contact_insert failed");
    // A refresh is kept in memory and written later.
    ContactInfo u = contact("sip:alice@10.0.0.1", 900, 1200);
    u.cseq = 2;
    EXPECT_TRUE(ul->put(d, "alice", u, &e));
    EXPECT_TRUE(ul->rm(d, "alice", "sip:alice@10.0.0.2"));
    ul->tick();
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("database is locked"), std::string::npos) << log;
    EXPECT_NE(log.find("usrloc: 2 database write(s) failed"), std::string::npos) << log;

    EXPECT_EQ(ul->uris(d, "alice"), (std::vector<std::string>{"sip:alice@10.0.0.1"}));
    EXPECT_EQ(ul->get(d, "alice")[0].cseq, 2u);
    EXPECT_EQ(states(), (std::vector<std::string>{"CS_DIRTY", "CS_ZOMBIE_D"}));
    ASSERT_TRUE(sql->exec("commit"));
    EXPECT_EQ(sql->row("alice", "sip:alice@10.0.0.1").value().cseq, 1);   // still the old row

    testing::internal::CaptureStderr();
    ul->tick();
    const std::string back = testing::internal::GetCapturedStderr();
    EXPECT_NE(back.find("database writes succeed again"), std::string::npos) << back;
    auto rows = sql->rows();
    ASSERT_EQ(rows.size(), 1u);
    expect_row(rows[0], u);
    EXPECT_EQ(states(), (std::vector<std::string>{"CS_SYNC"}));
}

TEST_F(UsrlocDb, WriteThroughTableDroppedMidRun) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(1)) << ul->errors();
    auto* d = ul->domain("location");
    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@10.0.0.1")));
    ASSERT_TRUE(sql->exec("drop table location"));
    testing::internal::CaptureStderr();
    EXPECT_FALSE(ul->put(d, "bob", contact("sip:bob@10.0.0.2")));
    ContactInfo u = contact("sip:alice@10.0.0.1", 100);
    u.cseq = 9;
    EXPECT_TRUE(ul->put(d, "alice", u));
    ul->tick();
    ul->tick(7200);
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("no such table"), std::string::npos) << log;
    EXPECT_NE(log.find("database write(s) failed"), std::string::npos) << log;
    EXPECT_FALSE(ul->exists(d, "bob"));
    // Expired in memory; the row it cannot delete keeps it as an invisible zombie.
    EXPECT_TRUE(ul->get(d, "alice", false).empty());
    EXPECT_EQ(states(), (std::vector<std::string>{"CS_ZOMBIE_D"}));
    testing::internal::CaptureStderr();
    ul->shutdown();   // its last run fails the same way
    EXPECT_NE(testing::internal::GetCapturedStderr().find("no such table"), std::string::npos);
}

TEST_F(UsrlocDb, WriteBackOutageRetriesDirtyContactsAtTheNextTick) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(2, "", 1, 0)) << ul->errors();
    auto* d = ul->domain("location");
    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@10.0.0.1")));
    ASSERT_TRUE(ul->put(d, "bob", contact("sip:bob@10.0.0.2")));
    ul->tick();
    std::vector<std::string> aors;
    for (int i = 0; i < 20; ++i) {
        aors.push_back("user" + std::to_string(i));
        ASSERT_TRUE(ul->put(d, aors.back(), contact("sip:u" + std::to_string(i) + "@10.0.1.1")));
    }
    ContactInfo u = contact("sip:alice@10.0.0.1", 300);
    u.cseq = 5;
    ASSERT_TRUE(ul->put(d, "alice", u));
    ASSERT_TRUE(ul->rm(d, "bob", "sip:bob@10.0.0.2"));

    ASSERT_TRUE(sql->exec("begin immediate"));
    testing::internal::CaptureStderr();
    ul->tick();
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("database is locked"), std::string::npos) << log;
    EXPECT_NE(log.find("database write(s) failed"), std::string::npos) << log;
    ASSERT_TRUE(sql->exec("commit"));
    EXPECT_EQ(sql->rows().size(), 2u);   // alice and bob as before
    EXPECT_EQ(ul->get(d, "alice")[0].cseq, 5u);
    EXPECT_TRUE(ul->get(d, "bob", false).empty());
    for (const auto& a : aors) EXPECT_EQ(ul->get(d, a).size(), 1u);

    ul->tick();
    aors.push_back("alice");
    aors.push_back("bob");
    expect_table_is_memory(d, aors);
    EXPECT_FALSE(sql->row("bob", "sip:bob@10.0.0.2"));
}

TEST_F(UsrlocDb, WriteBackTableDroppedAndRecreated) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(2)) << ul->errors();
    auto* d = ul->domain("location");
    db::Result schema = sql->query("select sql from sqlite_master where type = 'table' and name = 'location'");
    ASSERT_EQ(schema.rows.size(), 1u);
    const std::string create(schema.rows[0][0].s);
    ASSERT_TRUE(sql->exec("drop table location"));
    ASSERT_TRUE(ul->put(d, "alice", full_contact("sip:alice@10.0.0.1")));
    ASSERT_TRUE(ul->put(d, "bob", contact("sip:bob@10.0.0.2")));
    testing::internal::CaptureStderr();
    ul->tick();
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("no such table"), std::string::npos) << log;
    EXPECT_EQ(ul->get(d, "alice").size(), 1u);
    EXPECT_EQ(states(), (std::vector<std::string>(2, "CS_NEW")));

    ASSERT_TRUE(sql->exec(create));
    ul->tick();
    expect_table_is_memory(d, {"alice", "bob"});
}

// ---- several workers and the timer at once -------------------------------------------------

// Workers register, refresh and remove contacts of their own AORs and of
// shared ones, each on its own connection, while the timer runs; at the end
// (after one more run) the table is what memory holds.
TEST_F(UsrlocDb, ConcurrentEditsAndTimerLeaveTheTableEqualToMemory) {
    LogLevelGuard quiet{L_WARN};
    constexpr int kWorkers = 3;
    for (int mode : {1, 2}) {
        SCOPED_TRACE("db_mode " + std::to_string(mode));
        ASSERT_TRUE(sql->exec("delete from location"));
        ASSERT_TRUE(start(mode, "", kWorkers + 2, 60000)) << ul->errors();
        auto* d = ul->domain("location");
        std::atomic<bool> stop{false};
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int w = 0; w < kWorkers; ++w) {
            threads.emplace_back([&, w] {
                rt::Server::set_worker_index(1 + w);
                for (int i = 0; i < 150; ++i) {
                    const std::string own = "w" + std::to_string(w) + "-" + std::to_string(i % 10);
                    const std::string shared = "shared" + std::to_string(i % 3);
                    const std::string uri = "sip:w" + std::to_string(w) + "@10.0.0." + std::to_string(i % 4);
                    ContactInfo c = contact(uri, (i * 37) % 1001, 3600 + i, (i % 5) ? 0u : unsigned(api::kFlNat));
                    c.cseq = uint32_t(i);
                    if (!ul->put(d, own, c)) ++failures;
                    if (!ul->put(d, shared, c)) ++failures;
                    if (i % 3 == 0 && !ul->rm(d, own, uri)) ++failures;
                    if (i % 11 == 0) {
                        std::string e;
                        ul->api->edit(d, shared, [](api::Record& r) { return r.remove_all(); }, e);
                    }
                }
            });
        }
        std::thread timer([&] {
            rt::Server::set_worker_index(kWorkers + 1);
            while (!stop) ul->tick();
        });
        for (auto& t : threads) t.join();
        stop = true;
        timer.join();
        EXPECT_EQ(failures.load(), 0);
        ul->tick();
        std::vector<std::string> aors = {"shared0", "shared1", "shared2"};
        for (int w = 0; w < kWorkers; ++w)
            for (int i = 0; i < 10; ++i) aors.push_back("w" + std::to_string(w) + "-" + std::to_string(i));
        expect_table_is_memory(d, aors);
    }
}

// ---- write-back flush without a table-wide lock ---------------------------------------------

// Whether thread `tid` of this process sleeps in nanosleep: SQLite's busy
// handler waiting for a lock (the flusher waits for nothing else).
bool sleeps_in_busy_handler(pid_t tid) {
    std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/syscall");
    long nr = -1;
    if (!(f >> nr)) return false;   // "running"
#ifdef SYS_nanosleep
    if (nr == SYS_nanosleep) return true;
#endif
    return nr == SYS_clock_nanosleep;
}

// A write-back flush of many new contacts is stuck on a database locked by
// another connection (SQLite waits up to busy_timeout); edits, lookups and
// dumps of every AOR, the ones being written included, complete meanwhile.
TEST_F(UsrlocDb, EditsCompleteWhileAWriteBackFlushWaitsForTheDatabase) {
    LogLevelGuard quiet{L_WARN};
    ASSERT_TRUE(start(2, "", 3, 600000)) << ul->errors();
    auto* d = ul->domain("location");

    std::promise<pid_t> flusher_tid;
    std::promise<void> go;
    std::atomic<bool> flushed{false};
    std::thread flusher([&] {
        rt::Server::set_worker_index(1);
        ul->tick();   // opens this worker's connection while the database is free
        flusher_tid.set_value(pid_t(syscall(SYS_gettid)));
        go.get_future().wait();
        ul->tick();
        flushed = true;
    });
    const pid_t tid = flusher_tid.get_future().get();

    constexpr int kAors = 300;
    auto aor = [](int i) { return "user" + std::to_string(i); };
    auto uri = [](int i) { return "sip:u" + std::to_string(i) + "@10.0.2.1"; };
    // No ASSERT until the flusher is joined: it waits for `go`.
    for (int i = 0; i < kAors; ++i) EXPECT_TRUE(ul->put(d, aor(i), contact(uri(i))));

    EXPECT_TRUE(sql->exec("begin immediate"));
    go.set_value();
    bool waiting = false;
    for (int i = 0; i < 20000 && !waiting; ++i) {   // bounded: 20 s
        waiting = sleeps_in_busy_handler(tid);
        if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(waiting) << "the flusher never waited for the database";

    auto editor = std::async(std::launch::async, [&] {
        rt::Server::set_worker_index(2);
        int failed = 0;
        for (int i = 0; i < kAors; ++i) {
            ContactInfo c = contact(uri(i), 500, 1800);
            c.cseq = 2;
            if (!ul->put(d, aor(i), c)) ++failed;
            if (i % 5 == 0 && !ul->rm(d, aor(i), uri(i))) ++failed;
            if (i % 7 == 0 && !ul->put(d, aor(i), contact(uri(i) + ";second"))) ++failed;
            if (i % 5 != 0 && ul->get(d, aor(i)).empty()) ++failed;
        }
        ul->fifo("ul_dump");
        return failed;
    });
    const bool done = editor.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
    EXPECT_TRUE(done) << "edits waited for the flush";
    EXPECT_FALSE(flushed.load());   // still stuck on the lock
    EXPECT_TRUE(sql->exec("commit"));
    flusher.join();
    EXPECT_EQ(editor.get(), 0);

    // The flush wrote what it had copied; the next one brings the changes.
    ul->tick();
    std::vector<std::string> aors;
    for (int i = 0; i < kAors; ++i) aors.push_back(aor(i));
    expect_table_is_memory(d, aors);
    for (int i = 0; i < kAors; i += 5) EXPECT_FALSE(sql->row(aor(i), uri(i)));
    EXPECT_EQ(sql->row(aor(1), uri(1)).value().cseq, 2);
}

}  // namespace
}  // namespace ser::test
