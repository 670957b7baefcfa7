// rr unit tests through the descriptor (modules.md §4): the Record-Route
// text for every send context, record_route_preset, and every path of
// loose_route() (RFC 3261 §16.4, §16.12) checked on the lumps it leaves.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include "tests/fakes/module_harness.hpp"
#include "tests/modules/messages.hpp"

namespace ser::test {
namespace {

// An in-dialog BYE (To tag tt1 unless `to_tag` is empty); `routes` are the
// Route header lines, each without CRLF.
std::string bye(const std::string& ruri, const std::vector<std::string>& routes, const std::string& to_tag = "tt1") {
    std::string m = "BYE " + ruri + " SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-b1\r\n"
                    "From: <sip:alice@example.com>;tag=ft1\r\n"
                    "To: <sip:bob@example.com>" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n"
                    "Call-ID: c2\r\nCSeq: 2 BYE\r\n";
    for (const auto& r : routes) m += r + "\r\n";
    return m + "Content-Length: 0\r\n\r\n";
}

std::string first_line(const std::string& m) { return m.substr(0, m.find("\r\n")); }

// The header lines (name included) between the request line and the empty line.
std::vector<std::string> header_lines(const std::string& m) {
    std::vector<std::string> out;
    size_t p = m.find("\r\n") + 2, end = m.find("\r\n\r\n");
    while (p < end + 2) {
        size_t e = m.find("\r\n", p);
        out.push_back(m.substr(p, e - p));
        p = e + 2;
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& m, const std::string& name) {
    std::vector<std::string> out;
    for (auto& l : header_lines(m))
        if (l.rfind(name + ":", 0) == 0) out.push_back(l);
    return out;
}

class RrTest : public ::testing::Test {
protected:
    ModuleHarness h;

    void param(const char* name, long v) {
        std::string err;
        ASSERT_TRUE(h.set_param(name, v, err)) << err;
    }
    void init() { ASSERT_TRUE(h.init()); }

    // A message received on the fake core's first socket (127.0.0.1:5060 UDP).
    std::unique_ptr<TestMsg> msg(const std::string& text, size_t socket = 0) {
        auto m = std::make_unique<TestMsg>(text);
        EXPECT_TRUE(m->parsed()) << m->msg.error();
        const SocketInfo& s = h.core.sockets_.at(socket);
        m->msg.rcv.socket = &s;
        m->msg.rcv.proto = s.proto;
        m->msg.rcv.dst_ip = s.address;
        m->msg.rcv.dst_port = s.port;
        return m;
    }

    int run(const char* name, TestMsg& m, std::vector<std::string> args = {}) {
        return h.run(name, std::move(args), m.msg);
    }

    // The message as built for `send` (no send context when null).
    static std::string sent(const TestMsg& m, const SocketInfo* send, std::string_view adv_address = {},
                            std::string_view adv_port = {}) {
        if (!send) return m.edited();
        sip::SendContext ctx;
        ctx.send_socket = send;
        ctx.recv_socket = static_cast<const SocketInfo*>(m.msg.rcv.socket);
        ctx.proto = send->proto;
        ctx.adv_address = adv_address;
        ctx.adv_port = adv_port;
        return m.msg.lumps.apply(m.msg.buffer(), &ctx);
    }
};

// ---------------------------------------------------------------- descriptor

TEST_F(RrTest, Descriptor) {
    EXPECT_STREQ(h.exports.name, "rr");
    for (const char* f : {"record_route", "loose_route"}) {
        const CmdExport* c = h.find(f, 0);
        ASSERT_NE(c, nullptr) << f;
        EXPECT_EQ(c->route_mask, unsigned(kRequestRoute)) << f;
    }
    const CmdExport* p = h.find("record_route_preset", 1);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->route_mask, unsigned(kRequestRoute));
    // There is no record_route("params") in 0.9 (§4.2).
    EXPECT_EQ(h.find("record_route", 1), nullptr);
}

// §4.2 [quirk]: exported, but allowed in no block kind.
TEST_F(RrTest, RecordRouteStrictIsAllowedNowhere) {
    const CmdExport* c = h.find("record_route_strict", 0);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->route_mask, 0u);
}

TEST_F(RrTest, ParamsAreIntegers) {
    std::string err;
    for (const char* p : {"enable_full_lr", "append_fromtag", "enable_double_rr", "add_username"}) {
        EXPECT_TRUE(h.set_param(p, 1, err)) << p << ": " << err;
        EXPECT_FALSE(h.set_param(p, ParamValue{ParamType::Str, 0, "1"}, err)) << p;
    }
    // Only in ENABLE_USER_CHECK builds and on the 2006 trunk (§4.1).
    EXPECT_FALSE(h.set_param("ignore_user", ParamValue{ParamType::Str, 0, "x"}, err));
    EXPECT_FALSE(h.set_param("cookie_secret", ParamValue{ParamType::Str, 0, "x"}, err));
}

// ------------------------------------------------------------- record_route

// Checklist 16 with the defaults: the first header line, from the
// receiving socket, ftag and ;lr.
TEST_F(RrTest, DefaultsGiveOneEntryAtTheTop) {
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route", *m), 1);
    std::string out = m->edited();
    EXPECT_EQ(header_lines(out).at(0), "Record-Route: <sip:127.0.0.1;ftag=ft1;lr>");
    EXPECT_EQ(m->msg.buffer(), m->raw()) << "the received buffer is not edited";
}

// The core's Via, inserted at the first Via line later, comes below; a
// Max-Forwards inserted earlier at the same offset stays above (§4.3 [quirk]).
TEST_F(RrTest, OrderWithMaxForwardsAndTheProxyVia) {
    init();
    auto m = msg(inv());
    uint32_t top = m->msg.headers().front().offset;
    m->msg.lumps.insert(top, "Max-Forwards: 10\r\n");
    EXPECT_EQ(run("record_route", *m), 1);
    m->msg.lumps.insert(top, "Via: SIP/2.0/UDP 127.0.0.1;branch=0\r\n");
    auto l = header_lines(m->edited());
    EXPECT_EQ(l.at(0), "Max-Forwards: 10");
    EXPECT_EQ(l.at(1), "Record-Route: <sip:127.0.0.1;ftag=ft1;lr>");
    EXPECT_EQ(l.at(2), "Via: SIP/2.0/UDP 127.0.0.1;branch=0");
}

TEST_F(RrTest, FullLr) {   // checklist 17
    param("enable_full_lr", 1);
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route", *m), 1);
    EXPECT_EQ(header_lines(m->edited()).at(0), "Record-Route: <sip:127.0.0.1;ftag=ft1;lr=on>");
}

TEST_F(RrTest, NoFromTagParameter) {   // checklist 18
    param("append_fromtag", 0);
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route", *m), 1);
    EXPECT_EQ(header_lines(m->edited()).at(0), "Record-Route: <sip:127.0.0.1;lr>");
}

TEST_F(RrTest, FromWithoutTagGivesNoFtag) {
    init();
    auto m = msg(inv("", "sip:bob@127.0.0.1:5070", "", "z9hG4bK-1", "INVITE", "<sip:alice@example.com>"));
    EXPECT_EQ(run("record_route", *m), 1);
    EXPECT_EQ(header_lines(m->edited()).at(0), "Record-Route: <sip:127.0.0.1;lr>");
}

TEST_F(RrTest, PortOtherThan5060IsWritten) {   // checklist 19
    h.core.add_socket("127.0.0.1", 5062);
    init();
    auto m = msg(inv(), 1);
    EXPECT_EQ(run("record_route", *m), 1);
    EXPECT_EQ(header_lines(m->edited()).at(0), "Record-Route: <sip:127.0.0.1:5062;ftag=ft1;lr>");
}

TEST_F(RrTest, Ipv6AddressInBrackets) {
    h.core.add_socket("2001:db8::1", 5060);
    init();
    auto m = msg(inv(), 1);
    EXPECT_EQ(run("record_route", *m), 1);
    EXPECT_EQ(header_lines(m->edited()).at(0), "Record-Route: <sip:[2001:db8::1];ftag=ft1;lr>");
}

TEST_F(RrTest, TransportParameterOfTheReceivingSocket) {
    h.core.add_socket("127.0.0.1", 5060, PROTO_TCP);
    h.core.add_socket("127.0.0.1", 5061, PROTO_TLS);
    init();
    auto tcp = msg(inv(), 1);
    EXPECT_EQ(run("record_route", *tcp), 1);
    EXPECT_EQ(header_lines(tcp->edited()).at(0), "Record-Route: <sip:127.0.0.1;transport=tcp;ftag=ft1;lr>");
    auto tls = msg(inv(), 2);
    EXPECT_EQ(run("record_route", *tls), 1);
    EXPECT_EQ(header_lines(tls->edited()).at(0), "Record-Route: <sip:127.0.0.1:5061;transport=tls;ftag=ft1;lr>");
}

// The same socket out as in: one entry, no r2.
TEST_F(RrTest, SameSendingSocketGivesOneEntry) {
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route", *m), 1);
    auto rr = lines_of(sent(*m, &h.core.sockets_[0]), "Record-Route");
    EXPECT_EQ(rr, std::vector<std::string>{"Record-Route: <sip:127.0.0.1;ftag=ft1;lr>"});
}

// Checklist 20 at the module level: in over TCP, out over UDP.
TEST_F(RrTest, TransportChangeGivesTwoEntriesWithR2) {
    h.core.add_socket("127.0.0.1", 5060, PROTO_TCP);
    init();
    auto m = msg(inv(), 1);
    EXPECT_EQ(run("record_route", *m), 1);
    auto rr = lines_of(sent(*m, &h.core.sockets_[0]), "Record-Route");
    ASSERT_EQ(rr.size(), 2u);
    EXPECT_EQ(rr[0], "Record-Route: <sip:127.0.0.1;r2=on;ftag=ft1;lr>");
    EXPECT_EQ(rr[1], "Record-Route: <sip:127.0.0.1;transport=tcp;r2=on;ftag=ft1;lr>");
}

// One insert, resolved per build: each branch gets the text of its own socket.
TEST_F(RrTest, EachBuildResolvesItsOwnSocket) {
    h.core.add_socket("10.0.0.1", 5080);
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route", *m), 1);
    auto two = lines_of(sent(*m, &h.core.sockets_[1]), "Record-Route");
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0], "Record-Route: <sip:10.0.0.1:5080;r2=on;ftag=ft1;lr>");
    EXPECT_EQ(two[1], "Record-Route: <sip:127.0.0.1;r2=on;ftag=ft1;lr>");
    auto one = lines_of(sent(*m, &h.core.sockets_[0]), "Record-Route");
    EXPECT_EQ(one, std::vector<std::string>{"Record-Route: <sip:127.0.0.1;ftag=ft1;lr>"});
    EXPECT_EQ(m->msg.lumps.size(), 1u);
}

