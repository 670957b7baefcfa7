// save()'s error replies (modules.md §7.4 table): status, P-Registrar-Error
// and Retry-After; the address of record (§7.3: escapes, case, use_domain,
// realm_prefix); max_contacts.
#include "tests/registrar/reg_harness.hpp"

using namespace ser;
using namespace ser::test;
using namespace ser::test::registrar;

// ---- error replies ---------------------------------------------------------

TEST(SaveErrors, BadQIs400AndStoresNothing) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    for (std::string q : {"1.5", "2", "abc", "0.1234", "-0.5", "1.0.0"}) {
        std::string rep = r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;q=" + q + "\r\n"));
        EXPECT_EQ(first_line(rep), "SIP/2.0 400 Bad Request") << "q=" << q;
        EXPECT_EQ(header(rep, "P-Registrar-Error"), "Invalid q param in contact") << "q=" << q;
        EXPECT_NE(header(rep, "To").find(";tag="), std::string::npos);
    }
    EXPECT_FALSE(r.known("alice"));
}

TEST(SaveErrors, OneBadQRejectsTheWholeRequest) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    std::string rep = r.reply(reg(std::string(kC5070) + "Contact: <sip:alice@127.0.0.1:5071>;q=1.01\r\n"));
    EXPECT_EQ(status_of(rep), 400);
    EXPECT_FALSE(r.known("alice"));
}

TEST(SaveErrors, MalformedContactIs400ContactParseError) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    for (std::string c : {"<sip:alice@127.0.0.1:5070", "alice", "<sip:alice@127.0.0.1:5070>;;expires=60",
                          "\"Alice <sip:alice@127.0.0.1:5070>"}) {
        std::string rep = r.reply(reg("Contact: " + c + "\r\n"));
        EXPECT_EQ(first_line(rep), "SIP/2.0 400 Bad Request") << c;
        EXPECT_EQ(header(rep, "P-Registrar-Error"), "Contact parse error") << c;
    }
    // A bad second Contact header spoils the request too.
    std::string rep = r.reply(reg(std::string(kC5070) + "Contact: <sip:x\r\n"));
    EXPECT_EQ(header(rep, "P-Registrar-Error"), "Contact parse error") << rep;
    EXPECT_FALSE(r.known("alice"));
}

TEST(SaveErrors, ErrorRepliesListTheBindingsOnlyWhenTheRecordWasRead) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    r.reply(reg(kC5070));
    // A request rejected before usrloc is read: no Contact in the 400.
    std::string rep = r.reply(reg("Contact: <sip:alice@127.0.0.1:5071>;q=7\r\n", "r1", 2));
    EXPECT_EQ(status_of(rep), 400);
    EXPECT_EQ(header(rep, "Contact"), "<none>");
}

TEST(SaveErrors, AorTooLongIs500WithRetryAfter) {
    QuietLogs quiet;
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"retry_after\", 30)\n");
    // user + '@' + host = 257 bytes.
    const std::string host = "127.0.0.1";
    std::string user(256 - host.size(), 'a');
    std::string rep = r.reply(reg(kC5070, "r1", 1, "<sip:" + user + "@" + host + ">"));
    EXPECT_EQ(first_line(rep), "SIP/2.0 500 Server Internal Error");
    EXPECT_EQ(header(rep, "P-Registrar-Error"), "Address Of Record too long");
    EXPECT_EQ(header(rep, "Retry-After"), "30");
    // 256 bytes are fine.
    user.pop_back();
    EXPECT_EQ(status_of(r.reply(reg(kC5070, "r2", 1, "<sip:" + user + "@" + host + ">"))), 200);
}

TEST(SaveErrors, RetryAfterOnlyOn5xx) {
    QuietLogs quiet;
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"retry_after\", 30)\n");
    std::string rep = r.reply(reg("Contact: <sip:alice@127.0.0.1:5070>;q=5\r\n"));
    EXPECT_EQ(status_of(rep), 400);
    EXPECT_EQ(header(rep, "Retry-After"), "<none>");
    EXPECT_EQ(header(r.reply(reg(kC5070)), "Retry-After"), "<none>");
}

