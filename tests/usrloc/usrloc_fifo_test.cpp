// usrloc's FIFO commands (modules.md §6.5): arguments, replies, effects.
#include <regex>

#include "tests/usrloc/ul_harness.hpp"

namespace ser::test {
namespace {

class UsrlocFifo : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(ul.load(params())) << ul.errors();
        loc = ul.domain("location");
    }
    virtual std::string params() { return ""; }
    LogLevelGuard quiet{L_WARN};
    Ul ul;
    api::UsrlocDomain* loc = nullptr;
};

TEST_F(UsrlocFifo, Stats) {
    ul.domain("aliases");
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:a@h")));
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:b@h")));
    ASSERT_TRUE(ul.put(loc, "bob", contact("sip:c@h")));
    // the domain registered last comes first (SER's list)
    EXPECT_EQ(ul.fifo("ul_stats"), "200 ok\nDomain Registered Expired\n'aliases' 0 0\n'location' 2 0\n");
}

TEST_F(UsrlocFifo, AddNewContact) {
    time_t before = time(nullptr);
    EXPECT_EQ(ul.fifo("ul_add", {"location", "Alice@Example.COM", "sip:alice@10.0.0.1", "600", "0.5", "0", "1"}),
              "200 Added to table\n('alice','sip:alice@10.0.0.1') to 'location'\n");
    auto c = ul.get(loc, "alice");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].callid, "The-Answer-To-The-Ultimate-Question-Of-Life-Universe-And-Everything");
    EXPECT_EQ(c[0].cseq, 42u);
    EXPECT_EQ(c[0].user_agent, "SIP Express Router FIFO");
    EXPECT_EQ(c[0].q, 500);
    EXPECT_EQ(c[0].flags, 1u);
    EXPECT_EQ(c[0].received, "");
    EXPECT_GE(c[0].expires, before + 600);
    EXPECT_LE(c[0].expires, time(nullptr) + 600);
}

TEST_F(UsrlocFifo, AddUpdatesAnExistingContact) {
    api::ContactInfo c = contact("sip:a@h", 1000, 60, api::kFlNat);
    c.received = "sip:1.2.3.4:5";
    c.socket = "udp:127.0.0.1:5099";
    ASSERT_TRUE(ul.put(loc, "alice", c));
    EXPECT_EQ(ul.fifo("ul_add", {"location", "alice", "sip:a@h", "900", "0.25", "7", "128"}),
              "200 Added to table\n('alice','sip:a@h') to 'location'\n");
    auto got = ul.get(loc, "alice");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].flags, unsigned(api::kFlNat | api::kFlPermanent));   // OR-ed
    EXPECT_EQ(got[0].received, "");   // cleared
    EXPECT_EQ(got[0].socket, "udp:127.0.0.1:5099");
    EXPECT_EQ(got[0].q, 250);
    EXPECT_EQ(got[0].replicate, 7);
    EXPECT_EQ(got[0].cseq, 42u);
}

TEST_F(UsrlocFifo, AddPermanentWithZeroExpires) {
    EXPECT_EQ(ul.fifo("ul_add", {"location", "alias1", "sip:target@example.com", "0", "1.00", "0", "128"}),
              "200 Added to table\n('alias1','sip:target@example.com') to 'location'\n");
    ul.tick(100000);
    EXPECT_EQ(ul.uris(loc, "alias1"), (std::vector<std::string>{"sip:target@example.com"}));
}

TEST_F(UsrlocFifo, AddErrors) {
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "sip:x@h", "0", "1", "0", "0"}),
              "500 Error while adding contact\n ('x','sip:x@h') in table 'location'\n");
    EXPECT_FALSE(ul.exists(loc, "x"));
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "sip:x@h", "1a", "1", "0", "0"}), "400 Invalid expires format\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "sip:x@h", "10", "1.5", "0", "0"}), "400 Invalid q value\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "sip:x@h", "10", "x", "0", "0"}), "400 Invalid q value\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "sip:x@h", "10", "1", "-1", "0"}),
              "400 Invalid replicate format\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "sip:x@h", "10", "1", "0", "z"}), "400 Invalid flags format\n");
    EXPECT_EQ(ul.fifo("ul_add", {"nosuch", "x", "sip:x@h", "10", "1", "0", "0"}),
              "400 Table 'nosuch' not found in memory, use save(\"nosuch\") or lookup(\"nosuch\") in the "
              "configuration script first\n");
    EXPECT_EQ(ul.fifo("ul_add", {}), "400 ul_add: table name expected\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location"}), "400 ul_add: aor name expected\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x"}), "400 ul_add: contact expected\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "c"}), "400 ul_add: expires expected\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "c", "1"}), "400 ul_add: q expected\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "c", "1", "1"}), "400 ul_add: replicate expected\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "x", "c", "1", "1", "0"}), "400 ul_add: flags expected\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "", "c", "1", "1", "0", "0"}), "400 ul_add: aor name expected\n");
    EXPECT_FALSE(ul.exists(loc, "x"));
}

