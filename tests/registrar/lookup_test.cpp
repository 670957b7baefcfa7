// lookup() and registered() (modules.md §7.5): the R-URI rewritten to the
// best binding, the other bindings appended as branches, the received URI
// as destination, the NAT flag, aliases, and the failures the script sees.
#include "ser/sip/dset.hpp"
#include "tests/registrar/reg_harness.hpp"

using namespace ser;
using namespace ser::test;
using namespace ser::test::registrar;

namespace {

// A route that records what lookup() did without forwarding: the test
// reads the message afterwards.
const char* kLookupOnly =
    "if (method==\"REGISTER\") { save(\"location\"); break; };"
    " if (lookup(\"location\")) { sl_send_reply(\"299\",\"found\"); break; };"
    " sl_send_reply(\"404\",\"Not Found\");";

std::string reg_contact(const std::string& contact, const std::string& callid = "r1") {
    return reg("Contact: " + contact + "\r\n", callid);
}

}  // namespace

TEST(Lookup, UnknownUserTakesTheFalseBranch) {
    Reg r;
    LOAD(r);
    auto out = r.send(request());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(first_line(out[0].data), "SIP/2.0 404 Not Found");
}

TEST(Lookup, RequestUriBecomesTheRegisteredContact) {
    Reg r;
    LOAD(r);
    r.reply(reg_contact("<sip:alice@127.0.0.1:5070;transport=udp>"));
    auto out = r.send(request());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(first_line(out[0].data), "INVITE sip:alice@127.0.0.1:5070;transport=udp SIP/2.0");
    EXPECT_EQ(out[0].to_port, 5070);
    EXPECT_EQ(out[0].to_ip, "127.0.0.1");
}

TEST(Lookup, AorOfTheRequestUriIsLowerCased) {
    Reg r;
    LOAD(r);
    r.reply(reg_contact("<sip:alice@127.0.0.1:5070>"));
    auto m = r.process(request("sip:ALICE@127.0.0.1"));
    EXPECT_EQ(m->new_uri, "sip:alice@127.0.0.1:5070");
}

TEST(Lookup, HighestQFirstOthersAsBranches) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>\r\n"
                "Contact: <sip:alice@127.0.0.1:5071>;q=0.5\r\n"
                "Contact: <sip:alice@127.0.0.1:5072>;q=0.9\r\n"));
    auto m = r.process(request());
    EXPECT_EQ(status_of(r.h->tx.sent.back().data), 299);
    EXPECT_EQ(m->new_uri, "sip:alice@127.0.0.1:5072");
    ASSERT_EQ(m->branches.size(), 2u);
    EXPECT_EQ(m->branches[0].uri, "sip:alice@127.0.0.1:5071");
    EXPECT_EQ(m->branches[1].uri, "sip:alice@127.0.0.1:5070");
    EXPECT_EQ(m->branches[0].dst_uri, "");
    // [2005] the branches carry their q (the core supports per-branch q).
    EXPECT_EQ(m->branches[0].q, 500);
    EXPECT_EQ(m->branches[1].q, api::kQUnspecified);
    EXPECT_EQ(m->dst_uri, "");
    EXPECT_EQ(m->flags, 0u);
}

TEST(Lookup, AppendBranchesZeroUsesOnlyTheFirst) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"append_branches\", 0)\n", kLookupOnly);
    r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;q=0.1, <sip:alice@127.0.0.1:5071>;q=0.2\r\n"));
    auto m = r.process(request());
    EXPECT_EQ(m->new_uri, "sip:alice@127.0.0.1:5071");
    EXPECT_TRUE(m->branches.empty());
}

TEST(Lookup, StatelessForwardGoesToTheFirstBindingOnly) {
    Reg r;
    LOAD(r);
    r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>, <sip:alice@127.0.0.1:5071>;q=0.5\r\n"));
    auto out = r.send(request());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(first_line(out[0].data), "INVITE sip:alice@127.0.0.1:5071 SIP/2.0");
    EXPECT_EQ(out[0].to_port, 5071);
}