// §4.3: the outbound entry uses the advertised address and port of the
// message; the inbound one never does [quirk].
TEST_F(RrTest, AdvertisedAddressOnlyInTheOutboundEntry) {
    h.core.add_socket("10.0.0.1", 5060);
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route", *m), 1);
    auto rr = lines_of(sent(*m, &h.core.sockets_[1], "proxy.example.com", "5070"), "Record-Route");
    ASSERT_EQ(rr.size(), 2u);
    EXPECT_EQ(rr[0], "Record-Route: <sip:proxy.example.com:5070;r2=on;ftag=ft1;lr>");
    EXPECT_EQ(rr[1], "Record-Route: <sip:127.0.0.1;r2=on;ftag=ft1;lr>");
    // Leaving through the receiving socket: the inbound entry, not advertised.
    auto one = lines_of(sent(*m, &h.core.sockets_[0], "proxy.example.com", "5070"), "Record-Route");
    EXPECT_EQ(one, std::vector<std::string>{"Record-Route: <sip:127.0.0.1;ftag=ft1;lr>"});
}

TEST_F(RrTest, OutboundTcpEntryHasItsTransport) {
    h.core.add_socket("127.0.0.1", 5070, PROTO_TCP);
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route", *m), 1);
    auto rr = lines_of(sent(*m, &h.core.sockets_[1]), "Record-Route");
    ASSERT_EQ(rr.size(), 2u);
    EXPECT_EQ(rr[0], "Record-Route: <sip:127.0.0.1:5070;transport=tcp;r2=on;ftag=ft1;lr>");
    EXPECT_EQ(rr[1], "Record-Route: <sip:127.0.0.1;r2=on;ftag=ft1;lr>");
}

