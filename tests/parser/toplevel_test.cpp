// Global parameters, modules and route block headers (cfg-language §3-6)
// and the matching items of the §14 checklist.

#include "test_util.hpp"

namespace ser::parser::test {
namespace {

std::vector<ast::SockSpec> sockets(std::string const& text, std::string const& name, int nth = 0) {
    Parsed p = parse(text);
    EXPECT_TRUE(p.cfg) << p.messages();
    if (!p.cfg)
        return {};
    auto const* a = find_assign(*p.cfg, name, nth);
    EXPECT_TRUE(a);
    if (!a)
        return {};
    return std::get<std::vector<ast::SockSpec>>(a->value);
}

std::string sock(ast::SockSpec const& s) {
    std::string out;
    switch (s.proto) {
    case ast::Proto::Udp: out += "udp:"; break;
    case ast::Proto::Tcp: out += "tcp:"; break;
    case ast::Proto::Tls: out += "tls:"; break;
    case ast::Proto::Any: out += "*:"; break;
    default: break;
    }
    out += s.addr;
    if (s.port_star)
        out += ":*";
    else if (s.port)
        out += ":" + std::to_string(s.port);
    return out;
}

TEST(TopLevel, Item12_CaseSensitiveNames) {
    EXPECT_TRUE(rejects("DEBUG=3", 1, 1, "unknown config variable 'DEBUG'"));
    EXPECT_TRUE(rejects("Route{drop;}", 1, 1, "unexpected 'Route' at top level (keywords are lower case)"));
}

TEST(TopLevel, Item14_UnquotedHostnames) {
    EXPECT_TRUE(rejects("alias=udp.example.com", 1, 7,
                        "invalid hostname: 'udp' is a keyword and cannot be a label (quote the name)"));
    EXPECT_TRUE(rejects("alias=sip-1.example.com", 1, 11,
                        "invalid hostname: a label must start with a letter (quote the name)"));
    EXPECT_TRUE(rejects("alias=1und1.de", 1, 7,
                        "invalid hostname: a label must start with a letter (quote the name)"));
    EXPECT_TRUE(rejects("alias=proto.example.com", 1, 7,
                        "invalid hostname: 'proto' is a keyword and cannot be a label (quote the name)"));
    EXPECT_TRUE(rejects("alias=on.example.net", 1, 7,
                        "invalid hostname: 'on' is a keyword and cannot be a label (quote the name)"));
    EXPECT_TRUE(rejects("alias=sip.2.net", 1, 11,
                        "invalid hostname: a label must start with a letter (quote the name)"));
    EXPECT_TRUE(rejects("alias=sip.tcp.net", 1, 11,
                        "invalid hostname: 'tcp' is a keyword and cannot be a label (quote the name)"));
    auto s = sockets("alias=\"1und1.de\"", "alias");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].addr_kind, ast::SockSpec::AddrKind::Str);
    EXPECT_EQ(s[0].addr, "1und1.de");
    s = sockets("alias=my-proxy.example.org", "alias");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].addr, "my-proxy.example.org");
}

TEST(TopLevel, Item15_AliasList) {
    auto s = sockets("alias=example.com:5060 foo.com udp:bar.com:5070 tcp:baz.com", "alias");
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(sock(s[0]), "example.com:5060");
    EXPECT_EQ(sock(s[1]), "foo.com");
    EXPECT_EQ(sock(s[2]), "udp:bar.com:5070");
    EXPECT_EQ(sock(s[3]), "tcp:baz.com");
    EXPECT_EQ(s[3].pos.col, 49u);
}

TEST(TopLevel, Item16_ListenList) {
    auto s = sockets("listen=udp:127.0.0.1:5060 tcp:127.0.0.1:5061", "listen");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(sock(s[0]), "udp:127.0.0.1:5060");
    EXPECT_EQ(sock(s[1]), "tcp:127.0.0.1:5061");
    EXPECT_EQ(s[0].addr_kind, ast::SockSpec::AddrKind::Ip);
    ASSERT_TRUE(s[0].ip);
    EXPECT_EQ(s[0].ip->af, 2);
    EXPECT_EQ(s[0].ip->addr[0], 127);
    EXPECT_EQ(s[0].ip->addr[3], 1);
}

