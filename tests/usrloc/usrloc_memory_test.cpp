// usrloc in db_mode 0: record order, validity, the timer's expiry, edits,
// NAT ping targets and start-up checks (modules.md §6.1-6.3, §6.6).
#include "tests/usrloc/ul_harness.hpp"

namespace ser::test {
namespace {

using api::ContactInfo;

TEST(UsrlocMemory, OrderByQThenAgeUnspecifiedLast) {
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* d = ul.domain("location");
    ASSERT_TRUE(ul.put(d, "alice", contact("sip:a@h", 500)));
    ASSERT_TRUE(ul.put(d, "alice", contact("sip:b@h")));
    ASSERT_TRUE(ul.put(d, "alice", contact("sip:c@h", 1000)));
    ASSERT_TRUE(ul.put(d, "alice", contact("sip:d@h", 500)));
    ASSERT_TRUE(ul.put(d, "alice", contact("sip:e@h")));
    ASSERT_TRUE(ul.put(d, "alice", contact("sip:f@h", 0)));
    EXPECT_EQ(ul.uris(d, "alice"),
              (std::vector<std::string>{"sip:c@h", "sip:a@h", "sip:d@h", "sip:f@h", "sip:b@h", "sip:e@h"}));
}

TEST(UsrlocMemory, UpdateDoesNotMoveUnlessToHead) {
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* d = ul.domain("location");
    ASSERT_TRUE(ul.put(d, "bob", contact("sip:1@h", 900)));
    ASSERT_TRUE(ul.put(d, "bob", contact("sip:2@h", 500)));
    // q changes, the position does not (SER re-sorts nothing on update)
    ASSERT_TRUE(ul.put(d, "bob", contact("sip:2@h", 1000)));
    EXPECT_EQ(ul.uris(d, "bob"), (std::vector<std::string>{"sip:1@h", "sip:2@h"}));
    EXPECT_EQ(ul.get(d, "bob")[1].q, 1000);
    std::string e;
    ASSERT_TRUE(ul.api->edit(d, "bob", [](api::Record& r) { return r.update(contact("sip:2@h", 100), true); }, e));
    EXPECT_EQ(ul.uris(d, "bob"), (std::vector<std::string>{"sip:2@h", "sip:1@h"}));
}

TEST(UsrlocMemory, DescTimeOrderPutsNewestFirst) {
    Ul ul;
    ASSERT_TRUE(ul.load("modparam(\"usrloc\", \"desc_time_order\", 1)\n")) << ul.errors();
    auto* d = ul.domain("location");
    ASSERT_TRUE(ul.put(d, "carol", contact("sip:1@h", 1000)));
    ASSERT_TRUE(ul.put(d, "carol", contact("sip:2@h", 100)));
    ASSERT_TRUE(ul.put(d, "carol", contact("sip:3@h")));
    EXPECT_EQ(ul.uris(d, "carol"), (std::vector<std::string>{"sip:3@h", "sip:2@h", "sip:1@h"}));
}

TEST(UsrlocMemory, StoredFieldsComeBack) {
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* d = ul.domain("location");
    ContactInfo c = contact("sip:alice@10.0.0.1:5060;transport=udp", 250, 600, api::kFlNat);
    c.received = "sip:198.51.100.7:40012";
    c.socket = "udp:127.0.0.1:5099";
    c.cseq = 77;
    c.replicate = 3;
    ASSERT_TRUE(ul.put(d, "alice", c));
    auto got = ul.get(d, "alice");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].uri, "sip:alice@10.0.0.1:5060;transport=udp");
    EXPECT_EQ(got[0].received, "sip:198.51.100.7:40012");
    EXPECT_EQ(got[0].socket, "udp:127.0.0.1:5099");
    EXPECT_EQ(got[0].callid, "cid-1@host");
    EXPECT_EQ(got[0].user_agent, "test UA");
    EXPECT_EQ(got[0].cseq, 77u);
    EXPECT_EQ(got[0].q, 250);
    EXPECT_EQ(got[0].flags, unsigned(api::kFlNat));
    EXPECT_EQ(got[0].replicate, 3);
    EXPECT_EQ(got[0].expires, c.expires);