TEST_F(RrTest, DoubleRrOffGivesOnlyTheInboundEntry) {   // checklist 20, second half
    param("enable_double_rr", 0);
    h.core.add_socket("127.0.0.1", 5060, PROTO_TCP);
    init();
    auto m = msg(inv(), 1);
    EXPECT_EQ(run("record_route", *m), 1);
    auto rr = lines_of(sent(*m, &h.core.sockets_[0]), "Record-Route");
    EXPECT_EQ(rr, std::vector<std::string>{"Record-Route: <sip:127.0.0.1;transport=tcp;ftag=ft1;lr>"});
}

TEST_F(RrTest, SecondCallIsRefused) {   // checklist 21
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route", *m), 1);
    EXPECT_EQ(run("record_route", *m), -1);
    EXPECT_EQ(lines_of(m->edited(), "Record-Route").size(), 1u);
    // A new message is record-routed again.
    auto n = msg(inv());
    EXPECT_EQ(run("record_route", *n), 1);
}

TEST_F(RrTest, AddUsernameTakesTheOriginalRequestUriUser) {
    param("add_username", 1);
    init();
    auto m = msg(inv());
    m->msg.new_uri = "sip:carol@10.0.0.9";
    m->msg.uri_changed();
    EXPECT_EQ(run("record_route", *m), 1);
    EXPECT_EQ(header_lines(m->edited()).at(0), "Record-Route: <sip:bob@127.0.0.1;ftag=ft1;lr>");
}

