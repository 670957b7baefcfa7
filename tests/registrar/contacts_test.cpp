// The bindings of an AOR (modules.md §6.2, §7.4 steps 4-6): q values, the
// record order, refreshes, desc_time_order, and the 200 OK that lists every
// valid binding with its q, seconds left and received URI.
#include "tests/registrar/reg_harness.hpp"

using namespace ser;
using namespace ser::test;
using namespace ser::test::registrar;

namespace {

std::string c(int port, const std::string& params = "") {
    return "Contact: <sip:alice@127.0.0.1:" + std::to_string(port) + ">" + params + "\r\n";
}

std::vector<std::string> stripped(const std::vector<std::string>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(without_expires(e));
    return out;
}

}  // namespace

TEST(Contacts, OkListsEveryBindingInQOrder) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg(c(5070) + c(5071, ";q=0.5") + c(5072, ";q=1") + c(5073, ";q=0")));
    EXPECT_EQ(status_of(rep), 200);
    // One Contact header; q descending, unspecified q after every explicit one.
    EXPECT_EQ(headers_named(rep, "Contact").size(), 1u) << rep;
    EXPECT_EQ(contact_entries(rep), (std::vector<std::string>{
                                        "<sip:alice@127.0.0.1:5072>;q=1;expires=3600",
                                        "<sip:alice@127.0.0.1:5071>;q=0.5;expires=3600",
                                        "<sip:alice@127.0.0.1:5073>;q=0;expires=3600",
                                        "<sip:alice@127.0.0.1:5070>;expires=3600",
                                    }));
    auto stored = r.contacts("alice");
    ASSERT_EQ(stored.size(), 4u);
    EXPECT_EQ(stored[0].q, 1000);
    EXPECT_EQ(stored[1].q, 500);
    EXPECT_EQ(stored[2].q, 0);
    EXPECT_EQ(stored[3].q, api::kQUnspecified);
}

TEST(Contacts, OkListsBindingsOfEarlierRequestsToo) {
    Reg r;
    LOAD(r);
    r.reply(reg(c(5070)));
    std::string rep = r.reply(reg(c(5071, ";q=0.5"), "r1", 2));
    auto e = contact_entries(rep);
    ASSERT_EQ(e.size(), 2u) << rep;
    EXPECT_EQ(e[0], "<sip:alice@127.0.0.1:5071>;q=0.5;expires=3600");
    EXPECT_EQ(without_expires(e[1]), "<sip:alice@127.0.0.1:5070>");
    EXPECT_GE(expires_of(e[1]), 3598);
    EXPECT_LE(expires_of(e[1]), 3600);
}

TEST(Contacts, OkShowsSecondsLeftNotTheRequestedValue) {
    Reg r;
    LOAD(r);
    // A binding that expires in 100 s, stored directly.
    r.put("alice", "sip:alice@127.0.0.1:5079", "location", api::kQUnspecified, 100);
    std::string rep = r.reply(reg(c(5070)));
    auto e = contact_entries(rep);
    ASSERT_EQ(e.size(), 2u) << rep;
    EXPECT_EQ(without_expires(e[0]), "<sip:alice@127.0.0.1:5079>");   // the older one first
    EXPECT_GE(expires_of(e[0]), 98);
    EXPECT_LE(expires_of(e[0]), 100);
    EXPECT_EQ(e[1], "<sip:alice@127.0.0.1:5070>;expires=3600");
}

TEST(Contacts, ExpiredBindingsAreNotListed) {
    Reg r;
    LOAD(r);
    r.put("alice", "sip:alice@127.0.0.1:5079", "location", api::kQUnspecified, -5);
    std::string rep = r.reply(reg(c(5070)));
    EXPECT_EQ(stripped(contact_entries(rep)), std::vector<std::string>{"<sip:alice@127.0.0.1:5070>"});
}