TEST_F(UsrlocFifo, ShowContact) {
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:a@h", 500, 100)));
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:b@h", api::kQUnspecified, 200)));
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:old@h", 1000, -5)));
    std::string r = ul.fifo("ul_show_contact", {"location", "ALICE@whatever"});
    EXPECT_TRUE(std::regex_match(r, std::regex("200 OK\n<sip:a@h>;q=0\\.5;expires=(99|100)\n"
                                               "<sip:b@h>;q=;expires=(199|200)\n")))
        << r;
    EXPECT_EQ(ul.fifo("ul_show_contact", {"location", "Nobody@Else"}),
              "404 Username nobody@Else in table location not found\n");
    ASSERT_TRUE(ul.put(loc, "gone", contact("sip:g@h", 1000, -5)));
    EXPECT_EQ(ul.fifo("ul_show_contact", {"location", "gone"}), "404 No registered contacts found\n");
    EXPECT_EQ(ul.fifo("ul_show_contact", {"nosuch", "alice"}), "400 table (nosuch) not found\n");
    EXPECT_EQ(ul.fifo("ul_show_contact", {}), "400 ul_show_contact: table name expected\n");
    EXPECT_EQ(ul.fifo("ul_show_contact", {"location"}), "400 ul_show_contact: user name expected\n");
}

TEST_F(UsrlocFifo, RmDeletesTheWholeRecord) {
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:a@h")));
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:b@h")));
    EXPECT_EQ(ul.fifo("ul_rm", {"location", "Alice@Example.com"}), "200 user (location, alice@Example.com) deleted\n");
    EXPECT_FALSE(ul.exists(loc, "alice"));
    EXPECT_EQ(ul.fifo("ul_rm", {"location", "nobody"}), "200 user (location, nobody) deleted\n");
    EXPECT_EQ(ul.fifo("ul_rm", {"nosuch", "alice"}), "400 table (nosuch) not found\n");
    EXPECT_EQ(ul.fifo("ul_rm", {}), "400 ul_rm: table name expected\n");
    EXPECT_EQ(ul.fifo("ul_rm", {"location"}), "400 ul_rm: user name expected\n");
}

TEST_F(UsrlocFifo, RmContact) {
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:a@h")));
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:b@h")));
    EXPECT_EQ(ul.fifo("ul_rm_contact", {"location", "alice", "sip:a@h"}),
              "200 Contact (alice, sip:a@h) deleted from table location\n");
    EXPECT_EQ(ul.uris(loc, "alice"), (std::vector<std::string>{"sip:b@h"}));
    EXPECT_EQ(ul.fifo("ul_rm_contact", {"location", "alice", "sip:zz@h"}),
              "404 Contact sip:zz@h in table location not found\n");
    EXPECT_EQ(ul.fifo("ul_rm_contact", {"location", "bob", "sip:b@h"}),
              "404 Username bob in table location not found\n");
    EXPECT_EQ(ul.fifo("ul_rm_contact", {"nosuch", "bob", "sip:b@h"}), "400 table (nosuch) not found\n");
    EXPECT_EQ(ul.fifo("ul_rm_contact", {"location", "bob"}), "400 ul_rm_contact: contact expected\n");
    EXPECT_EQ(ul.fifo("ul_rm_contact", {"location"}), "400 ul_rm_contact: user name expected\n");
    EXPECT_EQ(ul.fifo("ul_rm_contact", {"location", "alice", "sip:b@h"}),
              "200 Contact (alice, sip:b@h) deleted from table location\n");
    EXPECT_FALSE(ul.exists(loc, "alice"));
}