// No user in the original R-URI: the new URI's user (§4.1).
TEST_F(RrTest, AddUsernameFallsBackToTheNewUri) {
    param("add_username", 1);
    init();
    auto m = msg(inv("", "sip:127.0.0.1"));
    m->msg.new_uri = "sip:carol@10.0.0.9";
    m->msg.uri_changed();
    EXPECT_EQ(run("record_route", *m), 1);
    EXPECT_EQ(header_lines(m->edited()).at(0), "Record-Route: <sip:carol@127.0.0.1;ftag=ft1;lr>");
}

TEST_F(RrTest, UserOnlyWithAddUsername) {
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route", *m), 1);
    EXPECT_EQ(header_lines(m->edited()).at(0).find("bob@"), std::string::npos);
}

TEST_F(RrTest, NoReceivingSocketIsAnError) {
    init();
    TestMsg m(inv());
    EXPECT_LT(h.run("record_route", {}, m.msg), 0);
    EXPECT_TRUE(m.msg.lumps.empty());
}

// ------------------------------------------------------ record_route_preset

TEST_F(RrTest, PresetTakesTheUserAlways) {   // checklist 22
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route_preset", *m, {"10.1.1.1:5090"}), 1);
    EXPECT_EQ(header_lines(m->edited()).at(0), "Record-Route: <sip:bob@10.1.1.1:5090;ftag=ft1;lr>");
}

TEST_F(RrTest, PresetFollowsFullLrAndFromTagButNoDoubleRr) {
    param("enable_full_lr", 1);
    param("append_fromtag", 0);
    h.core.add_socket("10.0.0.1", 5060);
    init();
    auto m = msg(inv("", "sip:127.0.0.1:5070"));
    EXPECT_EQ(run("record_route_preset", *m, {"proxy.example.com;transport=tcp"}), 1);
    auto rr = lines_of(sent(*m, &h.core.sockets_[1]), "Record-Route");
    EXPECT_EQ(rr, std::vector<std::string>{"Record-Route: <sip:proxy.example.com;transport=tcp;lr=on>"});
}