    // An update replaces every field (a missing received clears it), longer
    // values included (the contact moves to a bigger block).
    ContactInfo u = contact("sip:alice@10.0.0.1:5060;transport=udp", 1000, 100);
    std::string long_ua(3000, 'u');
    u.user_agent = long_ua;
    u.callid = "another-call-id-that-is-much-longer-than-the-first-one@somewhere.example.com";
    u.cseq = 78;
    ASSERT_TRUE(ul.put(d, "alice", u));
    got = ul.get(d, "alice");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].received, "");
    EXPECT_EQ(got[0].socket, "");
    EXPECT_EQ(got[0].user_agent, long_ua);
    EXPECT_EQ(got[0].callid, u.callid);
    EXPECT_EQ(got[0].cseq, 78u);
    EXPECT_EQ(got[0].flags, 0u);
    EXPECT_EQ(got[0].replicate, 3);   // update keeps replicate (SER's update_ucontact)
}

TEST(UsrlocMemory, ValidityAndPermanentContacts) {
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* d = ul.domain("location");
    ASSERT_TRUE(ul.put(d, "dave", contact("sip:old@h", 1000, -10)));
    ASSERT_TRUE(ul.put(d, "dave", contact("sip:perm@h", 500, -10, api::kFlPermanent)));
    ASSERT_TRUE(ul.put(d, "dave", contact("sip:new@h", 100, 60)));
    EXPECT_EQ(ul.uris(d, "dave"), (std::vector<std::string>{"sip:perm@h", "sip:new@h"}));
    EXPECT_EQ(ul.uris(d, "dave", false), (std::vector<std::string>{"sip:old@h", "sip:perm@h", "sip:new@h"}));
    std::string e;
    size_t valid = 0;
    bool has_old = false;
    ASSERT_TRUE(ul.api->edit(d, "dave", [&](api::Record& r) {
        valid = r.valid_count(time(nullptr));
        has_old = r.has("sip:old@h");   // expired but still stored: an update finds it
        std::vector<api::Contact> v;
        r.contacts(v, time(nullptr), true);
        return v.size() == 2;
    }, e));
    EXPECT_EQ(valid, 2u);
    EXPECT_TRUE(has_old);
    // Validity is judged at the caller's time.
    EXPECT_EQ(ul.get(d, "dave", true, time(nullptr) + 120).size(), 1u);
}

TEST(UsrlocMemory, TimerExpiresContactsAndDropsEmptyRecords) {
    LogLevelGuard lg;
    Ul ul;
    ASSERT_TRUE(ul.load("modparam(\"usrloc\", \"timer_interval\", 5)\n")) << ul.errors();
    EXPECT_EQ(ul.timer_interval_ms(), 5000u);
    auto* d = ul.domain("location");
    ASSERT_TRUE(ul.put(d, "erin", contact("sip:short@h", 1000, 30)));
    ASSERT_TRUE(ul.put(d, "erin", contact("sip:long@h", 1000, 3600)));
    ASSERT_TRUE(ul.put(d, "erin", contact("sip:perm@h", 1000, 30, api::kFlPermanent)));
    ASSERT_TRUE(ul.put(d, "frank", contact("sip:f@h", 1000, 30)));

    ul.tick();   // nothing is due now
    EXPECT_EQ(ul.uris(d, "erin", false).size(), 3u);

    testing::internal::CaptureStderr();
    ul.tick(60);   // a minute later
    std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("Binding 'erin','sip:short@h' has expired"), std::string::npos) << log;
    EXPECT_NE(log.find("Binding 'frank','sip:f@h' has expired"), std::string::npos) << log;
    EXPECT_EQ(ul.uris(d, "erin", false), (std::vector<std::string>{"sip:long@h", "sip:perm@h"}));
    EXPECT_FALSE(ul.exists(d, "frank"));   // the emptied record is gone
    EXPECT_EQ(ul.fifo("ul_stats"), "200 ok\nDomain Registered Expired\n'location' 1 2\n");

    ul.tick(7200);   // permanent contacts never expire
    EXPECT_EQ(ul.uris(d, "erin", false), (std::vector<std::string>{"sip:perm@h"}));
}

