// The core's contract with modules (include/ser/core.hpp), through the M
// fixture loaded by a config: route blocks run for a module and the route
// kind its functions see, fix-ups that check route blocks, per-message
// slots, pre/post-script hooks, typed versioned APIs, stock param setters,
// and Core::build_request with a send-time lump.
#include <gtest/gtest.h>

#include "ser/api.hpp"
#include "tests/script/harness.hpp"

using namespace ser;
using namespace ser::test;
using Calls = std::vector<std::string>;

namespace {

const char* kHead = "listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\n";

MModule& module(Harness& h, const std::string& name) {
    for (auto& lm : h.server.modules().modules())
        if (lm->name() == name) return static_cast<MModule&>(*lm->instance);
    throw std::runtime_error("module " + name + " not loaded");
}

// An OPTIONS without Content-Length and without body.
std::string options_without_cl() {
    return "OPTIONS sip:bob@example.com SIP/2.0\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5096;branch=z9hG4bK-o\n"
           "Max-Forwards: 70\n"
           "From: <sip:a@example.org>;tag=1\n"
           "To: <sip:bob@example.com>\n"
           "Call-ID: o1@127.0.0.1\n"
           "CSeq: 1 OPTIONS\n\n";
}

std::string first_line(const std::string& msg) { return msg.substr(0, msg.find("\r\n")); }

std::string first_via(const std::string& msg) {
    size_t p = msg.find("\r\nVia: ");
    if (p == std::string::npos) return {};
    p += 7;
    return msg.substr(p, msg.find("\r\n", p) - p);
}

struct MissingApi {
    static constexpr std::string_view kName = "no_such_api";
    static constexpr uint32_t kVersion = 1;
};

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

// ---- route blocks run from a module, route kind --------------------------

TEST(CoreContract, RunRouteSetsRouteKindForTheBlockAndRestoresIt) {
    Harness h;
    ASSERT_TRUE(h.load(std::string(kHead) +
                       "route{ kind(); run_failure(\"1\"); kind(); run_onreply(\"2\"); kind(); }\n"
                       "failure_route[1]{ kind(); route(3); r(\"-2\"); }\n"
                       "onreply_route[2]{ kind(); }\n"
                       "route[3]{ kind(); }\n"))
        << h.errors;
    h.receive(invite());
    // route(3) called from failure_route[1] still runs as a failure route
    // (SER keeps the route type for sub-routes); the block's value comes back.
    EXPECT_EQ(h.m().calls, (Calls{"kind R", "kind F", "kind F", "r -2", "failure 1 -> -2", "kind R", "kind O",
                                  "onreply 2 -> 1", "kind R"}));
}

TEST(CoreContract, RouteExistsPerKind) {
    Harness h;
    ASSERT_TRUE(h.load(std::string(kHead) + "route{ f0(); } route[3]{ f0(); } failure_route[1]{ f0(); }\n"
                                            "onreply_route[2]{ f0(); }\n"))
        << h.errors;
    EXPECT_TRUE(h.server.route_exists(RouteKind::Request, 0));
    EXPECT_TRUE(h.server.route_exists(RouteKind::Request, 3));
    EXPECT_FALSE(h.server.route_exists(RouteKind::Request, 1));
    EXPECT_TRUE(h.server.route_exists(RouteKind::Failure, 1));
    EXPECT_FALSE(h.server.route_exists(RouteKind::Failure, 2));
    EXPECT_TRUE(h.server.route_exists(RouteKind::OnReply, 2));
    EXPECT_FALSE(h.server.route_exists(RouteKind::OnReply, 1));
    EXPECT_FALSE(h.server.route_exists(RouteKind::Failure, -1));
    EXPECT_FALSE(h.server.route_exists(RouteKind::Failure, kMaxRouteBlocks));
}

TEST(CoreContract, RunRouteOfAnUndefinedBlockIsANoOpReturningOne) {
    Harness h;
    ASSERT_TRUE(h.load(std::string(kHead) + "route{ f0(); }\n")) << h.errors;
    std::string text = invite();
    sip::Msg msg;
    ASSERT_TRUE(msg.parse(text.data(), text.size())) << msg.error();
    EXPECT_EQ(h.server.run_route(RouteKind::Failure, 4, msg), 1);
    EXPECT_EQ(msg.route_kind, RouteKind::Request);
    EXPECT_TRUE(h.m().calls.empty());
}

// A fix-up runs after init (the module has its Core) and after all route
// blocks were compiled, so it can refuse a failure_route that is missing,
// even one defined later in the file.
TEST(CoreContract, FixupRunsAfterInitAndCanCheckRouteBlocks) {
    Harness ok;
    ASSERT_TRUE(ok.load(std::string(kHead) + "route{ run_failure(\"1\"); }\nfailure_route[1]{ f0(); }\n"))
        << ok.errors;
    EXPECT_EQ(ok.m().inits, 1);

    Harness bad;
    EXPECT_FALSE(bad.load(std::string(kHead) + "route{ run_failure(\"4\"); }\nfailure_route[1]{ f0(); }\n"));
    EXPECT_TRUE(has(bad.errors, "test.cfg:3:")) << bad.errors;
    EXPECT_TRUE(has(bad.errors, "failure_route[4] is not defined")) << bad.errors;
    EXPECT_FALSE(has(bad.errors, "fix-up before init")) << bad.errors;

    Harness kind;   // an onreply_route[1] is not a failure_route[1]
    EXPECT_FALSE(kind.load(std::string(kHead) + "route{ run_failure(\"1\"); }\nonreply_route[1]{ f0(); }\n"));
    EXPECT_TRUE(has(kind.errors, "failure_route[1] is not defined")) << kind.errors;
}

// ---- per-message slots ----------------------------------------------------

TEST(CoreContract, MsgSlotLivesForOneMessageAndIsSeenInRoutesRunByModules) {
    Harness h;
    ASSERT_TRUE(h.load(std::string(kHead) +
                       "route{ slot_get(); slot_set(\"tx1\"); slot_get(); run_failure(\"1\"); }\n"
                       "failure_route[1]{ slot_get(); }\n"))
        << h.errors;
    ASSERT_GE(h.m().slot, 0);
    h.receive(invite());
    EXPECT_EQ(h.m().calls, (Calls{"slot -", "slot tx1", "slot tx1", "failure 1 -> 1"}));
    h.m().calls.clear();
    h.receive(invite());   // the worker's Msg is reused: reset() cleared the slot
    EXPECT_EQ(h.m().calls, (Calls{"slot -", "slot tx1", "slot tx1", "failure 1 -> 1"}));
}

TEST(CoreContract, AllocateMsgSlotGivesDistinctSlotsUntilNoneIsLeft) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\nloadmodule \"M2.so\"\nroute{ f0(); }\n"))
        << h.errors;
    const int a = module(h, "M").slot, b = module(h, "M2").slot;
    EXPECT_EQ(a, 0);   // init runs in load order
    EXPECT_EQ(b, 1);
    std::vector<int> rest;
    for (size_t i = 2; i < sip::Msg::kSlots; ++i) rest.push_back(h.server.allocate_msg_slot());
    for (size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i], int(i) + 2);
    EXPECT_EQ(h.server.allocate_msg_slot(), -1);
    EXPECT_EQ(h.server.allocate_msg_slot(), -1);
}

