// Semantic errors found when the config is loaded (issue: unknown function,
// arity, route kind, undefined route, modparam), each with its place.
#include <gtest/gtest.h>

#include "tests/script/harness.hpp"

using namespace ser::test;

namespace {

std::string load_error(const std::string& cfg) {
    Harness h;
    EXPECT_FALSE(h.load(cfg)) << "config unexpectedly accepted:\n" << cfg;
    return h.errors;
}

}  // namespace

TEST(CompileErrors, UnknownFunctionNamesSearchedModules) {
    std::string e = load_error(base_cfg("nosuch();"));
    EXPECT_NE(e.find("test.cfg:3:8: error: unknown command 'nosuch', missing loadmodule? (searched modules: M)"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("route{ nosuch(); }\n       ^"), std::string::npos) << e;
}

TEST(CompileErrors, WrongNumberOfArguments) {
    std::string e = load_error(base_cfg("f2(\"a\");"));
    EXPECT_NE(e.find("test.cfg:3:8: error: wrong number of arguments: 'f2' of module 'M' takes 2 argument(s), not 1"),
              std::string::npos)
        << e;
}

TEST(CompileErrors, Checklist32_FunctionNotAllowedInBlockKind) {
    std::string e = load_error("listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\nonreply_route[1]{ failonly(); }\n");
    EXPECT_NE(e.find("test.cfg:3:19: error: command 'failonly' cannot be used in the block: not allowed in "
                     "onreply_route (allowed in: failure_route)"),
              std::string::npos)
        << e;
    // route[n] is always checked as a request block.
    e = load_error("listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\nroute[1]{ failonly(); }\nroute{ route(1); }\n");
    EXPECT_NE(e.find("cannot be used in the block: not allowed in route"), std::string::npos) << e;
    Harness ok;
    EXPECT_TRUE(ok.load("listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\nfailure_route[1]{ failonly(); }\n"))
        << ok.errors;
}

TEST(CompileErrors, RouteToUndefinedBlockIsAnError) {
    std::string e = load_error(base_cfg("route(7);"));
    EXPECT_NE(e.find("test.cfg:3:8: error: route(7) calls a route block that is not defined: there is no route[7]"),
              std::string::npos)
        << e;
}

TEST(CompileErrors, FunctionBeforeItsLoadmodule) {
    std::string e = load_error("listen=udp:127.0.0.1:5099\nroute{ f0(); }\nloadmodule \"M.so\"\n");
    EXPECT_NE(e.find("test.cfg:2:8: error: unknown command 'f0'"), std::string::npos) << e;
}

TEST(Checklist, Item24_ModparamTypes) {
    Harness ok;
    ASSERT_TRUE(ok.load(base_cfg("f0();", "modparam(\"M\",\"ip\",5)\nmodparam(\"M\",\"sp\",\"x\")\n"))) << ok.errors;
    EXPECT_EQ(ok.m().ip, 5);
    EXPECT_EQ(ok.m().sp, "x");
    std::string e = load_error(base_cfg("f0();", "modparam(\"M\",\"ip\",\"5\")\n"));
    EXPECT_NE(e.find("test.cfg:3:1: error: can't set module parameter: 'ip' of module 'M' takes a number, not a string"),
              std::string::npos)
        << e;
    e = load_error(base_cfg("f0();", "modparam(\"M\",\"sp\",5)\n"));
    EXPECT_NE(e.find("'sp' of module 'M' takes a quoted string, not a number"), std::string::npos) << e;
    e = load_error(base_cfg("f0();", "modparam(\"M\",\"nope\",5)\n"));
    // Every parameter is listed, in declaration order (M has more after sp).
    EXPECT_NE(e.find("module 'M' has no parameter 'nope' (it has: ip, sp, range, "), std::string::npos) << e;
}

TEST(Checklist, Item25_ModparamModuleRegex) {
    for (const char* re : {"m", "M|other", "M.*"}) {
        Harness h;
        EXPECT_TRUE(h.load(base_cfg("f0();", std::string("modparam(\"") + re + "\",\"ip\",5)\n"))) << re << h.errors;
        EXPECT_EQ(h.m().ip, 5);
    }
}

TEST(Checklist, Item26_ModparamBeforeLoadmodule) {
    std::string e = load_error("listen=udp:127.0.0.1:5099\nmodparam(\"M\",\"ip\",5)\nloadmodule \"M.so\"\nroute{f0();}\n");
    EXPECT_NE(e.find("test.cfg:2:1: error: can't set module parameter: no module matching \"M\" is loaded"),
              std::string::npos)
        << e;
}

TEST(Checklist, Item27_ModparamYes) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("f0();", "modparam(\"M\",\"ip\",yes)\n"))) << h.errors;
    EXPECT_EQ(h.m().ip, 1);
}

TEST(Checklist, Item28_LoadmoduleTwice) {
    std::string e = load_error("loadmodule \"M.so\"\nloadmodule \"M.so\"\nroute{f0();}\n");
    EXPECT_NE(e.find("test.cfg:2:12: error: module \"M.so\" is already loaded"), std::string::npos) << e;
}

TEST(Checklist, Item31_ArityAndUnknown) {
    EXPECT_NE(load_error(base_cfg("f2(\"a\",\"b\",\"c\");")).find("error"), std::string::npos);
    EXPECT_NE(load_error(base_cfg("nosuch();")).find("unknown command 'nosuch', missing loadmodule?"),
              std::string::npos);
}

TEST(Checklist, Item60_BadRegexIsAStartupError) {
    std::string e = load_error(base_cfg("if (uri=~\"(\") drop;"));
    EXPECT_NE(e.find("bad re \"(\""), std::string::npos) << e;
}

TEST(Checklist, Item56_QuotedIpWithMatchIsAnError) {
    std::string e = load_error(base_cfg("if (src_ip=~\"127.0.0.1\") drop;"));
    EXPECT_NE(e.find("invalid type for match"), std::string::npos) << e;
}

TEST(Checklist, Item66_UnresolvableForwardHost) {
    std::string e = load_error(base_cfg("forward(\"no.such.host.invalid\");"));
    EXPECT_NE(e.find("could not resolve hostname 'no.such.host.invalid'"), std::string::npos) << e;
}

TEST(Checklist, Item67_ForceSendSocketNotListening) {
    std::string e = load_error(base_cfg("force_send_socket(udp:127.0.0.1:5070);"));
    EXPECT_NE(e.find("ser doesn't listen on"), std::string::npos) << e;
    Harness ok;
    EXPECT_TRUE(ok.load(base_cfg("force_send_socket(udp:127.0.0.1:5099);"))) << ok.errors;
}

TEST(Loader, BadFixupArgumentIsReportedWithPlace) {
    std::string e = load_error(base_cfg("r(\"abc\");"));
    EXPECT_NE(e.find("test.cfg:3:8: error: bad argument 1 of 'r' (\"abc\"): not a number"), std::string::npos) << e;
}