TEST(UsrlocMemory, ReplicatedContactsAreKeptWhenExpired) {
    LogLevelGuard lg;
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* d = ul.domain("location");
    ContactInfo c = contact("sip:r@h", 1000, 10);
    c.replicate = 1;
    ASSERT_TRUE(ul.put(d, "rep", c));
    testing::internal::CaptureStderr();
    ul.tick(60);
    std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("Keeping binding 'rep','sip:r@h' for replication"), std::string::npos) << log;
    EXPECT_EQ(ul.uris(d, "rep", false).size(), 1u);
    EXPECT_TRUE(ul.get(d, "rep", true, time(nullptr) + 60).empty());   // not valid then
}

TEST(UsrlocMemory, RemoveAndEmptyRecords) {
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* d = ul.domain("location");
    ASSERT_TRUE(ul.put(d, "gina", contact("sip:1@h")));
    ASSERT_TRUE(ul.put(d, "gina", contact("sip:2@h")));
    ASSERT_TRUE(ul.rm(d, "gina", "sip:1@h"));
    EXPECT_EQ(ul.uris(d, "gina"), (std::vector<std::string>{"sip:2@h"}));
    ASSERT_TRUE(ul.rm(d, "gina", "sip:nothere@h"));   // nothing to do is no failure
    ASSERT_TRUE(ul.rm(d, "gina", "sip:2@h"));
    EXPECT_FALSE(ul.exists(d, "gina"));   // dropped when the edit left it empty

    // An edit that only reads creates no record; fn's result is returned.
    std::string e;
    EXPECT_FALSE(ul.api->edit(d, "nobody", [](api::Record& r) { return r.valid_count(0) > 0; }, e));
    EXPECT_EQ(e, "");
    EXPECT_FALSE(ul.exists(d, "nobody"));

    ASSERT_TRUE(ul.put(d, "gina", contact("sip:1@h")));
    ASSERT_TRUE(ul.put(d, "gina", contact("sip:2@h")));
    ASSERT_TRUE(ul.api->edit(d, "gina", [](api::Record& r) { return r.remove_all(); }, e));
    EXPECT_FALSE(ul.exists(d, "gina"));
}

TEST(UsrlocMemory, AorsAreByteExactAndDomainsSeparate) {
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* loc = ul.domain("location");
    auto* als = ul.domain("aliases");
    EXPECT_EQ(ul.domain("location"), loc);   // registered once
    EXPECT_EQ(ul.api->domain_name(als), "aliases");
    EXPECT_FALSE(ul.api->use_domain());
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:x@h")));
    EXPECT_TRUE(ul.exists(loc, "alice"));
    EXPECT_FALSE(ul.exists(loc, "Alice"));
    EXPECT_FALSE(ul.exists(als, "alice"));
    // the contact URI is case-sensitive too
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:X@h")));
    EXPECT_EQ(ul.uris(loc, "alice").size(), 2u);
}

TEST(UsrlocMemory, ManyRecordsInOneDomain) {
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* d = ul.domain("location");
    for (int i = 0; i < 20000; ++i) ASSERT_TRUE(ul.put(d, "user" + std::to_string(i), contact("sip:u@h", 1000)));
    for (int i = 0; i < 20000; i += 997) EXPECT_EQ(ul.uris(d, "user" + std::to_string(i)).size(), 1u);
    EXPECT_EQ(ul.fifo("ul_stats"), "200 ok\nDomain Registered Expired\n'location' 20000 0\n");
    for (int i = 0; i < 20000; ++i) ASSERT_TRUE(ul.rm(d, "user" + std::to_string(i), "sip:u@h"));
    EXPECT_EQ(ul.fifo("ul_stats"), "200 ok\nDomain Registered Expired\n'location' 0 0\n");
}

