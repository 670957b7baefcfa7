// Lexical rules (cfg-language §2) and the lexical items of the §14 checklist.

#include "test_util.hpp"

namespace ser::parser::test {
namespace {

char const* const kTopLevel =
    " (expected a global assignment, loadmodule, modparam or a route block)";

long debug_value(std::string const& text) {
    Parsed p = parse(text);
    EXPECT_TRUE(p.cfg) << p.messages();
    if (!p.cfg)
        return -999;
    auto const* a = find_assign(*p.cfg, "debug");
    return a ? std::get<ast::Number>(a->value).value : -999;
}

// The arguments of the first module call of a route{} snippet.
std::vector<std::string> call_args(std::string const& body) {
    Parsed p = parse(in_route(body));
    EXPECT_TRUE(p.cfg) << p.messages();
    std::vector<std::string> out;
    if (!p.cfg)
        return out;
    auto const& actions = route_actions(*p.cfg);
    if (actions.empty())
        return out;
    if (auto const* c = std::get_if<ast::ModuleCall>(&actions[0].node))
        for (auto const& s : c->args)
            out.push_back(s.value);
    return out;
}

TEST(Lexical, Item01_MinimalRoute) { EXPECT_TRUE(accepts("route{ drop; }")); }

TEST(Lexical, Item02_SemicolonAfterAssignment) {
    EXPECT_TRUE(rejects("debug=3;\nroute{drop;}", 1, 8, "';' is not allowed at top level"));
}

TEST(Lexical, Item03_SemicolonAfterRouteBlock) {
    EXPECT_TRUE(rejects("route{ drop; };", 1, 15, "';' is not allowed at top level"));
}

TEST(Lexical, Item04_SemicolonAfterLoadmodule) {
    EXPECT_TRUE(rejects("loadmodule \"M\";", 1, 15, "';' is not allowed at top level"));
}

TEST(Lexical, Item05_ItemsNeedNoSeparator) {
    Parsed p = parse("debug=3 fork=no route{drop;}");
    ASSERT_TRUE(p.cfg) << p.messages();
    EXPECT_EQ(p.cfg->items.size(), 3u);
}

TEST(Lexical, Item06_EmptyFileAndCommentOnlyFile) {
    char const* msg = "no global assignment, loadmodule, modparam or route block found (empty config)";
    EXPECT_TRUE(rejects("", 0, 0, msg));
    EXPECT_TRUE(rejects("# comment\n", 0, 0, msg));
    Parsed p = parse("");
    EXPECT_EQ(p.messages(), std::string("test.cfg: error: ") + msg + "\n");
}

TEST(Lexical, Item07_NoRouteBlock) { EXPECT_TRUE(accepts("debug=3")); }

TEST(Lexical, Item08_FinalHashCommentNeedsNewline) {
    EXPECT_TRUE(accepts("route{ drop; }\n# c\n"));
    EXPECT_TRUE(rejects("route{ drop; }\n# c", 2, 3, std::string("unexpected 'c' at top level") + kTopLevel));
    Parsed p = parse("route{ drop; }\n# c");
    ASSERT_EQ(p.diag.all().size(), 2u);
    EXPECT_EQ(p.diag.all()[0].severity, Severity::Warning);
    EXPECT_EQ(p.diag.all()[0].pos.line, 2u);
    EXPECT_EQ(p.diag.all()[0].pos.col, 1u);
}

TEST(Lexical, Item09_NestedBlockComment) {
    EXPECT_TRUE(accepts("route{ drop; } /* a /* b */ c */"));
    EXPECT_TRUE(accepts("/* x /* y\n /* z */ */\n */ route{ /* in */ drop; }"));
}

TEST(Lexical, Item10_UnclosedBlockComment) {
    EXPECT_TRUE(rejects("route{ drop; } /* a /* b */", 1, 16, "unexpected EOF: 1 comments open"));
    EXPECT_TRUE(rejects("route{ /* /* \n drop; }", 1, 8, "unexpected EOF: 2 comments open"));
}

TEST(Lexical, Item11_DoubleSlashIsNotAComment) {
    EXPECT_TRUE(rejects("route{ drop; } // c", 1, 16, "'//' is not a comment (use '#' or '/* */')"));
    EXPECT_TRUE(rejects(in_route("drop; // c"), 3, 7,
                        "expected a statement or '}' ('//' is not a comment; use '#' or '/* */')"));
}

TEST(Lexical, StrayCommentEnd) {
    EXPECT_TRUE(rejects("route{ drop; } */", 1, 16, "unexpected '*/' outside a comment"));
}

TEST(Lexical, CommentMarkersInsideStringsAreText) {
    EXPECT_EQ(call_args("f1(\"# not /* a */ comment\");"),
              std::vector<std::string>{"# not /* a */ comment"});
}

TEST(Lexical, CrLfAndOtherSeparators) {
    EXPECT_TRUE(accepts("debug=3\r\nroute{\r\n\tdrop;\b\r\n}\r\n"));
}

TEST(Lexical, BackslashNewlineOutsideStrings) {
    EXPECT_TRUE(accepts("debug=\\\n3 route{ drop; }"));
}

TEST(Lexical, Item13_NumberForms) {
    EXPECT_EQ(debug_value("debug=0x1f"), 31);
    EXPECT_EQ(debug_value("debug=010"), 8);
    EXPECT_EQ(debug_value("debug=0"), 0);
    EXPECT_EQ(debug_value("debug=1234"), 1234);
    EXPECT_EQ(debug_value("debug=yes"), 1);
    EXPECT_EQ(debug_value("debug=true"), 1);
    EXPECT_EQ(debug_value("debug=on"), 1);
    EXPECT_EQ(debug_value("debug=enable"), 1);
    EXPECT_EQ(debug_value("debug=no"), 0);
    EXPECT_EQ(debug_value("debug=false"), 0);
    EXPECT_EQ(debug_value("debug=off"), 0);
    EXPECT_EQ(debug_value("debug=disable"), 0);
    EXPECT_EQ(debug_value("debug=inet"), 2);
    EXPECT_EQ(debug_value("debug=INET"), 2);
    EXPECT_EQ(debug_value("debug=inet6"), 10);
    EXPECT_EQ(debug_value("debug=INET6"), 10);
    EXPECT_TRUE(rejects("debug=08", 1, 8, std::string("unexpected '8' at top level") + kTopLevel));
    EXPECT_TRUE(rejects("debug=-1", 1, 7, "expected a number (there are no negative numbers)"));
    EXPECT_TRUE(rejects("debug=Yes", 1, 7, "expected a number"));
}

TEST(Lexical, Item88_UpperCaseHexPrefix) {
    EXPECT_TRUE(rejects("debug=0X1F", 1, 8, std::string("unexpected 'X1F' at top level") + kTopLevel));
}

TEST(Lexical, NumberFollowedByIdentifier) {
    // `5060abc` is the number 5060 followed by the identifier abc.
    EXPECT_TRUE(rejects("port=5060abc", 1, 10, std::string("unexpected 'abc' at top level") + kTopLevel));
}

TEST(Lexical, KeywordsUseLongestMatch) {
    EXPECT_EQ(route_dump("forward_udp(1.2.3.4);"),
              "core ForwardUdp forward_udp(ip(1.2.3.4)) @3:1\n");
    // `forwarded`, `route1`, `ifx`, `udp5` are identifiers.
    EXPECT_EQ(route_dump("forwarded(); route1(); ifx(); udp5();"),
              "call forwarded() @3:1\ncall route1() @3:14\ncall ifx() @3:24\ncall udp5() @3:31\n");
}

TEST(Lexical, KeywordsAreNotIdentifiers) {
    EXPECT_TRUE(rejects(in_route("if(1) Drop;"), 3, 11, "expected '(' (module function calls need parentheses)"));
    EXPECT_TRUE(rejects(in_route("IF (1) drop;"), 3, 5,
                        "bad arguments: module function arguments must be quoted strings"));
}

TEST(Lexical, Item74_DoubleQuotedEscapes) {
    auto args = call_args(
        R"(f1("a\tb|\x41\x4a|\101|\12|\1|\d|\.|\"q\"|\\|\z|\x|\xZ|\r|\a|\0411");)");
    ASSERT_EQ(args.size(), 1u);
    EXPECT_EQ(args[0], std::string("a\tb|AJ|A|\n|\\1|\\d|\\.|\"q\"|\\|\\z|\\x|\\xZ|\r|\a|!1"));
}

TEST(Lexical, EscapeProducingNulTruncates) {
    EXPECT_EQ(call_args(R"(f2("ab\x00cd", "x\000y");)"), (std::vector<std::string>{"ab", "x"}));
}

TEST(Lexical, Item75_SingleQuotedIsRaw) {
    EXPECT_EQ(call_args(R"(f1('single \t \x41 "dq" # x');)"),
              std::vector<std::string>{R"(single \t \x41 "dq" # x)"});
}

TEST(Lexical, Item76_MultiLineStrings) {
    EXPECT_EQ(call_args("f1(\"a\nb\");"), std::vector<std::string>{"a\nb"});
    EXPECT_EQ(call_args("f1(\"a\\\nb\");"), std::vector<std::string>{"ab"});
    EXPECT_EQ(call_args("f1('a\nb');"), std::vector<std::string>{"a\nb"});
    EXPECT_EQ(call_args("f1(\"tab\there\");"), std::vector<std::string>{"tab\there"});
}

TEST(Lexical, UnterminatedStrings) {
    EXPECT_TRUE(rejects("route{ f1(\"abc", 1, 11, "unexpected EOF in unclosed string"));
    EXPECT_TRUE(rejects("route{ f1('abc", 1, 11, "unexpected EOF in unclosed string"));
}

TEST(Lexical, Item86_LineContinuationInCondition) {
    EXPECT_TRUE(accepts(in_route("if (method==\"INVITE\" \\\n|| method==\"ACK\") drop;")));
}

TEST(Lexical, Item87_UnknownCharactersAreSkippedWithWarning) {
    EXPECT_EQ(route_dump("_f0();"), "call f0() @3:2\n");
    Parsed p = parse("route{ drop; } @ $ % ?");
    ASSERT_TRUE(p.cfg) << p.messages();
    EXPECT_EQ(p.warning_count(), 4u);
    EXPECT_EQ(p.diag.all()[0].message, "ignoring unknown character '@'");
    EXPECT_EQ(p.diag.all()[0].pos.col, 16u);
}

TEST(Lexical, Item89_NoStringConcatenation) {
    EXPECT_TRUE(rejects(in_route("if (method==\"A\" \"B\") drop;"), 3, 17,
                        "expected ')' (adjacent strings are not concatenated)"));
    EXPECT_TRUE(rejects(in_route("seturi(\"sip:a@b\" \"c\");"), 3, 18,
                        "expected ')' (adjacent strings are not concatenated)"));
}

TEST(Lexical, DiagnosticFormat) {
    Parsed p = parse("debug=3\n\tfork=maybe\n");
    EXPECT_EQ(p.messages(),
              "test.cfg:2:7: error: expected a boolean value (yes/no, on/off, true/false, "
              "enable/disable or a number)\n"
              "\tfork=maybe\n"
              "      ^\n");
}

}  // namespace
}  // namespace ser::parser::test
