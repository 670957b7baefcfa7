// What save() stores besides the expires (modules.md §7.4 steps 3-4):
// Call-ID, CSeq, User-Agent, the NAT flag and the received URI; then
// save_noreply() and save_memory() (§7.2), the latter also in db_mode 1.
#include <filesystem>

#include "ser/db.hpp"
#include "tests/registrar/reg_harness.hpp"
#include "tests/support/mariadb_server.hpp"

using namespace ser;
using namespace ser::test;
using namespace ser::test::registrar;

// ---- Call-ID, CSeq, User-Agent ------------------------------------------------

TEST(SaveCallId, StoredWithTheBindingAndUpdatedOnRefresh) {
    Reg r;
    LOAD(r);
    r.reply(reg(std::string(kC5070) + "User-Agent: Phone/1.0  \r\n", "call-a@host", 5));
    auto c = r.contacts("alice");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].callid, "call-a@host");
    EXPECT_EQ(c[0].cseq, 5u);
    EXPECT_EQ(c[0].user_agent, "Phone/1.0");
    EXPECT_EQ(c[0].socket, "udp:127.0.0.1:5060");
    // Another Call-ID for the same contact URI refreshes the one binding.
    r.reply(reg(kC5070, "call-b@host", 1));
    c = r.contacts("alice");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].callid, "call-b@host");
    EXPECT_EQ(c[0].cseq, 1u);
    EXPECT_EQ(c[0].user_agent, "Unknown");
}

TEST(SaveCallId, AnOlderCseqOfTheSameCallStillOverwrites) {
    Reg r;
    LOAD(r);
    r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=3000\r\n", "r1", 10));
    // [quirk] 0.9 makes no Call-ID/CSeq ordering check: no 400/500, the
    // older request wins.
    std::string rep = r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=120\r\n", "r1", 3));
    EXPECT_EQ(status_of(rep), 200);
    EXPECT_EQ(only_entry(rep), "<sip:alice@127.0.0.1:5070>;expires=120");
    auto c = r.contacts("alice");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].cseq, 3u);
    // The same CSeq again (a retransmission) is just processed again.
    EXPECT_EQ(status_of(r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=120\r\n", "r1", 3))), 200);
}

// ---- NAT flag --------------------------------------------------------------------

TEST(SaveNat, NatFlagOfTheRequestStoresFlNat) {
    Reg r;
    LOAD(r, "", "if (src_port==5081) setflag(4); save(\"location\");");
    r.send(reg(kC5070), 5081);
    r.send(reg(kC5071, "r2"), 5080);
    auto c = r.contacts("alice");
    ASSERT_EQ(c.size(), 2u);
    for (const auto& x : c) {
        if (x.uri == "sip:alice@127.0.0.1:5070") EXPECT_EQ(x.flags, unsigned(api::kFlNat));
        else EXPECT_EQ(x.flags, 0u);
    }
}

TEST(SaveNat, NatFlagParamNamesTheScriptFlag) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"nat_flag\", 6)\n",
         "if (src_port==5081) setflag(6); if (src_port==5082) setflag(4); save(\"location\");");
    r.send(reg(kC5070), 5081);
    r.send(reg(kC5071, "r2"), 5082);
    for (const auto& x : r.contacts("alice"))
        EXPECT_EQ(x.flags, x.uri == "sip:alice@127.0.0.1:5070" ? unsigned(api::kFlNat) : 0u) << x.uri;
}

TEST(SaveNat, RefreshSetsAndClearsFlNatToMatchTheRequest) {
    Reg r;
    LOAD(r, "", "if (src_port==5081) setflag(4); save(\"location\");");
    r.send(reg(kC5070), 5081);
    ASSERT_EQ(r.contacts("alice").at(0).flags, unsigned(api::kFlNat));
    r.send(reg(kC5070, "r1", 2), 5080);
    EXPECT_EQ(r.contacts("alice").at(0).flags, 0u);
    r.send(reg(kC5070, "r1", 3), 5081);
    EXPECT_EQ(r.contacts("alice").at(0).flags, unsigned(api::kFlNat));
}

TEST(SaveNat, RefreshKeepsOtherContactFlags) {
    Reg r;
    LOAD(r, "", "if (src_port==5081) setflag(4); save(\"location\");");
    // A permanent binding (FIFO ul_add with flags 128), then the phone
    // registers the same URI: only FL_NAT/FL_MEM follow the request.
    r.put("alice", "sip:alice@127.0.0.1:5070", "location", api::kQUnspecified, 0, api::kFlPermanent);
    r.send(reg(kC5070), 5081);
    auto c = r.contacts("alice");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].flags, unsigned(api::kFlPermanent | api::kFlNat));
    r.send(reg(kC5070, "r1", 2), 5080);
    EXPECT_EQ(r.contacts("alice").at(0).flags, unsigned(api::kFlPermanent));
}