TEST_F(UsrlocFifo, Flush) {
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:a@h", 1000, -1)));
    EXPECT_EQ(ul.fifo("ul_flush"), "200 ul_flush completed\n");
    EXPECT_FALSE(ul.exists(loc, "alice"));   // the timer's work ran
}

TEST_F(UsrlocFifo, DumpFormat) {
    ul.domain("aliases");
    api::ContactInfo c = contact("sip:a@h", 500, 100, api::kFlNat);
    c.received = "sip:9.9.9.9:9";
    c.cseq = 5;
    ASSERT_TRUE(ul.put(loc, "alice", c));
    ASSERT_TRUE(ul.put(loc, "alice", contact("sip:b@h", api::kQUnspecified, -30)));
    std::string r = ul.fifo("ul_dump");
    const std::string P = "(0x[0-9a-f]+|\\(nil\\))";
    std::string re =
        "200 ok\n===Domain list===\n"
        "---Domain---\nname : 'aliases'\nsize : 512\ntable: " + P + "\nd_ll \\{\n    n    : 0\n"
        "    first: \\(nil\\)\n    last : \\(nil\\)\n\\}\n---/Domain---\n"
        "---Domain---\nname : 'location'\nsize : 512\ntable: " + P + "\nd_ll \\{\n    n    : 1\n"
        "    first: " + P + "\n    last : " + P + "\n\\}\n\n"
        "\\.\\.\\.Record\\(" + P + "\\)\\.\\.\\.\ndomain: 'location'\naor   : 'alice'\n"
        "~~~Contact\\(" + P + "\\)~~~\ndomain    : 'location'\naor       : 'alice'\nContact   : 'sip:a@h'\n"
        "Expires   : (99|100)\nq         : 0\\.5\nCall-ID   : 'cid-1@host'\nCSeq      : 5\nreplic    : 0\n"
        "User-Agent: 'test UA'\nreceived  : 'sip:9\\.9\\.9\\.9:9'\nState     : CS_NEW\nFlags     : 1\n"
        "next      : 0x[0-9a-f]+\nprev      : \\(nil\\)\n~~~/Contact~~~~\n"
        "~~~Contact\\(" + P + "\\)~~~\ndomain    : 'location'\naor       : 'alice'\nContact   : 'sip:b@h'\n"
        "Expires   : -(30|31)\nq         : \nCall-ID   : 'cid-1@host'\nCSeq      : 1\nreplic    : 0\n"
        "User-Agent: 'test UA'\nreceived  : ''\nState     : CS_NEW\nFlags     : 0\n"
        "next      : \\(nil\\)\nprev      : 0x[0-9a-f]+\n~~~/Contact~~~~\n"
        ".../Record...\n\n---/Domain---\n===/Domain list===\n";
    EXPECT_TRUE(std::regex_match(r, std::regex(re))) << r;
    // serctl online: the third field of the lines with "aor"
    EXPECT_NE(r.find("aor   : 'alice'"), std::string::npos);
}

class UsrlocFifoUseDomain : public UsrlocFifo {
    std::string params() override { return "modparam(\"usrloc\", \"use_domain\", 1)\n"; }
};

TEST_F(UsrlocFifoUseDomain, AorNeedsTheDomain) {
    EXPECT_TRUE(ul.api->use_domain());
    EXPECT_EQ(ul.fifo("ul_add", {"location", "alice", "sip:a@h", "60", "1", "0", "0"}),
              "400 ul_add: username@domain expected\n");
    EXPECT_EQ(ul.fifo("ul_add", {"location", "Alice@Example.COM", "sip:a@h", "60", "1", "0", "0"}),
              "200 Added to table\n('alice@example.com','sip:a@h') to 'location'\n");
    EXPECT_TRUE(ul.exists(loc, "alice@example.com"));
    EXPECT_EQ(ul.fifo("ul_show_contact", {"location", "alice"}), "400 ul_show_contact: user@domain expected\n");
    EXPECT_EQ(ul.fifo("ul_rm_contact", {"location", "alice"}), "400 ul_rm_contact: user@domain expected\n");
    EXPECT_EQ(ul.fifo("ul_rm", {"location", "alice"}), "400 ul_rm: username@domain expected\n");
    EXPECT_EQ(ul.fifo("ul_rm", {"location", "alice@EXAMPLE.com"}),
              "200 user (location, alice@example.com) deleted\n");
    EXPECT_FALSE(ul.exists(loc, "alice@example.com"));
}

}  // namespace
}  // namespace ser::test
