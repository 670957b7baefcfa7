// Conditions (cfg-language §8) and the matching items of the §14 checklist.

#include "test_util.hpp"

namespace ser::parser::test {
namespace {

// The dump of the condition of `if (<cond>) drop;`.
std::string cond(std::string const& text) {
    Parsed p = parse(in_route("if " + text + " drop;"));
    if (!p.cfg)
        return "REJECTED: " + p.messages();
    auto const& actions = route_actions(*p.cfg);
    return dump(*std::get<ast::If>(actions.at(0).node).cond);
}

TEST(Expr, PrecedenceNotAndOr) {
    // a or b and c == a or (b and c)
    EXPECT_EQ(cond("(a() or b() and c())"),
              "or @3:9\n  call a() @3:5\n  and @3:16\n    call b() @3:12\n    call c() @3:20\n");
    // !a or b == (!a) or b
    EXPECT_EQ(cond("(!a() || b())"), "or @3:10\n  not @3:5\n    call a() @3:6\n  call b() @3:13\n");
    // left-associative
    EXPECT_EQ(cond("(a() && b() & c())"),
              "and @3:16\n  and @3:9\n    call a() @3:5\n    call b() @3:12\n  call c() @3:18\n");
    EXPECT_EQ(cond("(a() | b() || c())"),
              "or @3:15\n  or @3:9\n    call a() @3:5\n    call b() @3:11\n  call c() @3:18\n");
    EXPECT_EQ(cond("(not not a())"), "not @3:5\n  not @3:9\n    call a() @3:13\n");
    EXPECT_EQ(cond("(!(a() or b()) and c())"),
              "and @3:19\n  not @3:5\n    or @3:11\n      call a() @3:7\n      call b() @3:14\n"
              "  call c() @3:23\n");
}

TEST(Expr, WordOperatorsNeedWordBoundaries) {
    EXPECT_EQ(cond("(a() andx())"), "REJECTED: test.cfg:3:9: error: expected ')'\n"
                                     "if (a() andx()) drop;\n"
                                     "        ^\n");
}

TEST(Expr, Item55_SourceIpForms) {
    EXPECT_EQ(cond("(src_ip==127.0.0.1)"), "cmp src_ip == net(127.0.0.1/255.255.255.255) @3:5\n");
    EXPECT_EQ(cond("(src_ip==127.0.0.0/8)"), "cmp src_ip == net(127.0.0.0/255.0.0.0) @3:5\n");
    EXPECT_EQ(cond("(src_ip==127.0.0.0/255.0.0.0)"), "cmp src_ip == net(127.0.0.0/255.0.0.0) @3:5\n");
    EXPECT_EQ(cond("(src_ip==\"127.0.0.1\")"), "cmp src_ip == \"127.0.0.1\" @3:5\n");
    EXPECT_EQ(cond("(src_ip=~\"^127\\.\")"), "cmp src_ip =~ \"^127\\\\.\" @3:5\n");
    EXPECT_EQ(cond("(src_ip==myself)"), "cmp src_ip == myself @3:5\n");
    EXPECT_EQ(cond("(src_ip==localhost)"), "cmp src_ip == host(localhost) @3:5\n");
    EXPECT_EQ(cond("(src_ip!=10.0.0.0/8)"), "cmp src_ip != net(10.0.0.0/255.0.0.0) @3:5\n");
    EXPECT_EQ(cond("(src_ip==0x7f.0.0.01)"), "cmp src_ip == net(127.0.0.1/255.255.255.255) @3:5\n");
    EXPECT_EQ(cond("(src_ip==0177.0.0.1)"), "cmp src_ip == net(127.0.0.1/255.255.255.255) @3:5\n");
    EXPECT_EQ(cond("(src_ip == 127 . 0 . 0 . 1)"), "cmp src_ip == net(127.0.0.1/255.255.255.255) @3:5\n");
    EXPECT_EQ(cond("(dst_ip==[::1])"),
              "cmp dst_ip == net(::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff) @3:5\n");
    EXPECT_EQ(cond("(dst_ip==fe80::/10)"),
              "cmp dst_ip == net(fe80::/ffc0:0000:0000:0000:0000:0000:0000:0000) @3:5\n");
}

TEST(Expr, NetworkWithHostBitsIsCorrectedWithWarning) {
    Parsed p = parse(in_route("if (src_ip==192.168.1.80/27) drop;"));
    ASSERT_TRUE(p.cfg) << p.messages();
    ASSERT_EQ(p.warning_count(), 1u);
    EXPECT_EQ(p.diag.all()[0].message,
              "network address 192.168.1.80 has host bits set; using 192.168.1.64");
    EXPECT_EQ(cond("(src_ip==192.168.1.80/27)"), "cmp src_ip == net(192.168.1.64/255.255.255.224) @3:5\n");
}

TEST(Expr, Item56_IpErrors) {
    EXPECT_TRUE(rejects(in_route("if (src_ip==10.0.0.0/33) drop;"), 3, 22,
                        "invalid bit number in netmask (0..32)"));
    EXPECT_TRUE(rejects(in_route("if (src_ip==300.1.1.1) drop;"), 3, 13, "invalid ipv4 address"));
    EXPECT_TRUE(rejects(in_route("if (src_ip==10.0.0.0/::1) drop;"), 3, 22,
                        "netmask and address are of different families"));
    EXPECT_TRUE(rejects(in_route("if (src_ip==10.0.0.0/) drop;"), 3, 22,
                        "expected a netmask (address or number of bits)"));
    // Parses; the regex/IP mismatch is a start-up error.
    EXPECT_EQ(cond("(src_ip=~\"127.0.0.1\")"), "cmp src_ip =~ \"127.0.0.1\" @3:5\n");
}

TEST(Expr, Item57_OperandForms) {
    EXPECT_EQ(cond("(src_port==5096)"), "cmp src_port == 5096 @3:5\n");
    EXPECT_EQ(cond("(src_port>5000 && src_port<=5096)"),
              "and @3:19\n  cmp src_port > 5000 @3:5\n  cmp src_port <= 5096 @3:22\n");
    EXPECT_EQ(cond("(dst_port>=5099)"), "cmp dst_port >= 5099 @3:5\n");
    EXPECT_EQ(cond("(dst_ip==127.0.0.1)"), "cmp dst_ip == net(127.0.0.1/255.255.255.255) @3:5\n");
    EXPECT_EQ(cond("(proto==UDP)"), "cmp proto == proto(udp) @3:5\n");
    EXPECT_EQ(cond("(proto==udp)"), "cmp proto == proto(udp) @3:5\n");
    EXPECT_EQ(cond("(proto!=TCP)"), "cmp proto != proto(tcp) @3:5\n");
    EXPECT_EQ(cond("(proto==tls)"), "cmp proto == proto(tls) @3:5\n");
    EXPECT_EQ(cond("(proto==*)"), "cmp proto == proto(*) @3:5\n");
    EXPECT_EQ(cond("(af==INET)"), "cmp af == 2 @3:5\n");
    EXPECT_EQ(cond("(af==inet6)"), "cmp af == 10 @3:5\n");
    EXPECT_EQ(cond("(msg:len>100)"), "cmp msg:len > 100 @3:5\n");
    EXPECT_EQ(cond("(msg:len<max_len)"), "cmp msg:len < max_len @3:5\n");
    EXPECT_EQ(cond("(method==INVITE)"), "cmp method == host(INVITE) @3:5\n");
    EXPECT_EQ(cond("(method=~\"^inv\")"), "cmp method =~ \"^inv\" @3:5\n");
    EXPECT_EQ(cond("(uri==\"sip:alice@example.com\")"), "cmp uri == \"sip:alice@example.com\" @3:5\n");
    EXPECT_EQ(cond("(uri==example.com)"), "cmp uri == host(example.com) @3:5\n");
    EXPECT_EQ(cond("(status=~\"^2\")"), "cmp status =~ \"^2\" @3:5\n");
    EXPECT_EQ(cond("(from_uri!=myself)"), "cmp from_uri != myself @3:5\n");
    EXPECT_EQ(cond("(to_uri==myself)"), "cmp to_uri == myself @3:5\n");
}

TEST(Expr, ReversedMyself) {
    EXPECT_EQ(cond("(myself==uri)"), "cmp uri == myself @3:5\n");
    EXPECT_EQ(cond("(myself != src_ip)"), "cmp src_ip != myself @3:5\n");
    EXPECT_TRUE(rejects(in_route("if (myself==method) drop;"), 3, 13,
                        "expected uri, status, from_uri, to_uri, src_ip or dst_ip"));
    EXPECT_TRUE(rejects(in_route("if (myself=~uri) drop;"), 3, 11, "expected '==' or '!='"));
}

TEST(Expr, Item58_IllegalCombinations) {
    char const* strop = "expected '==', '!=' or '=~'";
    char const* intop = "expected '==', '!=', '<', '>', '<=' or '>='";
    EXPECT_TRUE(rejects(in_route("if (method > \"A\") drop;"), 3, 12, strop));
    EXPECT_TRUE(rejects(in_route("if (src_port==\"10\") drop;"), 3, 15, "expected a number"));
    EXPECT_TRUE(rejects(in_route("if (src_port=~10) drop;"), 3, 13, intop));
    EXPECT_TRUE(rejects(in_route("if (proto==\"udp\") drop;"), 3, 12, "expected a protocol (udp, tcp, tls or *)"));
    EXPECT_TRUE(rejects(in_route("if (uri=~myself) drop;"), 3, 10,
                        "expected a string, hostname or 'myself' (only with == and !=)"));
    EXPECT_TRUE(rejects(in_route("if (src_ip=~myself) drop;"), 3, 13,
                        "expected an IP address, network, string or hostname"));
    EXPECT_TRUE(rejects(in_route("if (method==myself) drop;"), 3, 13, "expected a string or method name"));
    EXPECT_TRUE(rejects(in_route("if (\"INVITE\"==method) drop;"), 3, 5,
                        "a comparison starts with an operand (method, uri, status, from_uri, to_uri, "
                        "src_ip, dst_ip, src_port, dst_port, proto, af, msg:len or myself), not a "
                        "string"));
    EXPECT_TRUE(rejects(in_route("if (msg : len > 5) drop;"), 3, 9,
                        "expected '(' (module function calls need parentheses)"));
    EXPECT_TRUE(rejects(in_route("if () drop;"), 3, 5, "expected a condition after '('"));
    EXPECT_TRUE(rejects(in_route("if (method==\"A\" &&) drop;"), 3, 19, "expected a condition after the operator"));
    EXPECT_TRUE(rejects(in_route("if (!) drop;"), 3, 6, "expected a condition after '!'"));
    EXPECT_TRUE(rejects(in_route("if (uri) drop;"), 3, 8, strop));
    EXPECT_TRUE(rejects(in_route("if (af==\"inet\") drop;"), 3, 9, "expected a number (e.g. inet or inet6)"));
    EXPECT_TRUE(rejects(in_route("if (msg:len==\"5\") drop;"), 3, 14, "expected a number or max_len"));
    EXPECT_TRUE(rejects(in_route("if (method=~INVITE.x) drop;"), 3, 19, "expected ')'"));
    EXPECT_TRUE(rejects(in_route("if (uri = \"x\") drop;"), 3, 9, strop));
    EXPECT_TRUE(rejects(in_route("if (src_port == -1) drop;"), 3, 17,
                        "expected a number (there are no negative numbers)"));
}

TEST(Expr, Item59_NotMatchScansAsNotEqual) {
    Parsed p = parse(in_route("if (uri !=~ \"x\") drop;"));
    ASSERT_TRUE(p.cfg) << p.messages();
    ASSERT_EQ(p.warning_count(), 1u);
    EXPECT_EQ(p.diag.all()[0].message, "ignoring unknown character '~'");
    EXPECT_EQ(cond("(uri !=~ \"x\")"), "cmp uri != \"x\" @3:5\n");
}

TEST(Expr, Item60_BadRegexParses) {
    EXPECT_EQ(cond("(uri=~\"(\")"), "cmp uri =~ \"(\" @3:5\n");
}

TEST(Expr, CommandsBlocksAndNumbersAsConditions) {
    EXPECT_EQ(cond("(t_relay())"), "call t_relay() @3:5\n");
    EXPECT_EQ(cond("(isflagset(6))"), "core IsFlagSet isflagset(6) @3:5\n");
    EXPECT_EQ(cond("(route(2))"), "core Route route(2) @3:5\n");
    EXPECT_EQ(cond("(forward(10.0.0.1))"), "core Forward forward(ip(10.0.0.1)) @3:5\n");
    EXPECT_EQ(cond("(drop)"), "core Drop drop @3:5\n");
    EXPECT_EQ(cond("({ a(); b(); })"), "block @3:5\n  call a() @3:7\n  call b() @3:12\n");
    EXPECT_EQ(cond("(if (1) a(); else b();)"),
              "if @3:5\n  cond\n    number 1 @3:9\n  then\n    call a() @3:12\n  else\n"
              "    call b() @3:22\n");
    EXPECT_EQ(cond("(1)"), "number 1 @3:5\n");
    EXPECT_EQ(cond("(yes)"), "number 1 @3:5\n");
    EXPECT_EQ(cond("(0x10)"), "number 16 @3:5\n");
    EXPECT_EQ(cond("t_relay()"), "call t_relay() @3:4\n");
}

}  // namespace
}  // namespace ser::parser::test