TEST(Contacts, PermanentBindingShowsZeroOrLessSecondsLeft) {
    Reg r;
    LOAD(r);
    // FIFO ul_add with flag 128 stores "now" as expires [quirk].
    r.put("alice", "sip:alice@127.0.0.1:5072", "location", 1000, 0, api::kFlPermanent);
    std::string rep = r.reply(reg(c(5070)));
    auto e = contact_entries(rep);
    ASSERT_EQ(e.size(), 2u) << rep;
    EXPECT_EQ(without_expires(e[0]), "<sip:alice@127.0.0.1:5072>;q=1");
    EXPECT_LE(expires_of(e[0]), 0);
}

TEST(Contacts, QForms) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg(c(5070, ";q=.7") + c(5071, ";q=1.0") + c(5072, ";q=0.125") + c(5073, ";q=0.25") +
                                  c(5074, ";q=1.000") + c(5075, ";q=0.50")));
    EXPECT_EQ(stripped(contact_entries(rep)), (std::vector<std::string>{
                                                  "<sip:alice@127.0.0.1:5071>;q=1",
                                                  "<sip:alice@127.0.0.1:5074>;q=1",
                                                  "<sip:alice@127.0.0.1:5070>;q=0.7",
                                                  "<sip:alice@127.0.0.1:5075>;q=0.5",
                                                  "<sip:alice@127.0.0.1:5073>;q=0.25",
                                                  "<sip:alice@127.0.0.1:5072>;q=0.125",
                                              }));
}

TEST(Contacts, DefaultQInThousandths) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"default_q\", 500)\n");
    std::string rep = r.reply(reg(c(5070) + c(5071, ";q=0.6")));
    EXPECT_EQ(stripped(contact_entries(rep)),
              (std::vector<std::string>{"<sip:alice@127.0.0.1:5071>;q=0.6", "<sip:alice@127.0.0.1:5070>;q=0.5"}));
    EXPECT_EQ(r.contacts("alice").at(1).q, 500);
}

TEST(Contacts, DefaultQIsClampedToOne) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"default_q\", 5000)\n");
    r.reply(reg(c(5070)));
    EXPECT_EQ(r.contacts("alice").at(0).q, 1000);
}

TEST(Contacts, EqualQKeepsTheOlderFirst) {
    Reg r;
    LOAD(r);
    r.reply(reg(c(5071, ";q=0.5")));
    r.reply(reg(c(5070, ";q=0.5"), "r2"));
    r.reply(reg(c(5072, ";q=0.5"), "r3"));
    EXPECT_EQ(r.uris("alice"), (std::vector<std::string>{"sip:alice@127.0.0.1:5071", "sip:alice@127.0.0.1:5070",
                                                         "sip:alice@127.0.0.1:5072"}));
}

TEST(Contacts, ARefreshUpdatesInPlace) {
    Reg r;
    LOAD(r);
    r.reply(reg(c(5070, ";q=0.5") + c(5071, ";q=0.5")));
    // New q, expires and Call-ID; the position stays (usrloc does not re-sort).
    std::string rep = r.reply(reg(c(5070, ";q=0.9;expires=600"), "r9", 4));
    EXPECT_EQ(stripped(contact_entries(rep)),
              (std::vector<std::string>{"<sip:alice@127.0.0.1:5070>;q=0.9", "<sip:alice@127.0.0.1:5071>;q=0.5"}));
    auto s = r.contacts("alice");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].q, 900);
    EXPECT_EQ(s[0].callid, "r9");
    EXPECT_EQ(s[0].cseq, 4u);
    EXPECT_LE(long(s[0].expires - time(nullptr)), 600);
    // A refresh of the second one does not move it either.
    r.reply(reg(c(5071, ";q=0.5"), "r1", 5));
    EXPECT_EQ(r.uris("alice"), (std::vector<std::string>{"sip:alice@127.0.0.1:5070", "sip:alice@127.0.0.1:5071"}));
}

TEST(Contacts, DescTimeOrderMovesARefreshToTheHead) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"desc_time_order\", 1)\n");
    r.reply(reg(c(5070, ";q=1") + c(5071, ";q=0.5")));
    r.reply(reg(c(5071, ";q=0.5"), "r1", 2));
    EXPECT_EQ(r.uris("alice"), (std::vector<std::string>{"sip:alice@127.0.0.1:5071", "sip:alice@127.0.0.1:5070"}));
}

