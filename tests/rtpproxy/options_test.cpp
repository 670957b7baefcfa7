// The rtpproxy command line (rtpproxy/options.hpp; spec rtpproxy-protocol
// §8): getopt-style grouping, control socket forms, listen address rules.
#include <gtest/gtest.h>

#include "rtpproxy/options.hpp"

using namespace ser::rtpp;

namespace {

std::optional<Options> parse(std::vector<std::string> args, std::string* error = nullptr) {
    std::string e;
    auto o = parse_options(args, e);
    if (error) *error = e;
    return o;
}

}  // namespace

TEST(RtppOptions, Defaults) {
    auto o = parse({});
    ASSERT_TRUE(o);
    EXPECT_FALSE(o->foreground);
    EXPECT_EQ(o->ttl, 60);
    EXPECT_EQ(o->tos, 0xb8);
    EXPECT_EQ(o->min_port, 35000);
    EXPECT_EQ(o->max_port, 65000);
    EXPECT_EQ(o->pid_file, "/var/run/rtpproxy.pid");
    ASSERT_EQ(o->controls.size(), 1u);
    EXPECT_EQ(o->controls[0].kind, ControlSpec::Kind::unix_stream);
    EXPECT_EQ(o->controls[0].path, "/var/run/rtpproxy.sock");
    SockAddr l[2];
    int n = 0;
    std::string e;
    ASSERT_TRUE(resolve_listen(*o, l, n, e)) << e;
    EXPECT_EQ(n, 1);
    EXPECT_TRUE(l[0].is_null_host());   // "*"
}

TEST(RtppOptions, GroupedFlagsAndAttachedArguments) {
    auto o = parse({"-2fF", "-T5", "-t", "0x10", "-m", "41000", "-M41019", "-dDBUG", "-p", "/tmp/x.pid", "-L", "5000"});
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->duplicate_small);
    EXPECT_TRUE(o->foreground);
    EXPECT_TRUE(o->force);
    EXPECT_EQ(o->ttl, 5);
    EXPECT_EQ(o->tos, 16);
    EXPECT_EQ(o->min_port, 41000);
    EXPECT_EQ(o->max_port, 41019);
    EXPECT_EQ(o->log.level, LogLevel::debug);
    EXPECT_TRUE(o->pid_file_given);
    EXPECT_EQ(o->open_files, 5000);
}

TEST(RtppOptions, ControlSocketForms) {
    auto o = parse({"-s", "unix:/tmp/a.sock", "-s", "/tmp/b.sock", "-s", "udp:127.0.0.1:7722", "-s", "udp:127.0.0.1",
                    "-s", "udp6:::1:7723", "-s", "udp6:[::1]:7724", "-s", "udp:*:7725"});
    ASSERT_TRUE(o);
    ASSERT_EQ(o->controls.size(), 7u);
    EXPECT_EQ(o->controls[0].path, "/tmp/a.sock");
    EXPECT_EQ(o->controls[1].path, "/tmp/b.sock");
    EXPECT_EQ(o->controls[2].addr.host_port(), "127.0.0.1:7722");
    EXPECT_EQ(o->controls[3].addr.host_port(), "127.0.0.1:22222");
    EXPECT_EQ(o->controls[4].addr.host_port(), "::1:7723");
    EXPECT_EQ(o->controls[5].addr.host_port(), "::1:7724");
    EXPECT_EQ(o->controls[6].addr.host_port(), "0.0.0.0:7725");
}

TEST(RtppOptions, LogLevels) {
    for (auto [text, level] : {std::pair{"DBUG", LogLevel::debug}, {"info", LogLevel::info}, {"WARN", LogLevel::warn},
                               {"ERR", LogLevel::err}, {"CRIT", LogLevel::crit}, {"ERR:local3", LogLevel::err}}) {
        auto s = parse_log_spec(text);
        ASSERT_TRUE(s) << text;
        EXPECT_EQ(s->level, level) << text;
    }
    EXPECT_FALSE(parse_log_spec("LOUD"));
    EXPECT_FALSE(parse_log_spec("INFO:nowhere"));
}

TEST(RtppOptions, Errors) {
    std::string e;
    EXPECT_FALSE(parse({"-q"}, &e));
    EXPECT_NE(e.find("unknown option"), std::string::npos);
    EXPECT_FALSE(parse({"-T"}, &e));
    EXPECT_FALSE(parse({"-T", "x"}, &e));
    EXPECT_FALSE(parse({"-t", "300"}, &e));
    EXPECT_FALSE(parse({"-S", "/tmp"}, &e));
    EXPECT_NE(e.find("-S switch requires -r"), std::string::npos);
    EXPECT_FALSE(parse({"-m", "5000", "-M", "4000"}, &e));
    EXPECT_FALSE(parse({"stray"}, &e));
}

TEST(RtppOptions, ListenAddressRules) {
    SockAddr l[2];
    int n = 0;
    std::string e;
    // UDP control needs an explicit listen address.
    auto udp = parse({"-s", "udp:127.0.0.1:7722"});
    EXPECT_FALSE(resolve_listen(*udp, l, n, e));
    EXPECT_NE(e.find("explicit binding address"), std::string::npos);
    auto bridge = parse({"-l", "127.0.0.1/127.0.0.2"});
    ASSERT_TRUE(resolve_listen(*bridge, l, n, e)) << e;
    EXPECT_EQ(n, 2);
    EXPECT_EQ(l[1].host(), "127.0.0.2");
    auto mixed = parse({"-l", "127.0.0.1/", "-6", "/::1"});
    ASSERT_TRUE(resolve_listen(*mixed, l, n, e)) << e;
    EXPECT_EQ(n, 2);
    EXPECT_EQ(l[1].family(), AF_INET6);
    auto two = parse({"-l", "127.0.0.1", "-6", "::1"});
    EXPECT_FALSE(resolve_listen(*two, l, n, e));
    EXPECT_NE(e.find("exactly 1 listen address"), std::string::npos);
    auto half = parse({"-l", "127.0.0.1/"});
    EXPECT_FALSE(resolve_listen(*half, l, n, e));
    auto both = parse({"-l", "127.0.0.1/127.0.0.2", "-6", "::1"});
    EXPECT_FALSE(resolve_listen(*both, l, n, e));
}

TEST(RtppOptions, VersionText) {
    EXPECT_EQ(version_text().substr(0, 24), "Basic version: 20040107\n");
    EXPECT_NE(version_text().find("Extension 20050322"), std::string::npos);
}