TEST(UsrlocMemory, PingTargets) {
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* loc = ul.domain("location");
    auto* als = ul.domain("aliases");
    ContactInfo a = contact("sip:a@10.0.0.1", 1000, 3600, api::kFlNat);
    a.received = "sip:198.51.100.1:4000";
    a.socket = "udp:127.0.0.1:5099";
    ASSERT_TRUE(ul.put(loc, "alice", a));
    ASSERT_TRUE(ul.put(loc, "bob", contact("sip:b@10.0.0.2", 1000, 3600, api::kFlNat | api::kFlPermanent)));
    ASSERT_TRUE(ul.put(loc, "carol", contact("sip:c@192.0.2.3", 1000, 3600, 0)));
    ASSERT_TRUE(ul.put(loc, "dave", contact("sip:d@10.0.0.4", 1000, -5, api::kFlNat)));   // expired: pinged [quirk]
    ASSERT_TRUE(ul.put(als, "eve", contact("sip:e@10.0.0.5", 1000, 3600, api::kFlNat)));

    std::vector<api::PingTarget> t;
    ul.api->ping_targets(api::kFlNat, t);
    std::map<std::string, std::string> got;
    for (auto& p : t) got[p.uri] = p.socket;
    EXPECT_EQ(got, (std::map<std::string, std::string>{{"sip:198.51.100.1:4000", "udp:127.0.0.1:5099"},
                                                       {"sip:b@10.0.0.2", ""},
                                                       {"sip:d@10.0.0.4", ""},
                                                       {"sip:e@10.0.0.5", ""}}));
    t.clear();
    ul.api->ping_targets(api::kFlNat | api::kFlPermanent, t);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].uri, "sip:b@10.0.0.2");
    t.clear();
    ul.api->ping_targets(0, t);   // no bits asked: every contact
    EXPECT_EQ(t.size(), 5u);
}

TEST(UsrlocMemory, RefusedStartUps) {
    {
        Ul ul;
        EXPECT_FALSE(ul.load("modparam(\"usrloc\", \"db_mode\", 4)\n"));
        EXPECT_NE(ul.errors().find("out of range"), std::string::npos) << ul.errors();
    }
    {
        Ul ul;
        EXPECT_FALSE(ul.load("modparam(\"usrloc\", \"db_mode\", -1)\n"));
    }
    {
        Ul ul;   // a DB mode needs its driver loaded first
        testing::internal::CaptureStderr();
        EXPECT_FALSE(ul.load("modparam(\"usrloc\", \"db_mode\", 1)\n"
                             "modparam(\"usrloc\", \"db_url\", \"nosuchdb://x/y\")\n"));
        std::string log = testing::internal::GetCapturedStderr();
        EXPECT_NE(ul.errors().find("usrloc"), std::string::npos) << ul.errors();
    }
    {
        Ul ul;
        EXPECT_FALSE(ul.load("modparam(\"usrloc\", \"timer_interval\", 0)\n"));
    }
    {
        Ul ul;   // the column parameters are strings
        EXPECT_TRUE(ul.load("modparam(\"usrloc\", \"user_column\", \"u\")\nmodparam(\"usrloc\", \"method_column\", "
                            "\"m\")\n"))
            << ul.errors();
    }
}

TEST(UsrlocMemory, TooLongFieldsFailTheInsert) {
    Ul ul;
    ASSERT_TRUE(ul.load("")) << ul.errors();
    auto* d = ul.domain("location");
    std::string huge(70000, 'x');
    ContactInfo c = contact("sip:ok@h");
    c.user_agent = huge;
    std::string e;
    EXPECT_FALSE(ul.put(d, "hugo", c, &e));
    EXPECT_EQ(e, "usrloc_contact_insert failed");
    EXPECT_FALSE(ul.exists(d, "hugo"));
    ASSERT_TRUE(ul.put(d, "hugo", contact("sip:ok@h")));
    EXPECT_FALSE(ul.put(d, "hugo", c, &e));
    EXPECT_EQ(e, "usrloc_contact_update failed");
    EXPECT_EQ(ul.get(d, "hugo")[0].user_agent, "test UA");   // untouched
}

}  // namespace
}  // namespace ser::test