// ---- received ----------------------------------------------------------------------

TEST(SaveReceived, ContactReceivedParamIsStoredAndListed) {
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg("Contact: <sip:alice@10.0.0.5:5060>;received=\"sip:127.0.0.1:5080\"\r\n"));
    EXPECT_EQ(only_entry(rep), "<sip:alice@10.0.0.5:5060>;expires=3600;received=\"sip:127.0.0.1:5080\"");
    auto c = r.contacts("alice");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].uri, "sip:alice@10.0.0.5:5060");   // the parameter is not part of the contact
    EXPECT_EQ(c[0].received, "sip:127.0.0.1:5080");
}

TEST(SaveReceived, ReceivedAvpOfFixNatedRegisterIsStored) {
    Reg r;
    LOAD(r);
    // nathelper's fix_nated_register() leaves the source as AVP 42.
    r.process(reg("Contact: <sip:alice@10.0.0.5:5060>\r\n"),
              [](sip::Msg& m) { sip::add_avp_str(m.avps, 42, "sip:127.0.0.1:5080"); });
    ASSERT_EQ(r.h->tx.sent.size(), 1u);
    EXPECT_EQ(only_entry(r.h->tx.sent[0].data),
              "<sip:alice@10.0.0.5:5060>;expires=3600;received=\"sip:127.0.0.1:5080\"");
    EXPECT_EQ(r.contacts("alice").at(0).received, "sip:127.0.0.1:5080");
}

TEST(SaveReceived, ContactParamWinsOverTheAvp) {
    Reg r;
    LOAD(r);
    r.process(reg("Contact: <sip:alice@10.0.0.5:5060>;received=\"sip:192.0.2.1:6000\"\r\n"),
              [](sip::Msg& m) { sip::add_avp_str(m.avps, 42, "sip:127.0.0.1:5080"); });
    EXPECT_EQ(r.contacts("alice").at(0).received, "sip:192.0.2.1:6000");
}

TEST(SaveReceived, ReceivedAvpAndReceivedParamParams) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"received_avp\", 43)\nmodparam(\"registrar\", \"received_param\", \"rcv\")\n");
    r.process(reg("Contact: <sip:alice@10.0.0.5:5060>\r\n"), [](sip::Msg& m) {
        sip::add_avp_str(m.avps, 42, "sip:192.0.2.1:6000");
        sip::add_avp_str(m.avps, 43, "sip:127.0.0.1:5080");
    });
    ASSERT_EQ(r.h->tx.sent.size(), 1u);
    EXPECT_EQ(only_entry(r.h->tx.sent[0].data), "<sip:alice@10.0.0.5:5060>;expires=3600;rcv=\"sip:127.0.0.1:5080\"");
}

TEST(SaveReceived, AnIntegerAvpIsNoReceivedUri) {
    Reg r;
    LOAD(r);
    r.process(reg("Contact: <sip:alice@10.0.0.5:5060>\r\n"), [](sip::Msg& m) { sip::add_avp_int(m.avps, 42, 7); });
    EXPECT_EQ(r.contacts("alice").at(0).received, "");
}

TEST(SaveReceived, ARefreshWithoutReceivedClearsIt) {
    Reg r;
    LOAD(r);
    r.reply(reg("Contact: <sip:alice@10.0.0.5:5060>;received=\"sip:127.0.0.1:5080\"\r\n"));
    std::string rep = r.reply(reg("Contact: <sip:alice@10.0.0.5:5060>\r\n", "r1", 2));
    EXPECT_EQ(only_entry(rep), "<sip:alice@10.0.0.5:5060>;expires=3600");
    EXPECT_EQ(r.contacts("alice").at(0).received, "");
}

// ---- save_noreply --------------------------------------------------------------------

TEST(SaveNoreply, StoresAndSendsNothing) {
    Reg r;
    LOAD(r, "", "save_noreply(\"location\");");
    auto out = r.send(reg(kC5070));
    EXPECT_TRUE(out.empty()) << out[0].data;
    EXPECT_EQ(r.uris("alice"), std::vector<std::string>{"sip:alice@127.0.0.1:5070"});
    out = r.send(reg("Contact: <sip:alice@127.0.0.1:5070>;expires=0\r\n", "r1", 2));
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(r.known("alice"));
}