TEST(CoreContract, MsgResetClearsSlotsAndRouteKindCloneDoesNotCopySlots) {
    std::string text = invite();
    sip::Msg msg;
    ASSERT_TRUE(msg.parse(text.data(), text.size())) << msg.error();
    int x = 0;
    msg.slots[3] = &x;
    auto copy = msg.clone();
    EXPECT_EQ(copy->slots[3], nullptr);
    msg.route_kind = RouteKind::Failure;
    msg.reset();
    EXPECT_EQ(msg.slots[3], nullptr);
    EXPECT_EQ(msg.route_kind, RouteKind::Request);
}

// ---- pre_script / post_script --------------------------------------------

TEST(CoreContract, PostScriptRunsForModulesWhosePreScriptRanWhenALaterOneAbsorbs) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\nloadmodule \"M2.so\"\n"
                       "modparam(\"M|M2\", \"trace_hooks\", 1)\nmodparam(\"M2\", \"pre_ret\", 0)\n"
                       "route{ f1(\"script\"); }\n"))
        << h.errors;
    h.receive(invite());
    // M2 absorbed the message: no script; M's pre_script ran, so M gets its
    // post_script (it may hold state for the message), and so does M2.
    EXPECT_EQ(module(h, "M").calls, (Calls{"pre M", "post M"}));
    EXPECT_EQ(module(h, "M2").calls, (Calls{"pre M2", "post M2"}));
}