TEST(Lookup, BranchesStopAtTheBranchLimit) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    std::string contacts;
    for (int i = 0; i < 15; ++i) contacts += "Contact: <sip:alice@127.0.0.1:" + std::to_string(5070 + i) + ">\r\n";
    r.reply(reg(contacts));
    auto m = r.process(request());
    EXPECT_EQ(status_of(r.h->tx.sent.back().data), 299);   // still found
    EXPECT_EQ(m->new_uri, "sip:alice@127.0.0.1:5070");
    EXPECT_EQ(m->branches.size(), sip::kMaxAppendedBranches);
}

TEST(Lookup, ExpiredBindingsAreSkipped) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    r.put("alice", "sip:alice@127.0.0.1:5079", "location", 1000, -5);   // best q, but expired
    r.put("alice", "sip:alice@127.0.0.1:5070", "location", 100, 600);
    auto m = r.process(request());
    EXPECT_EQ(m->new_uri, "sip:alice@127.0.0.1:5070");
    EXPECT_TRUE(m->branches.empty());
}

TEST(Lookup, OnlyExpiredBindingsIsNotFoundAndChangesNothing) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    r.put("alice", "sip:alice@127.0.0.1:5079", "location", api::kQUnspecified, -5, api::kFlNat,
          "sip:127.0.0.1:5080");
    auto m = r.process(request());
    EXPECT_EQ(first_line(r.h->tx.sent.back().data), "SIP/2.0 404 Not Found");
    EXPECT_EQ(m->new_uri, "");
    EXPECT_EQ(m->dst_uri, "");
    EXPECT_TRUE(m->branches.empty());
    EXPECT_EQ(m->flags, 0u);
}

TEST(Lookup, PermanentBindingIsAlwaysFound) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    r.put("alice", "sip:alice@127.0.0.1:5072", "location", 1000, -100, api::kFlPermanent);
    auto m = r.process(request());
    EXPECT_EQ(m->new_uri, "sip:alice@127.0.0.1:5072");
}

TEST(Lookup, UsesTheRewrittenRequestUri) {
    Reg r;
    LOAD(r, "", "rewriteuri(\"sip:alice@127.0.0.1\"); if (lookup(\"location\")) forward(uri:host, uri:port);");
    r.put("alice", "sip:alice@127.0.0.1:5070");
    auto out = r.send(request("sip:someone-else@127.0.0.1"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(first_line(out[0].data), "INVITE sip:alice@127.0.0.1:5070 SIP/2.0");
}

TEST(Lookup, UseDomainKeepsDomainsApart) {
    Reg r;
    LOAD(r, "modparam(\"usrloc\", \"use_domain\", 1)\nmodparam(\"registrar\", \"use_domain\", 1)\n", kLookupOnly);
    r.put("alice@example.com", "sip:alice@127.0.0.1:5070");
    EXPECT_EQ(r.process(request("sip:alice@EXAMPLE.com"))->new_uri, "sip:alice@127.0.0.1:5070");
    EXPECT_EQ(r.process(request("sip:alice@example.org"))->new_uri, "");
    EXPECT_EQ(first_line(r.h->tx.sent.back().data), "SIP/2.0 404 Not Found");
}

TEST(Lookup, WithoutUseDomainTheHostIsIgnored) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    r.put("alice", "sip:alice@127.0.0.1:5070");
    EXPECT_EQ(r.process(request("sip:alice@example.org"))->new_uri, "sip:alice@127.0.0.1:5070");
}

// ---- received and NAT ------------------------------------------------------------------

TEST(LookupNat, ReceivedBecomesTheDestinationUri) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    r.put("alice", "sip:alice@10.0.0.5:5060", "location", 1000, 3600, 0, "sip:127.0.0.1:5080");
    r.put("alice", "sip:alice@10.0.0.6:5060", "location", 500, 3600, 0, "sip:127.0.0.1:5081");
    r.put("alice", "sip:alice@127.0.0.1:5072", "location", 100);
    auto m = r.process(request());
    EXPECT_EQ(m->new_uri, "sip:alice@10.0.0.5:5060");
    EXPECT_EQ(m->dst_uri, "sip:127.0.0.1:5080");
    ASSERT_EQ(m->branches.size(), 2u);
    EXPECT_EQ(m->branches[0].uri, "sip:alice@10.0.0.6:5060");
    EXPECT_EQ(m->branches[0].dst_uri, "sip:127.0.0.1:5081");
    EXPECT_EQ(m->branches[1].dst_uri, "");
}