TEST(TopLevel, Item17_ListenForms) {
    auto s = sockets("listen=[::1]:5060", "listen");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(sock(s[0]), "::1:5060");
    ASSERT_TRUE(s[0].ip);
    EXPECT_EQ(s[0].ip->af, 10);
    s = sockets("listen=127.0.0.1:*", "listen");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_TRUE(s[0].port_star);
    s = sockets("listen=lo", "listen");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].addr_kind, ast::SockSpec::AddrKind::Host);
    EXPECT_EQ(s[0].addr, "lo");
    s = sockets("listen=\"127.0.0.1\"", "listen");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].addr_kind, ast::SockSpec::AddrKind::Str);
    // Without brackets a trailing :port is part of the IPv6 address.
    s = sockets("listen=::1:5060", "listen");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].port, 0);
    ASSERT_TRUE(s[0].ip);
    EXPECT_EQ(s[0].ip->addr[13], 0x01);  // ::1:5060, groups are hex
    EXPECT_EQ(s[0].ip->addr[14], 0x50);
    EXPECT_EQ(s[0].ip->addr[15], 0x60);
}

TEST(TopLevel, Item18_PortAndListenOrderIsKept) {
    Parsed p = parse("listen=127.0.0.1 port=5061 listen=127.0.0.2 port=5062 listen=127.0.0.3");
    ASSERT_TRUE(p.cfg) << p.messages();
    ASSERT_EQ(p.cfg->items.size(), 5u);
    std::vector<std::string> names;
    for (auto const& item : p.cfg->items)
        names.push_back(std::get<ast::Assign>(item).name);
    EXPECT_EQ(names, (std::vector<std::string>{"listen", "port", "listen", "port", "listen"}));
    EXPECT_EQ(std::get<ast::Number>(find_assign(*p.cfg, "port", 1)->value).value, 5062);
}

TEST(TopLevel, Item19_LogFacility) {
    Parsed p = parse("log_facility=LOG_LOCAL0");
    ASSERT_TRUE(p.cfg) << p.messages();
    EXPECT_EQ(std::get<ast::Host>(find_assign(*p.cfg, "log_facility")->value).name, "LOG_LOCAL0");
    EXPECT_TRUE(accepts("log_facility=log_daemon"));
    EXPECT_TRUE(rejects("log_facility=\"LOG_LOCAL0\"", 1, 14,
                        "expected a syslog facility name (unquoted, e.g. LOG_LOCAL0)"));
    EXPECT_TRUE(rejects("log_facility=LOG_FOO", 1, 14, "bad facility 'LOG_FOO'"));
}

TEST(TopLevel, Item20_StringOrIdentifierValues) {
    char const* msg = "expected a string value or a single name (quote numbers and paths)";
    Parsed p = parse("user=root group=\"0\"");
    ASSERT_TRUE(p.cfg) << p.messages();
    EXPECT_EQ(std::get<ast::Host>(find_assign(*p.cfg, "user")->value).name, "root");
    EXPECT_EQ(std::get<ast::String>(find_assign(*p.cfg, "group")->value).value, "0");
    EXPECT_TRUE(accepts("user=\"0\""));
    EXPECT_TRUE(rejects("user=0", 1, 6, msg));
    EXPECT_TRUE(rejects("wdir=/tmp", 1, 6, msg));
    EXPECT_TRUE(accepts("wdir=\"/tmp\""));
    EXPECT_TRUE(rejects("fifo=/tmp/f", 1, 6, "expected a string value (in quotes)"));
    EXPECT_TRUE(rejects("chroot=a.b", 1, 9, std::string("unexpected '.' at top level") +
                                                " (expected a global assignment, loadmodule, modparam or a route block)"));
}

TEST(TopLevel, Item21_TlsNotCompiledIn) {
    EXPECT_TRUE(rejects("tls_method=TLSv1", 1, 1, "tls support not compiled in"));
    EXPECT_TRUE(rejects("disable_tls=1", 1, 1, "tls support not compiled in"));
    EXPECT_TRUE(rejects("tls_log=3", 1, 1, "tls support not compiled in"));
    EXPECT_TRUE(rejects("debug=3\n  tls_certificate=\"/x\"", 2, 3, "tls support not compiled in"));
    EXPECT_TRUE(rejects(in_route("forward_tls(uri:host, uri:port);"), 3, 1, "tls support not compiled in"));
}

TEST(TopLevel, Item22_MiscParameters) {
    Parsed p = parse("fifo_mode=0666 sock_mode=0600 mem_log=5 mcast_ttl=5 statistics=\"/tmp/x\"");
    ASSERT_TRUE(p.cfg) << p.messages();
    EXPECT_EQ(std::get<ast::Number>(find_assign(*p.cfg, "fifo_mode")->value).value, 0666);
    EXPECT_EQ(std::get<ast::Number>(find_assign(*p.cfg, "sock_mode")->value).value, 0600);
    EXPECT_EQ(std::get<ast::Number>(find_assign(*p.cfg, "mem_log")->value).value, 5);
}

