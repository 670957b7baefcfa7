// Return values, blocks, sub-routes and expressions: cfg-language §14
// runtime items, each a named test.
#include <gtest/gtest.h>

#include "tests/script/harness.hpp"

using namespace ser;
using namespace ser::test;
using Calls = std::vector<std::string>;

namespace {

Calls run(const std::string& routes, const std::string& head = "") {
    Harness h;
    std::string cfg = "listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\n" + head + routes;
    EXPECT_TRUE(h.load(cfg)) << h.errors;
    if (!h.errors.empty() && h.diag.error_count()) return {};
    h.receive(invite());
    return h.m().calls;
}

Calls run_route(const std::string& body) { return run("route{ " + body + " }\n"); }

}  // namespace

TEST(Checklist, Item36_SameRouteBlocksConcatenate) {
    EXPECT_EQ(run("route{ f1(\"first\"); } route{ f1(\"second\"); }"), (Calls{"first", "second"}));
}

TEST(Checklist, Item37_Route0IsMainRoute) {
    EXPECT_EQ(run("route[0]{ f1(\"zero\"); } route{ f1(\"main\"); }"), (Calls{"zero", "main"}));
}

TEST(Checklist, Item45_ZeroStopsNegativeContinuesBreakEndsSubroute) {
    EXPECT_EQ(run("route{ f1(\"a\"); r(\"-5\"); f1(\"b\"); route(1); f1(\"c\"); r(\"0\"); f1(\"d\"); }"
                  " route[1]{ f1(\"r1\"); break; f1(\"x\"); }"),
              (Calls{"a", "r -5", "b", "r1", "c", "r 0"}));
}

TEST(Checklist, Item46_RouteValueInConditions) {
    // route(5) of the checklist is a load-time error in ser (see
    // RouteToUndefinedBlockIsAnError); the rest behaves as in SER 0.9.6.
    EXPECT_EQ(run("route{ if (route(1)) f1(\"t1\"); else f1(\"f1\"); if (route(2)) f1(\"t2\");"
                  " if (route(3)) f1(\"t3\"); f1(\"end\"); }"
                  " route[1]{ r(\"-3\"); } route[2]{ drop; } route[3]{ r(\"7\"); }"),
              (Calls{"r -3", "f1", "t2", "r 7", "t3", "end"}));
}

TEST(Checklist, Item46a_ZeroInSubrouteConditionEndsOnlyTheSubroute) {
    EXPECT_EQ(run("route{ route(1); f1(\"after\"); if (route(1)) f1(\"t\"); }"
                  " route[1]{ if (r(\"0\")) f1(\"x\"); f1(\"y\"); }"),
              (Calls{"r 0", "after", "r 0", "t"}));
}

TEST(Checklist, Item47_IfElseAndStop) {
    EXPECT_EQ(run_route("if (r(\"-1\")) f1(\"A\"); else f1(\"B\");"), (Calls{"r -1", "B"}));
    EXPECT_EQ(run_route("if (r(\"1\")) f1(\"A\");"), (Calls{"r 1", "A"}));
    EXPECT_EQ(run_route("if (r(\"0\")) f1(\"A\"); else f1(\"B\"); f1(\"after\");"), (Calls{"r 0"}));
}

TEST(Checklist, Item48_LogicalOperators) {
    EXPECT_EQ(run_route("if (r(\"1\") && r(\"-1\")) f1(\"T\"); else f1(\"F\");"), (Calls{"r 1", "r -1", "F"}));
    EXPECT_EQ(run_route("if (r(\"-1\") || r(\"2\")) f1(\"T\");"), (Calls{"r -1", "r 2", "T"}));
    EXPECT_EQ(run_route("if (!r(\"-1\")) f1(\"T\");"), (Calls{"r -1", "T"}));
    EXPECT_EQ(run_route("if (not r(\"3\")) f1(\"T\"); else f1(\"F\");"), (Calls{"r 3", "F"}));
    EXPECT_EQ(run_route("if (!r(\"0\")) f1(\"T\"); else f1(\"F\"); f1(\"after\");"), (Calls{"r 0"}));
}

TEST(Checklist, Item49_PrecedenceAndShortCircuit) {
    EXPECT_EQ(run_route("if (r(\"-1\") and r(\"1\") or r(\"1\")) f1(\"T\");"), (Calls{"r -1", "r 1", "T"}));
    EXPECT_EQ(run_route("if (r(\"1\") or r(\"1\") and r(\"-1\")) f1(\"T\");"), (Calls{"r 1", "T"}));
    EXPECT_EQ(run_route("if (!r(\"1\") or r(\"1\")) f1(\"T\");"), (Calls{"r 1", "r 1", "T"}));
}

TEST(Checklist, Item50_NumbersAsConditions) {
    EXPECT_EQ(run_route("if (1) f1(\"a\"); if (0) f1(\"b\"); if (yes) f1(\"c\"); if (0x10) f1(\"d\");"),
              (Calls{"a", "c", "d"}));
}

TEST(Checklist, Item51_MethodComparisons) {
    EXPECT_EQ(run_route("if (method==\"INVITE\") f1(\"1\"); if (method==\"invite\") f1(\"2\");"
                        " if (method==\"INV\") f1(\"3\"); if (method==INVITE) f1(\"4\");"
                        " if (method=~\"^inv\") f1(\"5\"); if (method=~\"VIT\") f1(\"6\");"
                        " if (method!=\"INVITE\") f1(\"7\");"),
              (Calls{"1", "2", "4", "5", "6"}));
}

