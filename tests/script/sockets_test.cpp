// listen=/port=/alias= resolution (cfg-language §4.3, checklist 15-18).
#include <gtest/gtest.h>

#include "tests/script/harness.hpp"

using namespace ser;
using namespace ser::test;

namespace {

std::vector<std::string> sockets_of(Harness& h) {
    std::vector<std::string> out;
    for (const auto& s : h.server.sockets())
        out.push_back(std::string(s.proto == PROTO_UDP ? "udp:" : "tcp:") + s.address_text + ":" + s.port_text);
    return out;
}

}  // namespace

TEST(Checklist, Item18_PortAppliesToFollowingListenLines) {
    Harness h;
    ASSERT_TRUE(h.load("listen=127.0.0.1 port=5061 listen=127.0.0.2 port=5062 listen=127.0.0.3\nroute{drop;}\n"))
        << h.errors;
    EXPECT_EQ(sockets_of(h), (std::vector<std::string>{"udp:127.0.0.1:5062", "tcp:127.0.0.1:5062", "udp:127.0.0.2:5061",
                                                       "tcp:127.0.0.2:5061", "udp:127.0.0.3:5062", "tcp:127.0.0.3:5062"}));
}

TEST(Checklist, Item16_17_ListenForms) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5060 tcp:127.0.0.1:5061\nroute{drop;}\n")) << h.errors;
    EXPECT_EQ(sockets_of(h), (std::vector<std::string>{"udp:127.0.0.1:5060", "tcp:127.0.0.1:5061"}));
    Harness lo;
    ASSERT_TRUE(lo.load("listen=lo\nport=5070\ndisable_tcp=yes\nroute{drop;}\n")) << lo.errors;
    EXPECT_EQ(sockets_of(lo), (std::vector<std::string>{"udp:127.0.0.1:5070"}));
    Harness v6;
    ASSERT_TRUE(v6.load("listen=udp:[::1]:5060\nroute{drop;}\n")) << v6.errors;
    EXPECT_EQ(sockets_of(v6), (std::vector<std::string>{"udp:::1:5060"}));
}

TEST(Checklist, Item15_AliasesMatchByPortAndProto) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099\nalias=example.com:5060 foo.com udp:bar.com:5070 tcp:baz.com\n"
                       "route{drop;}\n"))
        << h.errors;
    EXPECT_TRUE(h.server.is_myself("example.com", 5060));
    EXPECT_TRUE(h.server.is_myself("example.com", 0));   // no port means 5060
    EXPECT_FALSE(h.server.is_myself("example.com", 5070));
    EXPECT_TRUE(h.server.is_myself("FOO.com", 1234));    // any port, any case
    EXPECT_TRUE(h.server.is_myself("bar.com", 5070, PROTO_UDP));
    EXPECT_FALSE(h.server.is_myself("bar.com", 5070, PROTO_TCP));
    EXPECT_TRUE(h.server.is_myself("baz.com", 9, PROTO_TCP));
    EXPECT_TRUE(h.server.is_myself("127.0.0.1", 5099));
    EXPECT_TRUE(h.server.is_myself("localhost", 5099));  // reverse name of a loopback listen address
    EXPECT_FALSE(h.server.is_myself("127.0.0.1", 5060));
}

TEST(Cli, ListenAndPortOverridesReplaceTheConfig) {
    Harness h;
    rt::CliOverrides cli;
    rt::ListenSpec l;
    l.addr = "127.0.0.1";
    l.from_cli = true;
    cli.listen.push_back(l);
    cli.port = 5098;
    ASSERT_TRUE(h.load("listen=192.0.2.13\nport=5060\ndisable_tcp=1\nroute{drop;}\n", cli)) << h.errors;
    EXPECT_EQ(sockets_of(h), (std::vector<std::string>{"udp:127.0.0.1:5098"}));
}