TEST_F(RrTest, PresetHasNoDuplicateCheck) {
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("record_route_preset", *m, {"10.1.1.1"}), 1);
    EXPECT_EQ(run("record_route_preset", *m, {"10.1.1.2"}), 1);
    EXPECT_EQ(run("record_route", *m), 1) << "a preset does not count as record_route()";
    EXPECT_EQ(lines_of(m->edited(), "Record-Route").size(), 3u);
}

// -------------------------------------------------------------- loose_route

TEST_F(RrTest, NoRouteIsFalseAndChangesNothing) {   // checklist 23
    init();
    auto m = msg(inv());
    EXPECT_EQ(run("loose_route", *m), -1);
    EXPECT_TRUE(m->msg.lumps.empty());
    EXPECT_TRUE(m->msg.dst_uri.empty());
    EXPECT_TRUE(m->msg.new_uri.empty());
}

TEST_F(RrTest, OurOnlyRouteInDialogIsRemoved) {   // checklist 24 / 29
    init();
    auto m = msg(bye("sip:bob@127.0.0.1:5070", {"Route: <sip:127.0.0.1;ftag=ft1;lr>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    std::string out = m->edited();
    EXPECT_TRUE(lines_of(out, "Route").empty()) << out;
    EXPECT_EQ(first_line(out), "BYE sip:bob@127.0.0.1:5070 SIP/2.0");
    EXPECT_TRUE(m->msg.dst_uri.empty());
    EXPECT_TRUE(m->msg.new_uri.empty());
}

TEST_F(RrTest, LooseNextHopBecomesTheDestination) {   // checklist 25
    init();
    auto m = msg(bye("sip:bob@127.0.0.1:5070", {"Route: <sip:127.0.0.1;lr>, <sip:127.0.0.1:5071;lr>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.dst_uri, "sip:127.0.0.1:5071;lr");
    EXPECT_TRUE(m->msg.new_uri.empty());
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:127.0.0.1:5071;lr>"});
}

TEST_F(RrTest, OurRouteInItsOwnHeaderLineIsRemovedWhole) {
    init();
    auto m = msg(bye("sip:bob@127.0.0.1:5070", {"Route: <sip:127.0.0.1;lr>", "Route: <sip:10.0.0.7;lr>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.dst_uri, "sip:10.0.0.7;lr");
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:10.0.0.7;lr>"});
}

// Checklist 26: the previous hop was a strict router and put our URI in the
// R-URI; the real target comes back from the last Route.
TEST_F(RrTest, AfterStrictLooseNextHopRestoresTheTarget) {
    init();
    auto m = msg(bye("sip:127.0.0.1", {"Route: <sip:127.0.0.1:5071;lr>, <sip:bob@127.0.0.1:5070>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.dst_uri, "sip:127.0.0.1:5071;lr");
    EXPECT_EQ(m->msg.new_uri, "sip:bob@127.0.0.1:5070");
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:127.0.0.1:5071;lr>"});
}

TEST_F(RrTest, AfterStrictTheLastRouteMayBeInALaterHeader) {
    init();
    auto m = msg(bye("sip:127.0.0.1",
                     {"Route: <sip:127.0.0.1;lr>, <sip:127.0.0.1:5071;lr>", "Route: <sip:10.0.0.8;lr>, <sip:bob@10.0.0.9>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.dst_uri, "sip:127.0.0.1:5071;lr");
    EXPECT_EQ(m->msg.new_uri, "sip:bob@10.0.0.9");
    EXPECT_EQ(lines_of(m->edited(), "Route"),
              (std::vector<std::string>{"Route: <sip:127.0.0.1:5071;lr>", "Route: <sip:10.0.0.8;lr>"}));
}

// Previous and next hop strict: we behave as a strict router.
TEST_F(RrTest, AfterStrictStrictNextHopGetsTheRequestUri) {
    init();
    auto m = msg(bye("sip:127.0.0.1", {"Route: <sip:10.0.0.8>, <sip:bob@10.0.0.9>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.new_uri, "sip:10.0.0.8");
    EXPECT_TRUE(m->msg.dst_uri.empty());
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:bob@10.0.0.9>"});
}

// Our second entry is first: removed; nothing after it -> false.
TEST_F(RrTest, AfterStrictOnlyOurSecondEntryIsFalse) {
    init();
    auto m = msg(bye("sip:127.0.0.1", {"Route: <sip:127.0.0.1;r2=on;lr>"}));
    EXPECT_EQ(run("loose_route", *m), -1);
    EXPECT_TRUE(lines_of(m->edited(), "Route").empty());
}

TEST_F(RrTest, StrictNextHopGetsTheRequestUriAndTheTargetGoesLast) {   // checklist 27
    init();
    auto m = msg(bye("sip:bob@127.0.0.1:5070", {"Route: <sip:127.0.0.1;lr>, <sip:127.0.0.1:5071>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.new_uri, "sip:127.0.0.1:5071");
    EXPECT_TRUE(m->msg.dst_uri.empty());
    std::string out = m->edited();
    auto l = header_lines(out);
    EXPECT_EQ(l.back(), "Route: <sip:bob@127.0.0.1:5070>") << out;   // the last header
    EXPECT_EQ(lines_of(out, "Route"), std::vector<std::string>{"Route: <sip:bob@127.0.0.1:5070>"});
}

// SER's save_ruri(): the request line as received, even after a rewrite.
TEST_F(RrTest, StrictNextHopSavesTheOriginalRequestUri) {
    init();
    auto m = msg(bye("sip:bob@127.0.0.1:5070", {"Route: <sip:10.0.0.8>"}));
    m->msg.new_uri = "sip:carol@10.0.0.9";
    m->msg.uri_changed();
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.new_uri, "sip:10.0.0.8");
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:bob@127.0.0.1:5070>"});
}

TEST_F(RrTest, PreloadedRouteToUsIsRemovedButFalse) {   // checklist 28
    init();
    auto m = msg(inv("Route: <sip:127.0.0.1;lr>\r\n"));
    EXPECT_EQ(run("loose_route", *m), -1);
    EXPECT_TRUE(lines_of(m->edited(), "Route").empty());
    EXPECT_TRUE(m->msg.dst_uri.empty());
}

TEST_F(RrTest, PreloadedRouteElsewhereIsFollowed) {
    init();
    auto m = msg(inv("Route: <sip:10.0.0.8;lr>\r\n"));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.dst_uri, "sip:10.0.0.8;lr");
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:10.0.0.8;lr>"});
}

TEST_F(RrTest, PreloadedRouteThroughUsToTheNextHop) {
    init();
    auto m = msg(inv("Route: <sip:127.0.0.1;lr>,<sip:10.0.0.8;lr>\r\n"));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.dst_uri, "sip:10.0.0.8;lr");
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:10.0.0.8;lr>"});
}

// Our two entries (a change of interface or transport) both go. In a
// dialog nothing remains: SER 0.9 returned false here; the 2005 fix
// returns true (the request goes to its R-URI).
TEST_F(RrTest, DoubleRrBothEntriesRemovedInDialogIsTrue) {
    init();
    auto m = msg(bye("sip:bob@127.0.0.1:5070",
                     {"Route: <sip:127.0.0.1;r2=on;ftag=ft1;lr>, <sip:127.0.0.1;transport=tcp;r2=on;ftag=ft1;lr>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_TRUE(lines_of(m->edited(), "Route").empty());
    EXPECT_TRUE(m->msg.dst_uri.empty());
}

TEST_F(RrTest, DoubleRrBothEntriesRemovedPreloadedIsFalse) {
    init();
    auto m = msg(inv("Route: <sip:127.0.0.1;r2=on;lr>\r\nRoute: <sip:10.0.0.1;r2=on;lr>\r\n"));
    EXPECT_EQ(run("loose_route", *m), -1);
    EXPECT_TRUE(lines_of(m->edited(), "Route").empty());
}

TEST_F(RrTest, DoubleRrThenTheNextHop) {
    init();
    auto m = msg(bye("sip:bob@10.0.0.9",
                     {"Route: <sip:127.0.0.1;r2=on;lr>, <sip:10.0.0.1;r2=on;lr>, <sip:10.0.0.8;lr>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.dst_uri, "sip:10.0.0.8;lr");
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:10.0.0.8;lr>"});
}

// With enable_double_rr=0, r2 means nothing: the second entry is the next hop.
TEST_F(RrTest, DoubleRrOffLeavesTheSecondEntry) {
    param("enable_double_rr", 0);
    init();
    auto m = msg(bye("sip:bob@10.0.0.9", {"Route: <sip:127.0.0.1;r2=on;lr>, <sip:10.0.0.1;r2=on;lr>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.dst_uri, "sip:10.0.0.1;r2=on;lr");
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:10.0.0.1;r2=on;lr>"});
}

// §4.4: lr with or without a value, any case.
TEST_F(RrTest, LrParameterInAnyForm) {
    init();
    for (const char* hop : {"sip:10.0.0.8;LR", "sip:10.0.0.8;lr=on", "sip:10.0.0.8;transport=udp;Lr=true"}) {
        auto m = msg(bye("sip:bob@10.0.0.9", {std::string("Route: <") + hop + ">"}));
        EXPECT_EQ(run("loose_route", *m), 1) << hop;
        EXPECT_EQ(m->msg.dst_uri, hop);
        EXPECT_TRUE(m->msg.new_uri.empty()) << hop << " taken as a strict router";
    }
}

// "myself" is host and port (5060 when absent).
TEST_F(RrTest, OurRouteNeedsOurPort) {
    init();
    auto ours = msg(bye("sip:bob@10.0.0.9", {"Route: <sip:127.0.0.1:5060;lr>, <sip:10.0.0.8;lr>"}));
    EXPECT_EQ(run("loose_route", *ours), 1);
    EXPECT_EQ(ours->msg.dst_uri, "sip:10.0.0.8;lr");
    auto other = msg(bye("sip:bob@10.0.0.9", {"Route: <sip:127.0.0.1:5062;lr>, <sip:10.0.0.8;lr>"}));
    EXPECT_EQ(run("loose_route", *other), 1);
    EXPECT_EQ(other->msg.dst_uri, "sip:127.0.0.1:5062;lr");
}

// The message is not re-parsed: a second call sees the same Routes and
// leaves the same result.
TEST_F(RrTest, SecondCallSeesTheSameRoutes) {
    init();
    auto m = msg(bye("sip:bob@127.0.0.1:5070", {"Route: <sip:127.0.0.1;lr>, <sip:127.0.0.1:5071;lr>"}));
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(run("loose_route", *m), 1);
    EXPECT_EQ(m->msg.dst_uri, "sip:127.0.0.1:5071;lr");
    EXPECT_EQ(lines_of(m->edited(), "Route"), std::vector<std::string>{"Route: <sip:127.0.0.1:5071;lr>"});
}

TEST_F(RrTest, UnparsableRouteIsFalse) {
    init();
    auto m = msg(bye("sip:bob@127.0.0.1:5070", {"Route: <sip:127.0.0.1;lr"}));
    EXPECT_EQ(run("loose_route", *m), -1);
    EXPECT_TRUE(m->msg.dst_uri.empty());
}

TEST_F(RrTest, UnparsableRequestUriIsFalse) {
    init();
    auto m = msg(bye("sip:bob@127.0.0.1:5070", {"Route: <sip:10.0.0.8;lr>"}));
    m->msg.new_uri = "sip:bad uri";
    m->msg.uri_changed();
    EXPECT_EQ(run("loose_route", *m), -1);
    EXPECT_TRUE(m->msg.dst_uri.empty());
    EXPECT_TRUE(m->msg.lumps.empty());
}

}  // namespace
}  // namespace ser::test