TEST(LookupNat, ForwardSendsToTheReceivedAddressKeepingTheContactInTheRequestLine) {
    Reg r;
    LOAD(r);
    r.reply(reg("Contact: <sip:alice@10.0.0.5:5060>;received=\"sip:127.0.0.1:5080\"\r\n"));
    auto out = r.send(request());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(first_line(out[0].data), "INVITE sip:alice@10.0.0.5:5060 SIP/2.0");
    EXPECT_EQ(out[0].to_ip, "127.0.0.1");
    EXPECT_EQ(out[0].to_port, 5080);
}

TEST(LookupNat, NoReceivedLeavesAnEarlierDestinationAlone) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    r.put("alice", "sip:alice@127.0.0.1:5070");
    auto m = r.process(request(), [](sip::Msg& msg) { msg.dst_uri = "sip:127.0.0.1:5999"; });
    EXPECT_EQ(m->new_uri, "sip:alice@127.0.0.1:5070");
    EXPECT_EQ(m->dst_uri, "sip:127.0.0.1:5999");   // only a received URI sets it
}

TEST(LookupNat, NatFlagSetWhenTheFirstBindingIsNated) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    r.put("alice", "sip:alice@10.0.0.5:5060", "location", 1000, 3600, api::kFlNat);
    auto m = r.process(request());
    EXPECT_EQ(m->flags, 1u << 4);
}

TEST(LookupNat, NatFlagSetWhenAnAppendedBindingIsNated) {
    Reg r;
    LOAD(r, "", kLookupOnly);
    r.put("alice", "sip:alice@127.0.0.1:5070", "location", 1000);
    r.put("alice", "sip:alice@10.0.0.5:5060", "location", 500, 3600, api::kFlNat);
    EXPECT_EQ(r.process(request())->flags, 1u << 4);
}

TEST(LookupNat, NatedBindingNotUsedSetsNoFlag) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"append_branches\", 0)\n", kLookupOnly);
    r.put("alice", "sip:alice@127.0.0.1:5070", "location", 1000);
    r.put("alice", "sip:alice@10.0.0.5:5060", "location", 500, 3600, api::kFlNat);
    EXPECT_EQ(r.process(request())->flags, 0u);
}

TEST(LookupNat, SaveAndLookupShareTheNatFlagParam) {
    Reg r;
    // Checklist 76: setflag(6) on REGISTER, isflagset(6) after lookup.
    LOAD(r, "modparam(\"registrar\", \"nat_flag\", 6)\n",
         "if (method==\"REGISTER\") { setflag(6); save(\"location\"); break; };"
         " lookup(\"location\"); if (isflagset(6)) { sl_send_reply(\"298\",\"nat\"); break; };"
         " sl_send_reply(\"297\",\"no nat\");");
    r.reply(reg("Contact: <sip:alice@10.0.0.5:5060>\r\n"));
    EXPECT_EQ(r.contacts("alice").at(0).flags, unsigned(api::kFlNat));
    EXPECT_EQ(first_line(r.reply(request())), "SIP/2.0 298 nat");
    EXPECT_EQ(first_line(r.reply(request("sip:bob@127.0.0.1"))), "SIP/2.0 297 no nat");
}

// ---- aliases ---------------------------------------------------------------------------

