// Route block statements (cfg-language §5.3, §6, §7) and the matching items
// of the §14 checklist.

#include "test_util.hpp"

namespace ser::parser::test {
namespace {

TEST(Statement, Item30_ModuleArgumentsMustBeQuoted) {
    EXPECT_TRUE(rejects(in_route("f1(1);"), 3, 4,
                        "bad arguments: module function arguments must be quoted strings"));
    EXPECT_TRUE(rejects(in_route("t_on_failure(x);"), 3, 14,
                        "bad arguments: module function arguments must be quoted strings"));
    EXPECT_TRUE(rejects(in_route("f2(\"a\", 1.2.3.4);"), 3, 9,
                        "bad arguments: module function arguments must be quoted strings"));
    EXPECT_EQ(route_dump("f1(\"1\");"), "call f1(\"1\") @3:1\n");
}

TEST(Statement, Item31_ModuleCallShape) {
    EXPECT_TRUE(rejects(in_route("f2(\"a\",\"b\",\"c\");"), 3, 12,
                        "bad arguments: module functions take at most 2 arguments"));
    EXPECT_TRUE(rejects(in_route("f0;"), 3, 3, "expected '(' (module function calls need parentheses)"));
    EXPECT_TRUE(rejects(in_route("record_route;"), 3, 13,
                        "expected '(' (module function calls need parentheses)"));
    EXPECT_TRUE(rejects(in_route("f1(\"a\",);"), 3, 7, "expected ')'"));
    // Names are resolved by the script compiler, not here.
    EXPECT_EQ(route_dump("nosuch();"), "call nosuch() @3:1\n");
    EXPECT_EQ(route_dump("f2('a', \"b\");"), "call f2(\"a\", \"b\") @3:1\n");
}

TEST(Statement, Item32_BlockKindIsNotCheckedHere) {
    EXPECT_TRUE(accepts("onreply_route[1]{ t_relay(); } route[1]{ F(); } failure_route[1]{ F(); }"));
}

TEST(Statement, Item35_EmptyAndBareBlocks) {
    EXPECT_TRUE(rejects("route{ }", 1, 8, "empty block: write '{ ; }' for a block that does nothing"));
    EXPECT_EQ(route_dump(";"), "null @3:1\n");
    EXPECT_EQ(route_dump(";;;"), "null @3:1\nnull @3:2\nnull @3:3\n");
    EXPECT_TRUE(rejects("route{ { drop; } }", 1, 8, "a bare block '{ ... }' is not a statement"));
}

TEST(Statement, Item38_IfForms) {
    std::string const expected =
        "if @3:1\n"
        "  cond\n"
        "    cmp method == \"INVITE\" @3:5\n"
        "  then\n"
        "    core Drop drop @3:25\n";
    EXPECT_EQ(route_dump("if (method==\"INVITE\") { drop; }"), expected);
    EXPECT_EQ(route_dump("if (method==\"INVITE\") { drop; };"), expected + "null @3:32\n");
    EXPECT_EQ(route_dump("if (method==\"INVITE\") drop;"),
              "if @3:1\n  cond\n    cmp method == \"INVITE\" @3:5\n  then\n    core Drop drop @3:23\n");
    EXPECT_EQ(route_dump("if method==\"INVITE\" drop;"),
              "if @3:1\n  cond\n    cmp method == \"INVITE\" @3:4\n  then\n    core Drop drop @3:21\n");
}

TEST(Statement, Item39_SemicolonBeforeElse) {
    EXPECT_TRUE(rejects(in_route("if (1) { drop; }; else { drop; }"), 3, 19,
                        "'else' without 'if' (a ';' between '}' and 'else' ends the if statement)"));
    EXPECT_EQ(route_dump("if (1) { drop; } else { drop; };"),
              "if @3:1\n  cond\n    number 1 @3:5\n  then\n    core Drop drop @3:10\n"
              "  else\n    core Drop drop @3:25\nnull @3:32\n");
}

TEST(Statement, Item40_IfBodies) {
    EXPECT_TRUE(rejects(in_route("if (1) {} "), 3, 9,
                        "empty block: write '{ ; }' for a block that does nothing"));
    EXPECT_EQ(route_dump("if (1) ;"), "if @3:1\n  cond\n    number 1 @3:5\n  then\n    null @3:8\n");
    EXPECT_EQ(route_dump("if (1) {;}"), "if @3:1\n  cond\n    number 1 @3:5\n  then\n    null @3:9\n");
    EXPECT_TRUE(rejects(in_route("if (1)"), 4, 1, "expected a statement or block"));
}

TEST(Statement, Item41_MissingSemicolon) {
    EXPECT_TRUE(rejects(in_route("if (uri==\"x\") drop }"), 3, 20, "expected ';' after command"));
    EXPECT_TRUE(rejects(in_route("drop\n}"), 4, 1, "expected ';' after command"));
    EXPECT_TRUE(rejects(in_route("f1(\"x\")"), 4, 1, "expected ';' after command"));
}

TEST(Statement, Item42_ElseIfChain) {
    EXPECT_EQ(route_dump("if (a()) {drop;} else if (b()) {drop;} else {drop;}"),
              "if @3:1\n"
              "  cond\n"
              "    call a() @3:5\n"
              "  then\n"
              "    core Drop drop @3:11\n"
              "  else\n"
              "    if @3:23\n"
              "      cond\n"
              "        call b() @3:27\n"
              "      then\n"
              "        core Drop drop @3:33\n"
              "      else\n"
              "        core Drop drop @3:46\n");
}

TEST(Statement, DanglingElseBindsToNearestIf) {
    EXPECT_EQ(route_dump("if (1) if (2) a(); else b();"),
              "if @3:1\n"
              "  cond\n"
              "    number 1 @3:5\n"
              "  then\n"
              "    if @3:8\n"
              "      cond\n"
              "        number 2 @3:12\n"
              "      then\n"
              "        call a() @3:15\n"
              "      else\n"
              "        call b() @3:25\n");
}

TEST(Statement, IfAfterClosingBraceIsANewStatement) {
    EXPECT_EQ(route_dump("if (1) { a(); } if (2) { b(); }"),
              "if @3:1\n  cond\n    number 1 @3:5\n  then\n    call a() @3:10\n"
              "if @3:17\n  cond\n    number 2 @3:21\n  then\n    call b() @3:26\n");
}

TEST(Statement, Item43_NoReturnOrExit) {
    char const* ret = "'return' does not exist in SER 0.9.6 (use 'break' or 'drop')";
    EXPECT_TRUE(rejects(in_route("return;"), 3, 1, ret));
    EXPECT_TRUE(rejects(in_route("exit;"), 3, 1, "'exit' does not exist in SER 0.9.6 (use 'break' or 'drop')"));
    EXPECT_TRUE(rejects(in_route("return(1);"), 3, 1, ret));
    EXPECT_TRUE(rejects(in_route("len_gt(5);"), 3, 8,
                        "bad arguments: module function arguments must be quoted strings"));
}

TEST(Statement, Item44_DropAndBreak) {
    EXPECT_EQ(route_dump("drop(); break(); drop; break;"),
              "core Drop drop() @3:1\ncore Drop break() @3:9\ncore Drop drop @3:18\n"
              "core Drop break @3:24\n");
    EXPECT_TRUE(rejects(in_route("drop(1);"), 3, 6, "expected ')'"));
}

TEST(Statement, ErrorsInsideBlocks) {
    EXPECT_TRUE(rejects(in_route("drop;\n5;"), 4, 1, "expected a statement or '}'"));
    EXPECT_TRUE(rejects("route{ drop;", 1, 13, "expected a statement or '}'"));
    EXPECT_TRUE(rejects(in_route("debug=3;"), 3, 1, "expected a statement"));
    EXPECT_TRUE(rejects(in_route("drop; debug=3;"), 3, 7, "expected a statement or '}'"));
}

TEST(Statement, BlocksConcatenateInFileOrder) {
    Parsed p = parse("route{ f1(\"first\"); } route{ f1(\"second\"); } route[0]{ drop; }");
    ASSERT_TRUE(p.cfg) << p.messages();
    EXPECT_EQ(p.cfg->items.size(), 3u);
}

}  // namespace
}  // namespace ser::parser::test
