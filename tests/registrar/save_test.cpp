// save() (modules.md §7.4): the expires of a binding (Expires header,
// contact parameter, default/min/max_expires), removal by expires 0 and
// `Contact: *`, and a REGISTER without Contact (a query).
#include "tests/registrar/reg_harness.hpp"

using namespace ser;
using namespace ser::test;
using namespace ser::test::registrar;

namespace {

long stored_expires_in(Reg& r, const std::string& aor = "alice") {
    auto c = r.contacts(aor);
    EXPECT_EQ(c.size(), 1u);
    return c.empty() ? -1 : long(c[0].expires - time(nullptr));
}

}  // namespace

// ---- expires ---------------------------------------------------------------

TEST(SaveExpires, NoExpiresGivesDefaultExpires) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg(kC5070));
    EXPECT_EQ(first_line(rep), "SIP/2.0 200 OK");
    EXPECT_NE(header(rep, "To").find(";tag="), std::string::npos) << rep;   // sl's to-tag
    EXPECT_EQ(only_entry(rep), "<sip:alice@127.0.0.1:5070>;expires=3600");
    long left = stored_expires_in(r);
    EXPECT_GE(left, 3598);
    EXPECT_LE(left, 3600);
}

TEST(SaveExpires, ExpiresHeaderUsedWithoutContactParam) {
    Reg r;
    LOAD(r);
    EXPECT_EQ(only_entry(r.reply(reg(std::string(kC5070) + "Expires: 600\r\n"))),
              "<sip:alice@127.0.0.1:5070>;expires=600");
}

TEST(SaveExpires, ContactParamWinsOverExpiresHeader) {
    Reg r;
    LOAD(r);
    EXPECT_EQ(only_entry(r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=120\r\nExpires: 30\r\n"))),
              "<sip:alice@127.0.0.1:5070>;expires=120");
    // ... also when the header asks for removal.
    EXPECT_EQ(only_entry(r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=300\r\nExpires: 0\r\n", "r1", 2))),
              "<sip:alice@127.0.0.1:5070>;expires=300");
}

TEST(SaveExpires, ShortExpiresIsRaisedToMinExpiresNot423) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg(std::string(kC5070) + "Expires: 30\r\n"));
    EXPECT_EQ(status_of(rep), 200) << rep;   // SER 0.9 never answers 423 Interval Too Brief
    EXPECT_EQ(only_entry(rep), "<sip:alice@127.0.0.1:5070>;expires=60");
    EXPECT_EQ(header(rep, "Min-Expires"), "<none>");
    EXPECT_EQ(only_entry(r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=1\r\n", "r1", 2))),
              "<sip:alice@127.0.0.1:5070>;expires=60");
}

TEST(SaveExpires, MinAndMaxExpiresParams) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"min_expires\", 120)\nmodparam(\"registrar\", \"max_expires\", 1800)\n");
    EXPECT_EQ(only_entry(r.reply(reg(std::string(kC5070) + "Expires: 7200\r\n"))),
              "<sip:alice@127.0.0.1:5070>;expires=1800");
    EXPECT_EQ(only_entry(r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=5000\r\n", "r1", 2))),
              "<sip:alice@127.0.0.1:5070>;expires=1800");
    EXPECT_EQ(only_entry(r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=90\r\n", "r1", 3))),
              "<sip:alice@127.0.0.1:5070>;expires=120");
    EXPECT_EQ(only_entry(r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=1000\r\n", "r1", 4))),
              "<sip:alice@127.0.0.1:5070>;expires=1000");
}

TEST(SaveExpires, DefaultExpiresIsClampedToo) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"default_expires\", 7200)\nmodparam(\"registrar\", \"max_expires\", 1800)\n");
    EXPECT_EQ(only_entry(r.reply(reg(kC5070))), "<sip:alice@127.0.0.1:5070>;expires=1800");
}

TEST(SaveExpires, MinExpiresZeroTurnsTheFloorOff) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"min_expires\", 0)\nmodparam(\"registrar\", \"default_expires\", 900)\n");
    EXPECT_EQ(only_entry(r.reply(reg(std::string(kC5070) + "Expires: 5\r\n"))),
              "<sip:alice@127.0.0.1:5070>;expires=5");
    auto e = contact_entries(r.reply(reg(kC5071, "r2")));
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[1], "<sip:alice@127.0.0.1:5071>;expires=900");
}