TEST(LookupAliases, AliasIsRewrittenToItsTargetThenLocated) {
    Reg r;
    LOAD(r, "",
         "if (lookup(\"aliases\")) { if (!lookup(\"location\")) { sl_send_reply(\"404\",\"Not Found\"); break; }; };"
         " forward(uri:host, uri:port);");
    // The alias record's "contact" is its target (FIFO ul_add's usual use).
    r.put("sales", "sip:alice@127.0.0.1", "aliases");
    r.put("alice", "sip:alice@127.0.0.1:5070");
    auto out = r.send(request("sip:sales@127.0.0.1"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(first_line(out[0].data), "INVITE sip:alice@127.0.0.1:5070 SIP/2.0");
    // Not an alias: lookup("aliases") is false, the R-URI stays.
    out = r.send(request("sip:nobody@127.0.0.1:5075"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(first_line(out[0].data), "INVITE sip:nobody@127.0.0.1:5075 SIP/2.0");
    EXPECT_EQ(out[0].to_port, 5075);
}

TEST(LookupAliases, AliasRewriteAlone) {
    Reg r;
    LOAD(r, "", "lookup(\"aliases\"); sl_send_reply(\"299\",\"x\");");
    r.put("sales", "sip:alice@example.com", "aliases");
    auto m = r.process(request("sip:Sales@127.0.0.1"));
    EXPECT_EQ(m->new_uri, "sip:alice@example.com");
    EXPECT_TRUE(m->branches.empty());
}

// ---- registered() -----------------------------------------------------------------------

namespace {
const char* kRegistered =
    "if (method==\"REGISTER\") { save(\"location\"); break; };"
    " if (registered(\"location\")) sl_send_reply(\"200\",\"yes\"); else sl_send_reply(\"404\",\"no\");";
}

TEST(Registered, TrueForARegisteredAorFalseOtherwise) {
    Reg r;
    LOAD(r, "", kRegistered);
    EXPECT_EQ(first_line(r.reply(request("sip:alice@127.0.0.1", "OPTIONS"))), "SIP/2.0 404 no");
    r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>\r\n"));
    EXPECT_EQ(first_line(r.reply(request("sip:alice@127.0.0.1", "OPTIONS"))), "SIP/2.0 200 yes");
    EXPECT_EQ(first_line(r.reply(request("sip:Alice@elsewhere.example", "OPTIONS"))), "SIP/2.0 200 yes");
    EXPECT_EQ(first_line(r.reply(request("sip:bob@127.0.0.1", "OPTIONS"))), "SIP/2.0 404 no");
}

TEST(Registered, FalseWhenEveryBindingExpired) {
    Reg r;
    LOAD(r, "", kRegistered);
    // [fix] 0.9 answered true for a record whose contacts all expired.
    r.put("alice", "sip:alice@127.0.0.1:5070", "location", api::kQUnspecified, -5);
    ASSERT_TRUE(r.known("alice"));
    EXPECT_EQ(first_line(r.reply(request("sip:alice@127.0.0.1", "OPTIONS"))), "SIP/2.0 404 no");
}

TEST(Registered, ChangesNothing) {
    Reg r;
    LOAD(r, "", "registered(\"location\"); sl_send_reply(\"299\",\"x\");");
    r.put("alice", "sip:alice@127.0.0.1:5070", "location", api::kQUnspecified, 3600, api::kFlNat,
          "sip:127.0.0.1:5080");
    auto m = r.process(request());
    EXPECT_EQ(m->new_uri, "");
    EXPECT_EQ(m->dst_uri, "");
    EXPECT_EQ(m->flags, 0u);
}

TEST(Registered, GoneAfterStarRemoval) {
    Reg r;
    LOAD(r, "", kRegistered);
    r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>\r\n"));
    r.reply(reg("Contact: *\r\nExpires: 0\r\n", "r1", 2));
    EXPECT_EQ(first_line(r.reply(request("sip:alice@127.0.0.1", "OPTIONS"))), "SIP/2.0 404 no");
}