TEST(CoreContract, PostScriptSkippedForModulesWhosePreScriptDidNotRun) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099\nloadmodule \"M2.so\"\nloadmodule \"M.so\"\n"
                       "modparam(\"M|M2\", \"trace_hooks\", 1)\nmodparam(\"M2\", \"pre_fail\", 1)\n"
                       "route{ f1(\"script\"); }\n"))
        << h.errors;
    h.receive(invite());
    EXPECT_EQ(module(h, "M2").calls, (Calls{"pre M2", "post M2"}));   // < 0 absorbs too
    EXPECT_EQ(module(h, "M").calls, (Calls{}));
}

TEST(CoreContract, PreScriptThenScriptThenPostScript) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\nloadmodule \"M2.so\"\n"
                       "modparam(\"M|M2\", \"trace_hooks\", 1)\nroute{ f1(\"script\"); }\n"))
        << h.errors;
    h.receive(invite());
    // f1 is M2's: a name exported twice resolves to the module loaded last,
    // as in SER (its module list is built by prepending).
    EXPECT_EQ(module(h, "M").calls, (Calls{"pre M", "post M"}));
    EXPECT_EQ(module(h, "M2").calls, (Calls{"pre M2", "script", "post M2"}));
}

// ---- typed, versioned APIs ---------------------------------------------------

TEST(CoreContract, ApiImportOfAnotherVersionIsNull) {
    Harness h;
    ASSERT_TRUE(h.load(base_cfg("f0();"))) << h.errors;
    MModule& m = h.m();
    ASSERT_TRUE(m.api_exported);
    MApi* v1 = import_api<MApi>(h.server);
    ASSERT_NE(v1, nullptr);
    EXPECT_EQ(v1->owner, &m);
    EXPECT_EQ(import_api<MApiV2>(h.server), nullptr);   // same name, version 2
    // A name is registered once; the first registration stays.
    MApi other;
    EXPECT_FALSE(export_api(h.server, &other));
    EXPECT_EQ(import_api<MApi>(h.server), v1);
    EXPECT_EQ(import_api<MissingApi>(h.server), nullptr);
}

TEST(CoreContract, ApiImportAtInitByAnotherModule) {
    Harness ok;
    ASSERT_TRUE(ok.load("listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\nloadmodule \"M2.so\"\n"
                        "modparam(\"M2\", \"import_api\", 1)\nroute{ f0(); }\n"))
        << ok.errors;
    EXPECT_EQ(module(ok, "M2").imported, &module(ok, "M"));

    Harness wrong_version;   // start-up stops: M2's init fails
    EXPECT_FALSE(wrong_version.load("listen=udp:127.0.0.1:5099\nloadmodule \"M.so\"\nloadmodule \"M2.so\"\n"
                                    "modparam(\"M2\", \"import_api\", 2)\nroute{ f0(); }\n"));
    EXPECT_TRUE(has(wrong_version.errors, "initialisation of module 'M2' failed")) << wrong_version.errors;

    Harness order;   // the exporter is loaded after the importer: not there yet at init
    EXPECT_FALSE(order.load("listen=udp:127.0.0.1:5099\nloadmodule \"M2.so\"\nloadmodule \"M.so\"\n"
                            "modparam(\"M2\", \"import_api\", 1)\nroute{ f0(); }\n"));
    EXPECT_TRUE(has(order.errors, "initialisation of module 'M2' failed")) << order.errors;
}

