// Core actions (cfg-language §10) and the matching items of the §14 checklist.

#include "test_util.hpp"

namespace ser::parser::test {
namespace {

TEST(Action, Item61_FlagsTakeNumbers) {
    EXPECT_TRUE(rejects(in_route("setflag(\"1\");"), 3, 9, "expected a number"));
    EXPECT_EQ(route_dump("setflag(32); setflag(0); resetflag(yes); isflagset(0x1f);"),
              "core SetFlag setflag(32) @3:1\ncore SetFlag setflag(0) @3:14\n"
              "core ResetFlag resetflag(1) @3:26\ncore IsFlagSet isflagset(31) @3:42\n");
}

TEST(Action, Item63_Log) {
    EXPECT_TRUE(rejects(in_route("log(-1,\"x\");"), 3, 5,
                        "expected a log level number or a string (there are no negative numbers)"));
    EXPECT_TRUE(rejects(in_route("log(L_ERR,\"x\");"), 3, 5, "expected a log level number or a string"));
    EXPECT_TRUE(rejects(in_route("log(1);"), 3, 6, "expected ','"));
    EXPECT_EQ(route_dump("log(1,\"x\\n\"); log(\"y\");"),
              "core Log log(1, \"x\\n\") @3:1\ncore Log log(\"y\") @3:15\n");
}

TEST(Action, Item65_Forward) {
    EXPECT_TRUE(rejects(in_route("forward(127.0.0.1, \"5060\");"), 3, 20,
                        "expected a port number (or uri:port)"));
    EXPECT_TRUE(rejects(in_route("forward_tls(uri:host, uri:port);"), 3, 1, "tls support not compiled in"));
    EXPECT_TRUE(rejects(in_route("forward();"), 3, 9,
                        "expected a destination (IP address, hostname, quoted string or uri:host)"));
    EXPECT_TRUE(rejects(in_route("forward(1.2.3.4, uri:port);"), 3, 18,
                        "uri:port can only be used after uri:host"));
    EXPECT_TRUE(rejects(in_route("forward;"), 3, 8, "expected '('"));
    EXPECT_EQ(route_dump("forward(uri:host, uri:port); forward(uri:host); forward(uri:host, 5060);"
                         " forward_udp(uri:host, uri:port); forward_tcp(uri:host, uri:port);"),
              "core Forward forward(uri:host, uri:port) @3:1\n"
              "core Forward forward(uri:host) @3:30\n"
              "core Forward forward(uri:host, 5060) @3:49\n"
              "core ForwardUdp forward_udp(uri:host, uri:port) @3:74\n"
              "core ForwardTcp forward_tcp(uri:host, uri:port) @3:107\n");
}

TEST(Action, Item66_67_DestinationsAreResolvedLater) {
    EXPECT_EQ(route_dump("forward(\"no.such.host.invalid\"); forward(\"1.2.3.4:5060\");"),
              "core Forward forward(\"no.such.host.invalid\") @3:1\n"
              "core Forward forward(\"1.2.3.4:5060\") @3:34\n");
    EXPECT_EQ(route_dump("force_send_socket(udp:127.0.0.1:5070);"),
              "core ForceSendSocket force_send_socket(udp:ip(127.0.0.1):5070 @3:19) @3:1\n");
}

TEST(Action, SendAndDestinations) {
    EXPECT_EQ(route_dump("send(h.example, 5060); send_tcp([::1]); forward(sip.example.com, 5070);"
                         " forward_udp(10.0.0.1);"),
              "core Send send(host(h.example), 5060) @3:1\n"
              "core SendTcp send_tcp(ip(::1)) @3:24\n"
              "core Forward forward(host(sip.example.com), 5070) @3:41\n"
              "core ForwardUdp forward_udp(ip(10.0.0.1)) @3:73\n");
    EXPECT_TRUE(rejects(in_route("send(uri:host);"), 3, 6,
                        "expected a destination (IP address, hostname or quoted string)"));
    EXPECT_TRUE(rejects(in_route("forward(sip-1.example.com);"), 3, 13,
                        "invalid hostname: a label must start with a letter (quote the name)"));
}

TEST(Action, Item68_AppendBranch) {
    EXPECT_EQ(route_dump("append_branch; append_branch(); append_branch(\"sip:a@b\");"
                         " append_branch(\"sip:a@b\",\"0.5\"); append_branch(\"sip:d@e\",\"1\");"
                         " append_branch(\"sip:h@i\",\".25\");"),
              "core AppendBranch append_branch @3:1\n"
              "core AppendBranch append_branch() @3:16\n"
              "core AppendBranch append_branch(\"sip:a@b\") @3:33\n"
              "core AppendBranch append_branch(\"sip:a@b\", \"0.5\") @3:59\n"
              "core AppendBranch append_branch(\"sip:d@e\", \"1\") @3:91\n"
              "core AppendBranch append_branch(\"sip:h@i\", \".25\") @3:121\n");
    Parsed p = parse(in_route("append_branch; append_branch();"));
    ASSERT_TRUE(p.cfg) << p.messages();
    auto const& a = route_actions(*p.cfg);
    EXPECT_FALSE(std::get<ast::CoreCall>(a[0].node).parens);  // q = 0 [quirk]
    EXPECT_TRUE(std::get<ast::CoreCall>(a[1].node).parens);
    EXPECT_TRUE(rejects(in_route("append_branch(\"sip:a@b\",\"2\");"), 3, 25,
                        "bad q value \"2\" (expected a decimal from 0 to 1 with at most 3 decimals)"));
    EXPECT_TRUE(rejects(in_route("append_branch(\"sip:a@b\",\"0.1234\");"), 3, 25,
                        "bad q value \"0.1234\" (expected a decimal from 0 to 1 with at most 3 decimals)"));
    EXPECT_TRUE(rejects(in_route("append_branch(\"sip:a@b\",0.5);"), 3, 25,
                        "expected a quoted q value (e.g. \"0.5\")"));
}

TEST(Action, Item72_AdvertisedAddressAndPort) {
    EXPECT_TRUE(rejects(in_route("set_advertised_port(\"5080\");"), 3, 21, "expected a number"));
    EXPECT_EQ(route_dump("set_advertised_address(1.2.3.4); set_advertised_address(foo.bar);"
                         " set_advertised_port(5080); set_advertised_address(\"x\");"),
              "core SetAdvertisedAddress set_advertised_address(ip(1.2.3.4)) @3:1\n"
              "core SetAdvertisedAddress set_advertised_address(host(foo.bar)) @3:34\n"
              "core SetAdvertisedPort set_advertised_port(5080) @3:67\n"
              "core SetAdvertisedAddress set_advertised_address(\"x\") @3:94\n");
}

TEST(Action, Item73_ArgumentKinds) {
    EXPECT_TRUE(rejects(in_route("strip(\"3\");"), 3, 7, "expected a number"));
    EXPECT_TRUE(rejects(in_route("prefix(00);"), 3, 8, "expected a quoted string"));
    EXPECT_TRUE(rejects(in_route("route(\"1\");"), 3, 7, "expected a number"));
    EXPECT_TRUE(rejects(in_route("route(foo);"), 3, 7, "expected a number"));
    EXPECT_TRUE(rejects(in_route("error(\"a\");"), 3, 10, "expected ','"));
}

TEST(Action, AliasesFoldToOneKind) {
    EXPECT_EQ(route_dump("rewriteuri(\"a\"); seturi(\"a\"); rewritehost(\"h\"); sethost(\"h\"); seth(\"h\");"),
              "core SetUri rewriteuri(\"a\") @3:1\ncore SetUri seturi(\"a\") @3:18\n"
              "core SetHost rewritehost(\"h\") @3:31\ncore SetHost sethost(\"h\") @3:49\n"
              "core SetHost seth(\"h\") @3:63\n");
    EXPECT_EQ(route_dump("rewritehostport(\"h:1\"); sethostport(\"h\"); sethp(\"x\");"),
              "core SetHostPort rewritehostport(\"h:1\") @3:1\ncore SetHostPort sethostport(\"h\") @3:25\n"
              "core SetHostPort sethp(\"x\") @3:43\n");
    EXPECT_EQ(route_dump("rewriteuser(\"u\"); setuser(\"u\"); setu(\"u\");"),
              "core SetUser rewriteuser(\"u\") @3:1\ncore SetUser setuser(\"u\") @3:19\n"
              "core SetUser setu(\"u\") @3:33\n");
    EXPECT_EQ(route_dump("rewriteuserpass(\"u:p\"); setuserpass(\"u\"); setup(\"u\");"),
              "core SetUserPass rewriteuserpass(\"u:p\") @3:1\ncore SetUserPass setuserpass(\"u\") @3:25\n"
              "core SetUserPass setup(\"u\") @3:43\n");
    EXPECT_EQ(route_dump("rewriteport(\"1\"); setport(\"1\"); setp(\"1\"); prefix(\"00\");"),
              "core SetPort rewriteport(\"1\") @3:1\ncore SetPort setport(\"1\") @3:19\n"
              "core SetPort setp(\"1\") @3:33\ncore Prefix prefix(\"00\") @3:44\n");
    EXPECT_EQ(route_dump("strip(3); strip_tail(2); revert_uri(); revert_uri;"),
              "core Strip strip(3) @3:1\ncore StripTail strip_tail(2) @3:11\n"
              "core RevertUri revert_uri() @3:26\ncore RevertUri revert_uri @3:40\n");
    EXPECT_EQ(route_dump("force_rport(); force_rport; add_rport(); add_rport;"),
              "core ForceRport force_rport() @3:1\ncore ForceRport force_rport @3:16\n"
              "core ForceRport add_rport() @3:29\ncore ForceRport add_rport @3:42\n");
    EXPECT_EQ(route_dump("force_tcp_alias(); force_tcp_alias; force_tcp_alias(5070); add_tcp_alias(5071);"),
              "core ForceTcpAlias force_tcp_alias() @3:1\ncore ForceTcpAlias force_tcp_alias @3:20\n"
              "core ForceTcpAlias force_tcp_alias(5070) @3:37\n"
              "core ForceTcpAlias add_tcp_alias(5071) @3:60\n");
    EXPECT_EQ(route_dump("exec(\"ls\"); error(\"a\", \"b\"); route(1);"),
              "core Exec exec(\"ls\") @3:1\ncore Error error(\"a\", \"b\") @3:13\n"
              "core Route route(1) @3:30\n");
}

TEST(Action, ForceSendSocketNeedsASocket) {
    EXPECT_TRUE(rejects(in_route("force_send_socket();"), 3, 19, "expected a socket ([proto:]address[:port])"));
    EXPECT_EQ(route_dump("force_send_socket(tcp:\"a.b\":5061); force_send_socket(eth0);"),
              "core ForceSendSocket force_send_socket(tcp:\"a.b\":5061 @3:19) @3:1\n"
              "core ForceSendSocket force_send_socket(host(eth0) @3:54) @3:36\n");
}

}  // namespace
}  // namespace ser::parser::test