TEST(SaveNoreply, ReturnsOneOnSuccessAndStopsTheScriptOnRejection) {
    QuietLogs quiet;
    Reg r;
    LOAD(r, "", "save_noreply(\"location\"); sl_send_reply(\"202\",\"saved\");");
    auto out = r.send(reg(kC5070));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(first_line(out[0].data), "SIP/2.0 202 saved");
    EXPECT_EQ(header(out[0].data, "Contact"), "<none>");   // the bindings belong to save()'s reply only
    out = r.send(reg("Contact: <sip:alice@127.0.0.1:5071>;q=1.5\r\n", "r1", 2));
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(r.uris("alice").size(), 1u);
}

// ---- save_memory ---------------------------------------------------------------------

TEST(SaveMemory, ContactsAreFlaggedMemoryOnlyPerCall) {
    Reg r;
    LOAD(r, "", "if (src_port==5081) { save_memory(\"location\"); break; }; save(\"location\");");
    auto out = r.send(reg(kC5070), 5081);
    ASSERT_EQ(out.size(), 1u);   // replies like save()
    EXPECT_EQ(only_entry(out[0].data), "<sip:alice@127.0.0.1:5070>;expires=3600");
    r.send(reg(kC5071, "r2"), 5080);
    for (const auto& c : r.contacts("alice"))
        EXPECT_EQ(c.flags, c.uri == "sip:alice@127.0.0.1:5070" ? unsigned(api::kFlMem) : 0u) << c.uri;
    // A normal save() of the memory-only contact clears the flag.
    r.send(reg(kC5070, "r1", 2), 5080);
    for (const auto& c : r.contacts("alice")) EXPECT_EQ(c.flags, 0u) << c.uri;
}

namespace {

bool have_sqlite_and_tool() {
    const std::filesystem::path dir = SER_MODULE_BUILD_DIR;
    return access((std::string(SER_SOURCE_DIR) + "/tools/ser-db").c_str(), X_OK) == 0 &&
           (std::filesystem::exists(dir / "sqlite.so") || std::filesystem::exists(dir / "sqlite" / "sqlite.so"));
}

// The contacts of the location table's rows.
std::vector<std::string> rows(Harness& h, const std::string& url) {
    std::vector<std::string> out;
    std::string e;
    db::Driver* d = db::find_driver(h.server, url, e);
    db::Url u;
    if (!d || !db::parse_url(url, u, e)) {
        ADD_FAILURE() << e;
        return out;
    }
    auto conn = d->connect(u, e);
    if (!conn) {
        ADD_FAILURE() << e;
        return out;
    }
    std::string_view cols[] = {"contact"};
    db::Result res;
    EXPECT_TRUE(conn->query({.table = "location", .columns = cols, .order_by = "contact", .purpose = "test"}, res));
    for (const auto& row : res.rows) out.emplace_back(row[0].s);
    return out;
}

}  // namespace

TEST(SaveMemory, WriteThroughWritesOnlyNormalSaves) {
    if (!have_sqlite_and_tool()) GTEST_SKIP() << "sqlite.so or tools/ser-db missing";
    TempDir dir;
    const std::string file = (dir.path / "ser.db").string();
    const std::string cmd = "SIP_DOMAIN=localhost '" + std::string(SER_SOURCE_DIR) + "/tools/ser-db' create sqlite '" +
                            file + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const std::string url = "sqlite://" + file;
    Reg r;
    LOAD(r, "modparam(\"usrloc\", \"db_mode\", 1)\nmodparam(\"usrloc\", \"db_url\", \"" + url + "\")\n",
         "if (src_port==5081) { save_memory(\"location\"); break; }; save(\"location\");",
         "loadmodule \"sqlite.so\"\n");
    r.send(reg(kC5070), 5081);
    r.send(reg(kC5071, "r2"), 5080);
    EXPECT_EQ(r.uris("alice").size(), 2u);
    EXPECT_EQ(rows(*r.h, url), std::vector<std::string>{"sip:alice@127.0.0.1:5071"});
    // Saved normally, the memory-only contact gets its row.
    r.send(reg(kC5070, "r1", 2), 5080);
    EXPECT_EQ(rows(*r.h, url), (std::vector<std::string>{"sip:alice@127.0.0.1:5070", "sip:alice@127.0.0.1:5071"}));
}