// ---- stock param setters through modparam -----------------------------------

TEST(CoreContract, StockIntSetterChecksItsRange) {
    for (long v : {1L, 10L}) {
        Harness h;
        ASSERT_TRUE(h.load(std::string(kHead) + "modparam(\"M\", \"range\", " + std::to_string(v) +
                           ")\nroute{ f0(); }\n"))
            << h.errors;
        EXPECT_EQ(h.m().range, v);
    }
    for (const char* v : {"0", "11", "1000"}) {
        Harness h;
        EXPECT_FALSE(h.load(std::string(kHead) + "modparam(\"M\", \"range\", " + v + ")\nroute{ f0(); }\n")) << v;
        EXPECT_TRUE(has(h.errors, "test.cfg:3:")) << h.errors;
        EXPECT_TRUE(has(h.errors, std::string("can't set module parameter 'range' of module 'M': value ") + v +
                                      " out of range 1..10"))
            << h.errors;
    }
}

TEST(CoreContract, StockBoolAndStringSetters) {
    Harness h;
    ASSERT_TRUE(h.load(std::string(kHead) + "modparam(\"M\", \"flag\", 7)\nmodparam(\"M\", \"label\", \"a b\")\n"
                                            "route{ f0(); }\n"))
        << h.errors;
    EXPECT_TRUE(h.m().flag);
    EXPECT_EQ(h.m().label, "a b");
    Harness off;
    ASSERT_TRUE(off.load(std::string(kHead) + "modparam(\"M\", \"flag\", 1)\nmodparam(\"M\", \"flag\", 0)\n"
                                              "route{ f0(); }\n"))
        << off.errors;
    EXPECT_FALSE(off.m().flag);
}

TEST(CoreContract, StockSetterRefusesTheOtherType) {
    Harness h;
    EXPECT_FALSE(h.load(std::string(kHead) + "modparam(\"M\", \"range\", \"5\")\nroute{ f0(); }\n"));
    EXPECT_TRUE(has(h.errors, "'range' of module 'M' takes a number, not a string")) << h.errors;
    EXPECT_EQ(h.m().range, 5);   // the default stays
}

// ---- Core::build_request ------------------------------------------------------

TEST(CoreContract, BuildRequestForABranchUriWithFixedIpAndForcedTcp) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099 tcp:127.0.0.1:5099\nloadmodule \"M.so\"\n"
                       "route{ dyn_lump(); build_req(\"sip:branch@10.0.0.9\", \"ip=127.0.0.1 port=5071 proto=tcp "
                       "branch=z9hG4bKbr1\"); }\n"))
        << h.errors;
    std::string in = invite();
    h.receive(in, "127.0.0.1", 5096, PROTO_TCP);   // connection 7
    ASSERT_EQ(h.m().calls, (Calls{"build 1 TCP 127.0.0.1:5071 from TCP:127.0.0.1:5099"}));
    const std::string& out = h.m().last_built;
    // The branch URI is the Request-URI; the fixed ip, not its host, is the next hop.
    EXPECT_EQ(first_line(out), "INVITE sip:branch@10.0.0.9 SIP/2.0");
    // Our Via: the forced transport, the given branch, and the connection the
    // request came in on as `i=` (reverse hex).
    EXPECT_EQ(first_via(out), "SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKbr1;i=7");
    // The send-time lump saw the socket chosen for this build.
    EXPECT_TRUE(has(out, "\r\nX-Sock: TCP:127.0.0.1:5099 proto=TCP\r\n\r\n")) << out;
    EXPECT_EQ(out.substr(out.find("\r\n\r\n")), in.substr(in.find("\r\n\r\n")));   // body unchanged
    EXPECT_TRUE(h.tx.sent.empty());   // built, not sent
}