TEST(Contacts, UsrlocDescTimeOrderPutsNewContactsFirst) {
    Reg r;
    LOAD(r, "modparam(\"usrloc\", \"desc_time_order\", 1)\n");
    r.reply(reg(c(5070, ";q=1")));
    r.reply(reg(c(5071, ";q=0.1"), "r2"));
    EXPECT_EQ(r.uris("alice"), (std::vector<std::string>{"sip:alice@127.0.0.1:5071", "sip:alice@127.0.0.1:5070"}));
}

TEST(Contacts, UriIsStoredAsReceivedWithoutNameOrHeaderParams) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg("Contact: \"Alice Phone\" <sip:alice@127.0.0.1:5070;transport=udp;ob>"
                                  ";expires=300;+sip.instance=\"<urn:uuid:1>\"\r\n"));
    EXPECT_EQ(only_entry(rep), "<sip:alice@127.0.0.1:5070;transport=udp;ob>;expires=300");
    EXPECT_EQ(r.uris("alice"), std::vector<std::string>{"sip:alice@127.0.0.1:5070;transport=udp;ob"});
}

TEST(Contacts, UrisDifferingInCaseAreTwoBindings) {
    Reg r;
    LOAD(r);
    r.reply(reg("Contact: <sip:alice@host.example:5070>\r\n"));
    r.reply(reg("Contact: <sip:alice@HOST.example:5070>\r\n", "r1", 2));
    EXPECT_EQ(r.uris("alice").size(), 2u);   // the contact's identity is byte-exact
}

TEST(Contacts, CommaSeparatedAndRepeatedContactHeaders) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;q=0.2, <sip:alice@127.0.0.1:5071>;q=0.3\r\n"
                                  "m: <sip:alice@127.0.0.1:5072>;q=0.4\r\n"));
    EXPECT_EQ(stripped(contact_entries(rep)), (std::vector<std::string>{
                                                  "<sip:alice@127.0.0.1:5072>;q=0.4",
                                                  "<sip:alice@127.0.0.1:5071>;q=0.3",
                                                  "<sip:alice@127.0.0.1:5070>;q=0.2",
                                              }));
}

TEST(Contacts, TheSameUriTwiceInOneRequestIsOneBinding) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg(c(5070, ";expires=100") + c(5070, ";expires=200")));
    EXPECT_EQ(status_of(rep), 200);
    auto s = r.contacts("alice");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_GT(long(s[0].expires - time(nullptr)), 150);   // the last one wins
}

TEST(Contacts, AorsAreSeparate) {
    Reg r;
    LOAD(r);
    r.reply(reg(c(5070)));
    std::string rep = r.reply(reg("Contact: <sip:bob@127.0.0.1:5075>\r\n", "b1", 1, "<sip:bob@127.0.0.1>"));
    EXPECT_EQ(stripped(contact_entries(rep)), std::vector<std::string>{"<sip:bob@127.0.0.1:5075>"});
    EXPECT_EQ(r.uris("alice").size(), 1u);
    EXPECT_EQ(r.uris("bob").size(), 1u);
}

TEST(Contacts, TablesAreSeparate) {
    Reg r;
    LOAD(r, "", "if (uri=~\"^sip:aliases\") { save(\"aliases\"); break; }; save(\"location\");");
    r.reply(reg(c(5070)));
    std::string al = reg("Contact: <sip:alice@127.0.0.1>\r\n", "a1", 1, "<sip:al@127.0.0.1>");
    al.replace(al.find("sip:127.0.0.1"), 13, "sip:aliases.example");
    r.reply(al);
    EXPECT_EQ(r.uris("al", "aliases"), std::vector<std::string>{"sip:alice@127.0.0.1"});
    EXPECT_FALSE(r.known("al", "location"));
    EXPECT_FALSE(r.known("alice", "aliases"));
}