TEST(SaveErrors, NoRetryAfterByDefault) {
    QuietLogs quiet;
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"max_contacts\", 1)\n");
    r.reply(reg(kC5070));
    std::string rep = r.reply(reg(kC5071, "r1", 2));
    EXPECT_EQ(status_of(rep), 503);
    EXPECT_EQ(header(rep, "Retry-After"), "<none>");
}

TEST(SaveErrors, RejectedSaveStopsTheScript) {
    QuietLogs quiet;
    Reg r;
    LOAD(r, "", "if (!save(\"location\")) sl_send_reply(\"500\",\"y\"); sl_send_reply(\"299\",\"z\");");
    // save() returns 0 after its error reply: nothing after it runs.
    auto out = r.send(reg("Contact: <sip:alice@127.0.0.1:5070>;q=1.5\r\n"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(first_line(out[0].data), "SIP/2.0 400 Bad Request");
    // A successful save() returns 1: the script goes on.
    out = r.send(reg(kC5070));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(first_line(out[0].data), "SIP/2.0 200 OK");
    EXPECT_EQ(first_line(out[1].data), "SIP/2.0 299 z");
}

TEST(SaveErrors, RequestsWithoutCallIdCseqOrToNeverReachSave) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    // The core answers 400 to these before any route runs, so registrar's
    // own "... header not found" replies are not seen on the wire.
    auto without = [](std::string m, const std::string& name) {
        size_t p = m.find("\r\n" + name + ": ") + 2;
        m.erase(p, m.find("\r\n", p) + 2 - p);
        return m;
    };
    for (std::string name : {"Call-ID", "CSeq", "To"}) {
        std::string rep = r.reply(without(reg(kC5070), name));
        EXPECT_EQ(status_of(rep), 400) << name;
    }
    std::string bad_cseq = reg(kC5070);
    bad_cseq.replace(bad_cseq.find("CSeq: 1 "), 8, "CSeq: x ");
    EXPECT_EQ(status_of(r.reply(bad_cseq)), 400);
    EXPECT_FALSE(r.known("alice"));
}

TEST(SaveErrors, RepliesGoToTheViaOfTheRequest) {
    Reg r;
    LOAD(r);
    auto out = r.send(reg(kC5070), 5080);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].to_ip, "127.0.0.1");
    EXPECT_EQ(out[0].to_port, 5080);
    EXPECT_EQ(out[0].from, "127.0.0.1:5060");
}

TEST(SaveErrors, RegisterIsNeverForwarded) {
    Reg r;
    LOAD(r, "", "save(\"location\");");
    auto out = r.send(reg(kC5070));
    ASSERT_EQ(out.size(), 1u);   // the 200, nothing else
    EXPECT_EQ(status_of(out[0].data), 200);
}

// ---- the address of record ---------------------------------------------------

TEST(SaveAor, EscapesOfTheUserAreDecoded) {
    Reg r;
    LOAD(r);
    EXPECT_EQ(status_of(r.reply(reg(kC5070, "r1", 1, "<sip:%61lice@127.0.0.1>"))), 200);
    EXPECT_EQ(r.uris("alice").size(), 1u);
}

TEST(SaveAor, UnparsableToUriIs400) {
    QuietLogs quiet;
    Reg r;
    LOAD(r);
    // A broken escape, and schemes SER's URI parser does not know.
    for (std::string to : {"<sip:al%zzice@127.0.0.1>", "<http://example.com/alice>", "<mailto:alice@example.com>"}) {
        std::string rep = r.reply(reg(kC5070, "r1", 1, to));
        EXPECT_EQ(first_line(rep), "SIP/2.0 400 Bad Request") << to;
        EXPECT_EQ(header(rep, "P-Registrar-Error"), "Error while parsing AOR") << to;
    }
    EXPECT_FALSE(r.known(""));
}