TEST(SaveExpires, NonNumericContactParamIs3600) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"default_expires\", 900)\n");
    // SER's quirk: not default_expires, and not the Expires header.
    EXPECT_EQ(only_entry(r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=abc\r\nExpires: 600\r\n"))),
              "<sip:alice@127.0.0.1:5070>;expires=3600");
}

TEST(SaveExpires, DateInExpiresHeaderIsDefaultExpires) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"default_expires\", 900)\n");
    EXPECT_EQ(only_entry(r.reply(reg(std::string(kC5070) + "Expires: Thu, 01 Dec 1994 16:00:00 GMT\r\n"))),
              "<sip:alice@127.0.0.1:5070>;expires=900");
}

TEST(SaveExpires, ValuelessContactParamFallsBackToHeader) {
    Reg r;
    LOAD(r);
    EXPECT_EQ(only_entry(r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires\r\nExpires: 600\r\n"))),
              "<sip:alice@127.0.0.1:5070>;expires=600");
}

TEST(SaveExpires, ParamsOfAContactWithoutAnglesAreItsOwn) {
    Reg r;
    LOAD(r);
    EXPECT_EQ(only_entry(r.reply(reg("Contact: sip:alice@127.0.0.1:5070;expires=200\r\n"))),
              "<sip:alice@127.0.0.1:5070>;expires=200");
}

TEST(SaveExpires, EmptyExpiresHeaderIs400) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg(std::string(kC5070) + "Expires: \r\n"));
    EXPECT_EQ(first_line(rep), "SIP/2.0 400 Bad Request");
    EXPECT_EQ(header(rep, "P-Registrar-Error"), "Expires parse error");
    EXPECT_FALSE(r.known("alice"));
}

// ---- removal ---------------------------------------------------------------

TEST(SaveRemove, ContactExpiresZeroRemovesThatBindingOnly) {
    Reg r;
    LOAD(r);
    r.reply(reg(kC5070));
    r.reply(reg("Contact: <sip:alice@127.0.0.1:5071>;q=0.5\r\n", "r1", 2));
    ASSERT_EQ(r.uris("alice").size(), 2u);
    std::string rep = r.reply(reg("Contact: <sip:alice@127.0.0.1:5071>;expires=0\r\n", "r1", 3));
    EXPECT_EQ(status_of(rep), 200);
    auto e = contact_entries(rep);
    ASSERT_EQ(e.size(), 1u) << rep;
    EXPECT_EQ(e[0].find("<sip:alice@127.0.0.1:5070>;expires="), 0u);
    EXPECT_EQ(r.uris("alice"), std::vector<std::string>{"sip:alice@127.0.0.1:5070"});
}

TEST(SaveRemove, ExpiresHeaderZeroRemovesTheListedContacts) {
    Reg r;
    LOAD(r);
    r.reply(reg(std::string(kC5070) + kC5071));
    std::string rep = r.reply(reg(std::string(kC5070) + kC5071 + "Expires: 0\r\n", "r1", 2));
    EXPECT_EQ(status_of(rep), 200);
    EXPECT_EQ(header(rep, "Contact"), "<none>") << rep;
    EXPECT_FALSE(r.known("alice"));   // the emptied record is dropped
}

TEST(SaveRemove, ExpiresZeroForAnUnknownAorStoresNothing) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=0\r\n"));
    EXPECT_EQ(status_of(rep), 200);
    EXPECT_EQ(header(rep, "Contact"), "<none>");
    EXPECT_FALSE(r.known("alice"));
}

TEST(SaveRemove, ExpiresZeroOfAnUnknownContactChangesNothing) {
    Reg r;
    LOAD(r);
    r.reply(reg(kC5070));
    std::string rep = r.reply(reg("Contact: <sip:alice@127.0.0.1:5099>;expires=0\r\n", "r1", 2));
    EXPECT_EQ(contact_entries(rep).size(), 1u) << rep;
    EXPECT_EQ(r.uris("alice"), std::vector<std::string>{"sip:alice@127.0.0.1:5070"});
}

