// usrloc's database modes (modules.md §6.1, §6.3, §6.4) on a real SQLite file
// made by tools/ser-db: what write-through and write-back put in `location`
// and when, the preload at start-up, expiry, read-only mode 3, database
// failures, and edits that do not wait for a write-back flush stuck on the
// database.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "runtime/core/server.hpp"
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

// ---- db_mode 3: read-only ---------------------------------------------------------

// modules.md §6.1: 0.9 has no db_mode 3; this usrloc takes it as the 2006
// trunk's read-only mode (load at start-up, never write), not as a
// database-only mode: the table is read once.
TEST_F(UsrlocDb, ReadOnlyModeLoadsAndNeverWrites) {
    LogLevelGuard quiet{L_WARN};
    LocRow a = row_of("alice", "sip:alice@10.0.0.1", 600, 0.5, api::kFlNat);
    LocRow gone = row_of("alice", "sip:alice@10.0.0.2", -100);
    ASSERT_TRUE(sql->insert_row(a));
    ASSERT_TRUE(sql->insert_row(gone));
    ASSERT_TRUE(sql->count_writes());
    ASSERT_TRUE(start(3)) << ul->errors();
    auto* d = ul->domain("location");
    auto got = ul->get(d, "alice");
    ASSERT_EQ(got.size(), 1u);
    expect_same(got[0], a);

    ASSERT_TRUE(ul->put(d, "alice", contact("sip:alice@10.0.0.1", 900)));   // update
    ASSERT_TRUE(ul->put(d, "bob", contact("sip:bob@10.0.0.3")));            // insert
    ul->tick(3600 * 24);                                                    // expiry
    EXPECT_FALSE(ul->exists(d, "alice"));
    EXPECT_EQ(ul->uris(d, "bob", false).size(), 0u);

    // A row written behind usrloc's back after the load is not seen.
    ASSERT_TRUE(sql->insert_row(row_of("carol", "sip:carol@10.0.0.4", 600)));
    EXPECT_FALSE(ul->exists(d, "carol"));
    ASSERT_TRUE(ul->put(d, "dave", contact("sip:dave@10.0.0.5")));
    ASSERT_TRUE(ul->rm(d, "dave", "sip:dave@10.0.0.5"));
    ul->shutdown();
    EXPECT_EQ(sql->writes('i'), 1);   // the test's own row
    EXPECT_EQ(sql->writes('u'), 0);
    EXPECT_EQ(sql->writes('d'), 0);
    EXPECT_EQ(sql->rows().size(), 3u);
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