TEST(Compatibility, PrefixStringCompareIsExact) {
    // SER 0.9.6 took method=="INVITEXYZ" as true for an INVITE (it compared
    // only len(method) characters). ser compares exactly and logs a warning
    // (docs/compatibility.md).
    EXPECT_EQ(run_route("if (method==\"INVITEXYZ\") f1(\"quirk\"); else f1(\"exact\");"), (Calls{"exact"}));
    EXPECT_EQ(run_route("if (uri==\"sip:alice@example.com;foo\") f1(\"quirk\"); else f1(\"exact\");"),
              (Calls{"exact"}));
}

TEST(Checklist, Item52_UriComparisons) {
    EXPECT_EQ(run_route("if (uri==\"sip:alice@example.com\") f1(\"1\");"
                        " if (uri==\"SIP:ALICE@EXAMPLE.COM\") f1(\"2\");"
                        " if (from_uri==\"sip:bob@example.org\") f1(\"3\");"
                        " if (to_uri==\"sip:alice@example.com\") f1(\"4\");"),
              (Calls{"1", "2", "3", "4"}));
}

TEST(Checklist, Item53_MyselfNeedsPortAgreement) {
    EXPECT_EQ(run_route("if (uri==myself) f1(\"a\"); rewritehost(\"127.0.0.1\"); if (uri==myself) f1(\"b\");"
                        " setport(\"5099\"); if (uri==myself) f1(\"c\"); if (myself==uri) f1(\"d\");"),
              (Calls{"c", "d"}));
}

TEST(Checklist, Item54_Aliases) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099\nalias=example.com\nalias=other.org:5070\nloadmodule \"M.so\"\n"
                       "route{ if (uri==myself) f1(\"yes\"); else f1(\"no\"); }"))
        << h.errors;
    h.receive(invite("sip:x@example.com"));
    h.receive(invite("sip:x@OTHER.org:5070"));
    h.receive(invite("sip:x@other.org"));
    EXPECT_EQ(h.m().calls, (Calls{"yes", "yes", "no"}));
}

TEST(Checklist, Item55_SourceIpForms) {
    EXPECT_EQ(run_route("if (src_ip==127.0.0.1) f1(\"1\"); if (src_ip==127.0.0.0/8) f1(\"2\");"
                        " if (src_ip==127.0.0.0/255.0.0.0) f1(\"3\"); if (src_ip==\"127.0.0.1\") f1(\"4\");"
                        " if (src_ip=~\"^127\\.\") f1(\"5\"); if (src_ip==myself) f1(\"6\");"
                        " if (src_ip==localhost) f1(\"7\"); if (src_ip!=10.0.0.0/8) f1(\"8\");"
                        " if (src_ip==0x7f.0.0.01) f1(\"9\"); if (src_ip==0177.0.0.1) f1(\"10\");"
                        " if (src_ip == 127 . 0 . 0 . 1) f1(\"11\");"),
              (Calls{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}));
}

TEST(Checklist, Item57_NumericOperands) {
    EXPECT_EQ(run_route("if (src_port==5096) f1(\"1\"); if (src_port>5000 && src_port<=5096) f1(\"2\");"
                        " if (dst_port==5099) f1(\"3\"); if (dst_ip==127.0.0.1) f1(\"4\");"
                        " if (proto==UDP) f1(\"5\"); if (proto==udp) f1(\"6\"); if (proto!=TCP) f1(\"7\");"
                        " if (af==INET) f1(\"8\"); if (msg:len>100) f1(\"9\"); if (msg:len<max_len) f1(\"10\");"
                        " if (af==inet6) f1(\"11\");"),
              (Calls{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}));
}

TEST(Checklist, Item61_62_Flags) {
    EXPECT_EQ(run_route("setflag(32); setflag(0); if (isflagset(0)) f1(\"zero\"); setflag(1); setflag(31);"
                        " if (isflagset(1)) f1(\"1\"); if (isflagset(31)) f1(\"31\"); resetflag(1);"
                        " if (isflagset(1)) f1(\"still\"); f1(\"end\");"),
              (Calls{"1", "31", "end"}));
}

TEST(Checklist, Item74_DoubleQuotedEscapes) {
    Calls c = run_route("f1(\"a\\tb|\\x41\\x4a|\\101|\\12|\\1|\\d|\\.|\\\"q\\\"|\\\\|\\z|\\x|\\xZ|\\r|\\a|\\0411\");");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0], std::string("a\tb|AJ|A|\n|\\1|\\d|\\.|\"q\"|\\|\\z|\\x|\\xZ|\r|\a|!1"));
}

TEST(Checklist, Item75_SingleQuotedIsRaw) {
    Calls c = run_route("f1('single \\t \\x41 \"dq\" # x');");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0], "single \\t \\x41 \"dq\" # x");
}

TEST(Engine, NestingLimitStopsRecursion) {
    // route[1] calls itself: the 100-level limit ends it with an error value.
    EXPECT_EQ(run("route{ if (route(1)) f1(\"t\"); else f1(\"f\"); } route[1]{ route(1); }"), (Calls{"f"}));
}

TEST(Engine, NoRouteBlockDiscardsRequests) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099\ndebug=3\n")) << h.errors;
    h.receive(invite());
    EXPECT_TRUE(h.tx.sent.empty());
}