TEST(SaveStar, StarWithExpiresZeroRemovesEveryBinding) {
    Reg r;
    LOAD(r);
    r.reply(reg(std::string(kC5070) + kC5071));
    r.put("alice", "sip:alice@127.0.0.1:5072");
    ASSERT_EQ(r.uris("alice").size(), 3u);
    std::string rep = r.reply(reg("Contact: *\r\nExpires: 0\r\n", "other-call", 9));
    EXPECT_EQ(first_line(rep), "SIP/2.0 200 OK");
    EXPECT_EQ(header(rep, "Contact"), "<none>") << rep;
    EXPECT_EQ(header(rep, "P-Registrar-Error"), "<none>");
    EXPECT_FALSE(r.known("alice"));
    // Then alice is not found any more.
    EXPECT_EQ(first_line(r.reply(request())), "SIP/2.0 404 Not Found");
}

TEST(SaveStar, StarForAnUnknownAorIs200) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg("Contact: *\r\nExpires: 0\r\n"));
    EXPECT_EQ(status_of(rep), 200);
    EXPECT_FALSE(r.known("alice"));
}

TEST(SaveStar, StarNeedsExpiresZero) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    r.reply(reg(kC5070));
    // Absent (counts as default_expires), non-zero, or a date (also default_expires).
    for (std::string expires : {"", "Expires: 60\r\n", "Expires: Thu, 01 Dec 1994 16:00:00 GMT\r\n"}) {
        std::string rep = r.reply(reg("Contact: *\r\n" + expires, "r1", 2));
        EXPECT_EQ(first_line(rep), "SIP/2.0 400 Bad Request") << expires;
        EXPECT_EQ(header(rep, "P-Registrar-Error"), "* used in contact and expires is not zero") << expires;
    }
    EXPECT_EQ(r.uris("alice").size(), 1u);
}

TEST(SaveStar, StarWithAnotherContactHeaderIs400EitherOrder) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    r.reply(reg(kC5070));
    for (std::string contacts : {std::string("Contact: *\r\n") + kC5071, std::string(kC5071) + "Contact: *\r\n"}) {
        std::string rep = r.reply(reg(contacts + "Expires: 0\r\n", "r1", 2));
        EXPECT_EQ(first_line(rep), "SIP/2.0 400 Bad Request") << contacts;
        EXPECT_EQ(header(rep, "P-Registrar-Error"), "* used in contact and more than 1 contact") << contacts;
    }
    EXPECT_EQ(r.uris("alice"), std::vector<std::string>{"sip:alice@127.0.0.1:5070"});
}

TEST(SaveStar, ExpiresIsCheckedBeforeTheOtherContactHeaders) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    // A first star header: SER checks the Expires header first.
    std::string rep = r.reply(reg(std::string("Contact: *\r\n") + kC5071));
    EXPECT_EQ(header(rep, "P-Registrar-Error"), "* used in contact and expires is not zero") << rep;
}

TEST(SaveStar, StarFollowedByContactsInTheSameHeaderIsAPlainStar) {
    Reg r;
    LOAD(r);
    r.reply(reg(std::string(kC5070) + kC5071));
    std::string rep = r.reply(reg("Contact: *, <sip:alice@127.0.0.1:5070>\r\nExpires: 0\r\n", "r1", 2));
    EXPECT_EQ(status_of(rep), 200) << rep;
    EXPECT_EQ(header(rep, "Contact"), "<none>");
    EXPECT_FALSE(r.known("alice"));
}

// ---- a query ---------------------------------------------------------------

TEST(SaveQuery, NoContactListsTheBindingsAndChangesNothing) {
    Reg r;
    LOAD(r);
    r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=600\r\n"));
    auto before = r.contacts("alice");
    std::string rep = r.reply(reg("", "query-call", 7));
    EXPECT_EQ(status_of(rep), 200);
    auto e = contact_entries(rep);
    ASSERT_EQ(e.size(), 1u) << rep;
    EXPECT_EQ(without_expires(e[0]), "<sip:alice@127.0.0.1:5070>");
    EXPECT_GE(expires_of(e[0]), 598);
    auto after = r.contacts("alice");
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].callid, "r1");   // not the query's Call-ID
    EXPECT_EQ(after[0].cseq, 1u);
    EXPECT_EQ(after[0].expires, before[0].expires);
}

TEST(SaveQuery, QueryOfAnUnknownAorIs200WithoutContact) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg(""));
    EXPECT_EQ(first_line(rep), "SIP/2.0 200 OK");
    EXPECT_EQ(header(rep, "Contact"), "<none>");
    EXPECT_FALSE(r.known("alice"));
}