TEST(TopLevel, Item23_UnknownVariable) {
    EXPECT_TRUE(rejects("unknown_var=5", 1, 1, "unknown config variable 'unknown_var'"));
    EXPECT_TRUE(rejects("debug=3\nforward = 1", 2, 1, "unknown config variable 'forward'"));
}

TEST(TopLevel, EveryParameterName) {
    char const* const numbers[] = {"debug", "memlog", "mem_log", "children", "open_files_limit",
                                   "maxbuffer", "advertised_port", "fifo_mode", "sock_mode",
                                   "file_mode", "unix_sock_children", "unix_tx_timeout",
                                   "tcp_children", "tcp_connect_timeout", "tcp_send_timeout",
                                   "port", "mcast_ttl", "fork", "log_stderror",
                                   "disable_core_dump", "check_via", "syn_branch", "dns",
                                   "rev_dns", "sip_warning", "server_signature", "reply_to_via",
                                   "mhomed", "disable_tcp", "tcp_accept_aliases", "mcast_loopback"};
    for (char const* n : numbers) {
        EXPECT_TRUE(accepts(std::string(n) + "=1")) << n;
        EXPECT_FALSE(accepts(std::string(n) + "=\"1\"")) << n;
    }
    for (char const* n : {"statistics", "fifo", "fifo_dir", "fifo_db_url", "unix_sock"}) {
        EXPECT_TRUE(accepts(std::string(n) + "=\"x\"")) << n;
        EXPECT_FALSE(accepts(std::string(n) + "=x")) << n;
    }
    for (char const* n : {"user", "uid", "group", "gid", "chroot", "workdir", "wdir", "fifo_user",
                          "sock_user", "fifo_group", "sock_group"}) {
        EXPECT_TRUE(accepts(std::string(n) + "=\"x\"")) << n;
        EXPECT_TRUE(accepts(std::string(n) + "=x")) << n;
    }
    EXPECT_TRUE(accepts("advertised_address=1.2.3.4 advertised_address=\"a.b\" advertised_address=a.b"));
}

TEST(TopLevel, AdvertisedAddressKeepsText) {
    Parsed p = parse("advertised_address=010.0.0.1");
    ASSERT_TRUE(p.cfg) << p.messages();
    EXPECT_EQ(std::get<ast::Host>(find_assign(*p.cfg, "advertised_address")->value).name, "8.0.0.1");
}

TEST(TopLevel, Item24_ModparamValueKindFromToken) {
    Parsed p = parse("loadmodule \"M\"\nmodparam(\"M\",\"ip\",5)\nmodparam(\"M\",\"ip\",\"5\")");
    ASSERT_TRUE(p.cfg) << p.messages();
    ASSERT_EQ(p.cfg->items.size(), 3u);
    auto const& m1 = std::get<ast::ModParam>(p.cfg->items[1]);
    auto const& m2 = std::get<ast::ModParam>(p.cfg->items[2]);
    EXPECT_EQ(m1.module.value, "M");
    EXPECT_EQ(m1.param.value, "ip");
    EXPECT_EQ(std::get<ast::Number>(m1.value).value, 5);
    EXPECT_EQ(std::get<ast::String>(m2.value).value, "5");
    EXPECT_EQ(m2.pos.line, 3u);
}

TEST(TopLevel, Item25_26_ModuleRegexIsNotResolvedHere) {
    EXPECT_TRUE(accepts("modparam(\"m\",\"ip\",5) modparam(\"M|other\",\"ip\",5) modparam(\"M.*\",\"ip\",5)"));
}

TEST(TopLevel, Item27_ModparamNumberForms) {
    Parsed p = parse("modparam(\"M\",\"ip\",yes)");
    ASSERT_TRUE(p.cfg) << p.messages();
    EXPECT_EQ(std::get<ast::Number>(std::get<ast::ModParam>(p.cfg->items[0]).value).value, 1);
    EXPECT_TRUE(rejects("modparam(\"M\",\"ip\",-1)", 1, 19,
                        "expected a string or number value (there are no negative numbers)"));
    EXPECT_TRUE(rejects("modparam(\"M\",ip,1)", 1, 14, "expected a quoted parameter name"));
    EXPECT_TRUE(rejects("modparam(\"M\",\"ip\",1", 1, 20, "expected ')'"));
}

TEST(TopLevel, Item28_LoadmoduleTwiceIsNotAParseError) {
    EXPECT_TRUE(accepts("loadmodule \"M\" loadmodule \"M\""));
}

TEST(TopLevel, Item29_LoadmoduleNeedsString) {
    EXPECT_TRUE(rejects("loadmodule M", 1, 12, "expected a quoted module path"));
    Parsed p = parse("loadmodule '/x/tm.so'");
    ASSERT_TRUE(p.cfg) << p.messages();
    EXPECT_EQ(std::get<ast::LoadModule>(p.cfg->items[0]).path.value, "/x/tm.so");
}