TEST(SaveAor, TelToIsKeyedByTheNumber) {
    Reg r;
    LOAD(r);
    EXPECT_EQ(status_of(r.reply(reg(kC5070, "r1", 1, "<tel:+4930123>"))), 200);
    EXPECT_EQ(r.uris("+4930123").size(), 1u);
}

TEST(SaveAor, EmptyUserIsTheEmptyAor) {
    Reg r;
    LOAD(r);
    EXPECT_EQ(status_of(r.reply(reg(kC5070, "r1", 1, "<sip:127.0.0.1>"))), 200);
    EXPECT_EQ(r.uris(""), std::vector<std::string>{"sip:alice@127.0.0.1:5070"});
}

TEST(SaveAor, AorIsLowerCasedUnlessCaseSensitive) {
    {
        Reg r;
        LOAD(r);
        r.reply(reg(kC5070, "r1", 1, "<sip:Alice@127.0.0.1>"));
        EXPECT_EQ(r.uris("alice").size(), 1u);
        EXPECT_FALSE(r.known("Alice"));
    }
    {
        Reg r;
        LOAD(r, "modparam(\"registrar\", \"case_sensitive\", 1)\n");
        r.reply(reg(kC5070, "r1", 1, "<sip:Alice@127.0.0.1>"));
        EXPECT_EQ(r.uris("Alice").size(), 1u);
        EXPECT_FALSE(r.known("alice"));
    }
}

TEST(SaveAor, UseDomainKeysByUserAndLowerCasedHost) {
    {
        Reg r;
        LOAD(r, "modparam(\"usrloc\", \"use_domain\", 1)\nmodparam(\"registrar\", \"use_domain\", 1)\n");
        r.reply(reg(kC5070, "r1", 1, "<sip:Alice@Example.COM>"));
        r.reply(reg(kC5071, "r2", 1, "<sip:alice@example.org>"));
        EXPECT_EQ(r.uris("alice@example.com"), std::vector<std::string>{"sip:alice@127.0.0.1:5070"});
        EXPECT_EQ(r.uris("alice@example.org"), std::vector<std::string>{"sip:alice@127.0.0.1:5071"});
        EXPECT_FALSE(r.known("alice"));
    }
    {
        Reg r;
        LOAD(r, "modparam(\"usrloc\", \"use_domain\", 1)\nmodparam(\"registrar\", \"use_domain\", 1)\n"
                "modparam(\"registrar\", \"case_sensitive\", 1)\n");
        r.reply(reg(kC5070, "r1", 1, "<sip:Alice@Example.COM>"));
        EXPECT_EQ(r.uris("Alice@example.com").size(), 1u);
    }
}

TEST(SaveAor, RealmPrefixIsStrippedFromALongerHost) {
    Reg r;
    LOAD(r, "modparam(\"usrloc\", \"use_domain\", 1)\nmodparam(\"registrar\", \"use_domain\", 1)\n"
            "modparam(\"registrar\", \"realm_prefix\", \"sip.\")\n");
    r.reply(reg(kC5070, "r1", 1, "<sip:alice@sip.example.com>"));
    EXPECT_EQ(r.uris("alice@example.com").size(), 1u);
    // A host that is only the prefix keeps it (it must be longer).
    r.reply(reg(kC5070, "r2", 1, "<sip:bob@sip.>"));
    EXPECT_EQ(r.uris("bob@sip.").size(), 1u);
}

TEST(SaveAor, RealmPrefixNeedsUseDomain) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"realm_prefix\", \"sip.\")\n");
    r.reply(reg(kC5070, "r1", 1, "<sip:alice@sip.example.com>"));
    EXPECT_EQ(r.uris("alice").size(), 1u);
}

TEST(SaveAor, UseDomainMustMatchUsrloc) {
    QuietLogs quiet;
    Reg a;
    EXPECT_FALSE(a.load("modparam(\"registrar\", \"use_domain\", 1)\n"));
    Reg b;
    EXPECT_FALSE(b.load("modparam(\"usrloc\", \"use_domain\", 1)\n"));
}