TEST(CoreContract, BuildRequestTwiceOnOneMessageResolvesTheLumpPerSocket) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099 tcp:127.0.0.1:5097\nloadmodule \"M.so\"\n"
                       "route{ dyn_lump(); build_req(\"\", \"ip=127.0.0.1 port=5072 proto=udp\"); f1(\"udp\"); "
                       "build_req(\"\", \"ip=127.0.0.1 port=5073 proto=tcp\"); }\n"))
        << h.errors;
    h.receive(invite());
    MModule& m = h.m();
    ASSERT_EQ(m.calls.size(), 3u);
    EXPECT_EQ(m.calls[0], "build 1 UDP 127.0.0.1:5072 from UDP:127.0.0.1:5099");
    EXPECT_EQ(m.calls[2], "build 1 TCP 127.0.0.1:5073 from TCP:127.0.0.1:5097");
    // An empty uri keeps the message's own Request-URI.
    EXPECT_EQ(first_line(m.last_built), "INVITE sip:alice@example.com SIP/2.0");
    EXPECT_TRUE(has(m.last_built, "X-Sock: TCP:127.0.0.1:5097 proto=TCP\r\n")) << m.last_built;
    EXPECT_FALSE(has(m.last_built, "X-Sock: UDP")) << m.last_built;
    EXPECT_FALSE(has(first_via(m.last_built), ";i=")) << m.last_built;   // received over UDP
}

TEST(CoreContract, BuildRequestOverTcpAddsContentLength) {
    const std::string head = "listen=udp:127.0.0.1:5099 tcp:127.0.0.1:5099\nloadmodule \"M.so\"\n";
    Harness tcp;   // a stream needs the length, so the builder adds it
    ASSERT_TRUE(tcp.load(head + "route{ build_req(\"\", \"ip=127.0.0.1 port=5071 proto=tcp\"); }\n")) << tcp.errors;
    tcp.receive(options_without_cl());
    EXPECT_EQ(tcp.m().calls, (Calls{"build 1 TCP 127.0.0.1:5071 from TCP:127.0.0.1:5099"}));
    EXPECT_TRUE(has(tcp.m().last_built, "\r\nContent-Length: 0\r\n\r\n")) << tcp.m().last_built;
    Harness udp;   // a datagram does not
    ASSERT_TRUE(udp.load(head + "route{ build_req(\"\", \"ip=127.0.0.1 port=5071 proto=udp\"); }\n")) << udp.errors;
    udp.receive(options_without_cl());
    EXPECT_EQ(udp.m().calls, (Calls{"build 1 UDP 127.0.0.1:5071 from UDP:127.0.0.1:5099"}));
    EXPECT_FALSE(has(udp.m().last_built, "Content-Length")) << udp.m().last_built;
}

TEST(CoreContract, BuildRequestToANextHopUriUsesItsTransport) {
    Harness h;
    ASSERT_TRUE(h.load("listen=udp:127.0.0.1:5099 tcp:127.0.0.1:5099\nloadmodule \"M.so\"\n"
                       "route{ build_req(\"sip:x@example.net\", \"dst=sip:127.0.0.1:5080;transport=tcp\"); "
                       "build_req(\"\", \"dst=nonsense\"); }\n"))
        << h.errors;
    h.receive(invite());
    ASSERT_EQ(h.m().calls.size(), 2u);
    EXPECT_EQ(h.m().calls[0], "build 1 TCP 127.0.0.1:5080 from TCP:127.0.0.1:5099");
    EXPECT_EQ(first_line(h.m().last_built), "INVITE sip:x@example.net SIP/2.0");
    EXPECT_EQ(h.m().calls[1], "build " + std::to_string(E_BAD_URI));
}