TEST(TopLevel, Item33_RouteNumbers) {
    Parsed p = parse("route[0]{drop;} route[19]{drop;} failure_route[19]{drop;} onreply_route[1]{drop;}"
                     " route[ 0x2 ]{drop;} route{drop;}");
    ASSERT_TRUE(p.cfg) << p.messages();
    std::vector<std::pair<ast::RouteKind, int>> got;
    for (auto const& item : p.cfg->items) {
        auto const& r = std::get<ast::RouteBlock>(item);
        got.emplace_back(r.kind, r.number);
    }
    using K = ast::RouteKind;
    EXPECT_EQ(got, (std::vector<std::pair<K, int>>{
                       {K::Request, 0}, {K::Request, 19}, {K::Failure, 19}, {K::OnReply, 1},
                       {K::Request, 2}, {K::Request, 0}}));
}

TEST(TopLevel, Item34_BadRouteHeaders) {
    EXPECT_TRUE(rejects("route[20]{drop;}", 1, 7, "route number 20 out of range (0..19)"));
    EXPECT_TRUE(rejects("failure_route[0]{drop;}", 1, 15, "failure_route number 0 out of range (1..19)"));
    EXPECT_TRUE(rejects("failure_route[20]{drop;}", 1, 15, "failure_route number 20 out of range (1..19)"));
    EXPECT_TRUE(rejects("onreply_route[0]{drop;}", 1, 15, "onreply_route number 0 out of range (1..19)"));
    EXPECT_TRUE(rejects("onreply_route{drop;}", 1, 14,
                        "expected '[' (onreply_route needs a number, e.g. onreply_route[1])"));
    EXPECT_TRUE(rejects("failure_route{drop;}", 1, 14,
                        "expected '[' (failure_route needs a number, e.g. failure_route[1])"));
    EXPECT_TRUE(rejects("branch_route[1]{drop;}", 1, 1,
                        "'branch_route' blocks do not exist in SER 0.9.6 (only route, failure_route "
                        "and onreply_route)"));
    EXPECT_TRUE(rejects("onsend_route{drop;}", 1, 1,
                        "'onsend_route' blocks do not exist in SER 0.9.6 (only route, failure_route "
                        "and onreply_route)"));
    EXPECT_TRUE(rejects("route[foo]{drop;}", 1, 7, "expected a route number"));
    EXPECT_TRUE(rejects("route[\"1\"]{drop;}", 1, 7, "expected a route number"));
    EXPECT_TRUE(rejects("route[1 {drop;}", 1, 9, "expected ']'"));
    EXPECT_TRUE(rejects("route[1] drop;", 1, 10, "expected '{'"));
}

TEST(TopLevel, Item90_ListenStar) {
    EXPECT_TRUE(rejects("listen=*", 1, 8, "expected a socket ([proto:]address[:port])"));
    EXPECT_TRUE(rejects("listen=*:5060", 1, 10, "expected an address (IP, quoted string or hostname)"));
    auto s = sockets("listen=*:127.0.0.1", "listen");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(sock(s[0]), "*:127.0.0.1");
    s = sockets("listen=UDP:127.0.0.1", "listen");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(sock(s[0]), "udp:127.0.0.1");
    s = sockets("alias=*:foo.com:5060", "alias");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(sock(s[0]), "*:foo.com:5060");
}

TEST(TopLevel, SocketPortErrors) {
    EXPECT_TRUE(rejects("listen=127.0.0.1:", 1, 18, "expected a port number or '*'"));
    EXPECT_TRUE(rejects("listen=udp:", 1, 12, "expected an address (IP, quoted string or hostname)"));
    EXPECT_TRUE(rejects("listen=256.0.0.1", 1, 8, "invalid ipv4 address"));
}

TEST(TopLevel, TlsSocketIsAWarning) {
    Parsed p = parse("listen=tls:127.0.0.1:5061");
    ASSERT_TRUE(p.cfg) << p.messages();
    ASSERT_EQ(p.warning_count(), 1u);
    EXPECT_EQ(p.diag.all()[0].message, "tls support not compiled in");
}

// The documentation's copy of a config carries callout numbers after some
// lines (`fork=yes1`); it must fail cleanly on the first of them.
TEST(TopLevel, SeedTextWithCalloutNumbers) {
    EXPECT_TRUE(rejects("debug=3\nfork=yes1\nlog_stderror=no2\n", 2, 6,
                        "expected a boolean value (yes/no, on/off, true/false, enable/disable or a "
                        "number)"));
}

}  // namespace
}  // namespace ser::parser::test