TEST(SaveAor, RegistrarNeedsSlAndUsrlocLoadedFirst) {
    QuietLogs quiet;
    Harness h;
    EXPECT_FALSE(h.load("listen=udp:127.0.0.1:5060\nloadmodule \"usrloc.so\"\nloadmodule \"registrar.so\"\n"
                        "route{ save(\"location\"); }\n"));
    Harness g;
    EXPECT_FALSE(g.load("listen=udp:127.0.0.1:5060\nloadmodule \"sl.so\"\nloadmodule \"registrar.so\"\n"
                        "route{ save(\"location\"); }\n"));
}

// ---- max_contacts ------------------------------------------------------------

TEST(SaveMaxContacts, KnownAorOverTheLimitIs503AndUnchanged) {
    QuietLogs quiet;
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"max_contacts\", 1)\nmodparam(\"registrar\", \"retry_after\", 30)\n");
    r.reply(reg(kC5070));
    std::string rep = r.reply(reg(kC5071, "r1", 2));
    EXPECT_EQ(first_line(rep), "SIP/2.0 503 Service Unavailable");
    EXPECT_EQ(header(rep, "P-Registrar-Error"), "Too many registered contacts");
    EXPECT_EQ(header(rep, "Retry-After"), "30");
    auto e = contact_entries(rep);
    ASSERT_EQ(e.size(), 1u) << rep;
    EXPECT_EQ(without_expires(e[0]), "<sip:alice@127.0.0.1:5070>");
    EXPECT_EQ(r.uris("alice"), std::vector<std::string>{"sip:alice@127.0.0.1:5070"});
}

TEST(SaveMaxContacts, NewAorOverTheLimitLeavesNoRecord) {
    QuietLogs quiet;
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"max_contacts\", 1)\n");
    std::string rep = r.reply(reg(std::string(kC5070) + kC5071));
    EXPECT_EQ(status_of(rep), 503);
    EXPECT_EQ(header(rep, "P-Registrar-Error"), "Too many registered contacts");
    EXPECT_EQ(header(rep, "Contact"), "<none>");
    EXPECT_FALSE(r.known("alice"));   // [quirk] the whole new record is dropped
    EXPECT_EQ(first_line(r.reply(request())), "SIP/2.0 404 Not Found");
}

TEST(SaveMaxContacts, RefreshAndReplaceStayWithinTheLimit) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"max_contacts\", 2)\n");
    r.reply(reg(std::string(kC5070) + kC5071));
    // Refreshing both is no new binding.
    EXPECT_EQ(status_of(r.reply(reg(std::string(kC5070) + kC5071, "r1", 2))), 200);
    // One removed and one new in the same request: still two.
    std::string rep = r.reply(reg("Contact: <sip:alice@127.0.0.1:5071>;expires=0\r\n"
                                  "Contact: <sip:alice@127.0.0.1:5072>\r\n", "r1", 3));
    EXPECT_EQ(status_of(rep), 200) << rep;
    EXPECT_EQ(r.uris("alice"), (std::vector<std::string>{"sip:alice@127.0.0.1:5070", "sip:alice@127.0.0.1:5072"}));
}

TEST(SaveMaxContacts, ExpiredBindingsDoNotCount) {
    Reg r;
    LOAD(r, "modparam(\"registrar\", \"max_contacts\", 1)\n");
    r.put("alice", "sip:alice@127.0.0.1:5079", "location", api::kQUnspecified, -10);   // expired, timer not run
    std::string rep = r.reply(reg(kC5070));
    EXPECT_EQ(status_of(rep), 200) << rep;
    EXPECT_EQ(contact_entries(rep).size(), 1u);
}

TEST(SaveMaxContacts, ZeroMeansNoLimit) {
    Reg r;
    LOAD(r);
    std::string contacts;
    for (int port = 5070; port < 5090; ++port) contacts += "Contact: <sip:alice@127.0.0.1:" + std::to_string(port) + ">\r\n";
    EXPECT_EQ(contact_entries(r.reply(reg(contacts))).size(), 20u);
}
