// Command execution on real sockets (rtpproxy/controller.hpp; spec
// rtpproxy-protocol §3, §4): U/L side selection and pre-fill, completion,
// weak/strong delete, multi-stream delete, I/Q/X/P/S/R, TTL expiry, bridge
// mode addresses, port exhaustion.
#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "free_ports.hpp"
#include "rtpproxy/controller.hpp"

using namespace ser::rtpp;

namespace {

class RtppController : public ::testing::Test {
protected:
    void start(int pairs = 20, bool bridge = false, std::string record_dir = {}) {
        base_ = rtpp_test::free_block(2 * pairs);
        ASSERT_NE(base_, 0);
        ControllerConfig cfg;
        cfg.listen[0] = *SockAddr::numeric("127.0.0.1", "0", AF_INET);
        if (bridge) {
            cfg.listen[1] = *SockAddr::numeric("127.0.0.2", "0", AF_INET);
            cfg.listen_count = 2;
        }
        cfg.max_ttl = 2;
        cfg.record_dir = std::move(record_dir);
        table_ = std::make_unique<SessionTable>(poller_);
        ports_ = std::make_unique<PortAllocator>(base_, base_ + 2 * pairs - 2, 0);
        players_ = std::make_unique<PlayerSet>(poller_, false);
        ctl_ = std::make_unique<Controller>(cfg, *table_, *ports_, *players_, log_);
    }
    void TearDown() override {
        ctl_.reset();
        players_.reset();
        table_.reset();
    }
    std::string cmd(const std::string& text) { return ctl_->handle(text, false); }
    std::string port(int offset) { return std::to_string(base_ + offset); }
    Session* only(const std::string& call_id, const std::string& tag) {
        auto m = table_->find(call_id, tag, std::nullopt);
        return m.empty() ? nullptr : m.front().session;
    }

    Logger log_{LogSpec{LogLevel::crit, 0}};
    Poller poller_;
    uint16_t base_ = 0;
    std::unique_ptr<SessionTable> table_;
    std::unique_ptr<PortAllocator> ports_;
    std::unique_ptr<PlayerSet> players_;
    std::unique_ptr<Controller> ctl_;
};

}  // namespace

TEST_F(RtppController, VersionAndCapabilities) {
    start();
    EXPECT_EQ(cmd("V"), "20040107\n");
    EXPECT_EQ(cmd("VF 20050322"), "1\n");
    EXPECT_EQ(cmd("VF 20040107"), "1\n");
    EXPECT_EQ(cmd("VF 20991231"), "0\n");
    EXPECT_EQ(ctl_->handle("c1 VF 20050322", true), "c1 1\n");
}

// The worked example of §10: U returns the callee's port, L the caller's.
TEST_F(RtppController, UpdateThenLookupAllocatesBothSidesAndPrefills) {
    start();
    EXPECT_EQ(cmd("U a84b 203.0.113.5 49170 1928301774;1"), port(0) + " 127.0.0.1\n");
    Session* s = only("a84b", "1928301774;1");
    ASSERT_NE(s, nullptr);
    EXPECT_FALSE(s->complete);
    EXPECT_TRUE(s->strong);
    EXPECT_TRUE(s->remote[kRtp][kCaller].known);
    EXPECT_EQ(s->remote[kRtp][kCaller].addr.host_port(), "203.0.113.5:49170");
    EXPECT_EQ(s->remote[kRtcp][kCaller].addr.host_port(), "203.0.113.5:49171");
    EXPECT_FALSE(s->remote[kRtp][kCallee].known);

    EXPECT_EQ(cmd("L a84b 198.51.100.20 3456 1928301774;1 a6c85cf"), port(2) + " 127.0.0.1\n");
    EXPECT_TRUE(s->complete);
    EXPECT_EQ(s->port[kCallee], base_);
    EXPECT_EQ(s->port[kCaller], base_ + 2);
    EXPECT_EQ(s->remote[kRtp][kCallee].addr.host_port(), "198.51.100.20:3456");
    EXPECT_EQ(s->remote[kRtcp][kCallee].addr.host_port(), "198.51.100.20:3457");
    EXPECT_TRUE(s->remote[kRtp][kCallee].can_update);
    EXPECT_EQ(table_->created(), 1u);
}

TEST_F(RtppController, RetransmittedUpdateRefreshesTheSameSession) {
    start();
    std::string first = cmd("U c1 10.0.0.1 4000 ft");
    EXPECT_EQ(cmd("U c1 10.0.0.9 4002 ft"), first);
    EXPECT_EQ(table_->active(), 1u);
    EXPECT_EQ(only("c1", "ft")->remote[kRtp][kCaller].addr.host_port(), "10.0.0.9:4002");
}

// §4.2 rows 2 and 4: a re-INVITE from the callee (U by to-tag) and an L by
// to-tag select the other sides.
TEST_F(RtppController, ToTagMatchesSelectTheOtherSide) {
    start();
    cmd("U c1 10.0.0.1 4000 A");
    cmd("L c1 10.0.0.2 5000 A B");
    Session* s = only("c1", "A");
    // Callee re-INVITE: From = B, To = A -> returns the caller side's port,
    // pre-fills the callee.
    EXPECT_EQ(cmd("U c1 10.0.0.3 5002 B A"), port(2) + " 127.0.0.1\n");
    EXPECT_EQ(s->remote[kRtp][kCallee].addr.host_port(), "10.0.0.3:5002");
    // Its answer from the caller: L with From = B, To = A.
    EXPECT_EQ(cmd("L c1 10.0.0.4 4004 B A"), port(0) + " 127.0.0.1\n");
    EXPECT_EQ(s->remote[kRtp][kCaller].addr.host_port(), "10.0.0.4:4004");
    EXPECT_EQ(table_->created(), 1u);
}

TEST_F(RtppController, LookupWithoutSessionAnswersPortZero) {
    start();
    EXPECT_EQ(cmd("L nope 10.0.0.1 4000 A B"), "0 127.0.0.1\n");
    EXPECT_EQ(ctl_->handle("k7 L nope 10.0.0.1 4000 A B", true), "k7 0 127.0.0.1\n");
    EXPECT_EQ(table_->active(), 0u);
}

// The 2006 daemon answered port 0 here; later daemons complete the session.
TEST_F(RtppController, UpdateByToTagCompletesAnIncompleteSession) {
    start();
    cmd("U c1 10.0.0.1 4000 A");
    EXPECT_EQ(cmd("U c1 10.0.0.2 5000 B A"), port(2) + " 127.0.0.1\n");
    EXPECT_TRUE(only("c1", "A")->complete);
}

TEST_F(RtppController, NullShortOrBadAddressesAreNotPrefilled) {
    start();
    cmd("U c1 0.0.0.0 4000 A");          // hold
    cmd("U c2 1.2.3 4000 A");            // shorter than 7 characters
    cmd("U c3 10.0.0.1 port A");         // port not numeric
    cmd("U c4 2001:db8::1 4000 A");      // IPv6 text without the 6 modifier
    for (const char* c : {"c1", "c2", "c3", "c4"}) EXPECT_FALSE(only(c, "A")->remote[kRtp][kCaller].known) << c;
    cmd("U6 c5 2001:db8::1 4000 A");
    EXPECT_EQ(only("c5", "A")->remote[kRtp][kCaller].addr.host_port(), "2001:db8::1:4000");
}

TEST_F(RtppController, AsymmetricModifier) {
    start();
    cmd("Ua c1 10.0.0.1 4000 A");
    Session* s = only("c1", "A");
    EXPECT_TRUE(s->remote[kRtp][kCaller].asymmetric);
    EXPECT_FALSE(s->remote[kRtp][kCaller].can_update);
    EXPECT_TRUE(s->remote[kRtcp][kCaller].asymmetric);
    cmd("L c1 10.0.0.2 5000 A B");
    EXPECT_FALSE(s->remote[kRtp][kCallee].asymmetric);
}

TEST_F(RtppController, DeleteRemovesAndSecondDeleteIsE8) {
    start();
    cmd("U c1 10.0.0.1 4000 A");
    cmd("L c1 10.0.0.2 5000 A B");
    EXPECT_EQ(cmd("D c1 A B"), "0\n");
    EXPECT_EQ(table_->active(), 0u);
    EXPECT_EQ(cmd("D c1 A B"), "E8\n");
    EXPECT_EQ(ctl_->handle("k1 D c1 A B", true), "k1 E8\n");
    cmd("U c2 10.0.0.1 4000 A");
    EXPECT_EQ(ctl_->handle("k2 D c2 A", true), "k2\n");
    // By the to-tag only.
    cmd("U c3 10.0.0.1 4000 A");
    EXPECT_EQ(cmd("D c3 X A"), "0\n");
    EXPECT_EQ(table_->active(), 0u);
}

TEST_F(RtppController, WeakAndStrongFlags) {
    start();
    cmd("Uw c1 10.0.0.1 4000 A");   // weak[0] only
    Session* s = only("c1", "A");
    EXPECT_FALSE(s->strong);
    EXPECT_TRUE(s->weak[0]);
    cmd("U c1 10.0.0.1 4000 A");    // now strong too
    EXPECT_TRUE(s->strong);
    EXPECT_EQ(cmd("D c1 A"), "0\n");   // clears strong; weak[0] keeps it
    EXPECT_EQ(table_->active(), 1u);
    EXPECT_EQ(cmd("Dw c1 A"), "0\n");  // from-tag -> side 1: weak[1] was clear already
    EXPECT_EQ(table_->active(), 1u);
    EXPECT_EQ(cmd("Dw c1 X A"), "0\n");  // to-tag -> side 0: weak[0] cleared, destroyed
    EXPECT_EQ(table_->active(), 0u);
}

TEST_F(RtppController, TagWithoutMediaNumberDeletesEveryStream) {
    start();
    cmd("U c1 10.0.0.1 4000 A;1");
    cmd("U c1 10.0.0.1 4002 A;2");
    cmd("U c1 10.0.0.1 4004 Z;1");
    EXPECT_EQ(table_->active(), 3u);
    EXPECT_EQ(cmd("D c1 A;2"), "0\n");   // exact: that stream only
    EXPECT_EQ(table_->active(), 2u);
    cmd("U c1 10.0.0.1 4002 A;2");
    EXPECT_EQ(cmd("D c1 A"), "0\n");     // both A streams
    EXPECT_EQ(table_->active(), 1u);
    EXPECT_NE(only("c1", "Z;1"), nullptr);
}

TEST_F(RtppController, NewestStreamOfTheCallMatchesFirst) {
    start();
    std::string one = cmd("U c1 10.0.0.1 4000 A;1");
    std::string two = cmd("U c1 10.0.0.1 4002 A;2");
    EXPECT_NE(one, two);
    // L with the bare tag takes the newest session of the call.
    cmd("L c1 10.0.0.2 5000 A B");
    EXPECT_TRUE(only("c1", "A;2")->complete);
    EXPECT_FALSE(only("c1", "A;1")->complete);
}

TEST_F(RtppController, InfoListsSessionsWithStatistics) {
    start();
    cmd("U c1 10.0.0.1 4000 A");
    cmd("L c1 10.0.0.2 5000 A B");
    std::string i = cmd("I");
    std::string expect = "sessions created: 1\nactive sessions:\n"
                         "\tc1/A: caller = 127.0.0.1:" + port(2) + "/10.0.0.1:4000, callee = 127.0.0.1:" + port(0) +
                         "/10.0.0.2:5000, stats = 0/0/0/0, ttl = 2\n"
                         "\tC c1/A: caller = 127.0.0.1:" + port(3) + "/10.0.0.1:4001, callee = 127.0.0.1:" + port(1) +
                         "/10.0.0.2:5001, stats = 0/0/0/0, ttl = 2\n";
    EXPECT_EQ(i, expect);
    // The 2006 daemon's I carries no cookie, in UDP mode too [quirk].
    EXPECT_EQ(ctl_->handle("k1 I", true), i);
    cmd("U c2 0.0.0.0 4000 A");
    EXPECT_NE(cmd("I").find("c2/A: caller = 127.0.0.1:0/NONE, callee = 127.0.0.1:" + port(4) + "/NONE"),
              std::string::npos);
}

TEST_F(RtppController, QueryAndDeleteAll) {
    start();
    cmd("U c1 10.0.0.1 4000 A");
    EXPECT_EQ(cmd("Q c1 A"), "2 0 0 0 0\n");
    EXPECT_EQ(ctl_->handle("k Qv c1 A", true), "k ttl=2 npkts_ina=0 npkts_ino=0 nrelayed=0 ndropped=0\n");
    EXPECT_EQ(cmd("Q c1 A B ttl"), "2\n");
    EXPECT_EQ(cmd("Q c1 A B bogus"), "E1\n");
    EXPECT_EQ(cmd("Q c9 A"), "E8\n");
    cmd("U c2 10.0.0.1 4000 A");
    EXPECT_EQ(cmd("X"), "0\n");
    EXPECT_EQ(table_->active(), 0u);
}

TEST_F(RtppController, PlayStopRecordWithoutRecordDir) {
    start();
    EXPECT_EQ(cmd("P c1 /nonexistent/prompt 0 A"), "E8\n");
    cmd("U c1 10.0.0.1 4000 A");
    EXPECT_EQ(cmd("P c1 /nonexistent/prompt 0,8 A"), "E6\n");
    char dir[] = "/tmp/rtpp-play-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    std::string prompt = std::string(dir) + "/ring";
    { std::ofstream(prompt + ".8") << std::string(800, '\x55'); }
    EXPECT_EQ(cmd("P2 c1 " + prompt + " 0,8 A"), "0\n");   // no .0 file: the .8 one plays
    EXPECT_EQ(players_->playing(), 1u);
    EXPECT_EQ(cmd("S c1 A"), "0\n");
    EXPECT_EQ(players_->playing(), 0u);
    EXPECT_EQ(cmd("S c9 A"), "E8\n");
    EXPECT_EQ(cmd("R c1 A"), "0\n");
    EXPECT_EQ(cmd("R c9 A"), "E8\n");
    std::remove((prompt + ".8").c_str());
    rmdir(dir);
}

TEST_F(RtppController, RecordCreatesFilesPerSideAndChannel) {
    char dir[] = "/tmp/rtpp-rec-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    start(20, false, dir);
    cmd("U c/1 10.0.0.1 4000 A");
    EXPECT_EQ(cmd("R c/1 A"), "0\n");
    cmd("D c/1 A");
    int files = 0;
    for (const char* name : {"c_1=A.o.rtp", "c_1=A.o.rtcp", "c_1=A.a.rtp", "c_1=A.a.rtcp"}) {
        std::string path = std::string(dir) + "/" + name;
        if (access(path.c_str(), F_OK) == 0) ++files;
        std::remove(path.c_str());
    }
    EXPECT_EQ(files, 4);
    rmdir(dir);
}

TEST_F(RtppController, IdleSessionTimesOutAfterTtlTicks) {
    start();
    cmd("U c1 10.0.0.1 4000 A");
    ctl_->tick();   // 2 -> 1
    ctl_->tick();   // 1 -> 0
    EXPECT_EQ(table_->active(), 1u);
    cmd("U c1 10.0.0.1 4000 A");   // refresh: back to 2
    ctl_->tick();
    ctl_->tick();
    EXPECT_EQ(table_->active(), 1u);
    ctl_->tick();   // at 0: removed
    EXPECT_EQ(table_->active(), 0u);
}

TEST_F(RtppController, BridgeModeInterfaceLetters) {
    start(20, true);
    // "ie": offerer on the first address, answerer on the second.
    EXPECT_EQ(cmd("Uie c1 10.0.0.1 4000 A"), port(0) + " 127.0.0.2\n");
    EXPECT_EQ(cmd("L c1 10.0.0.2 5000 A B"), port(0) + " 127.0.0.1\n");   // own cursor per address
    Session* s = only("c1", "A");
    EXPECT_EQ(s->local_index[kCaller], 0);
    EXPECT_EQ(s->local_index[kCallee], 1);
    // Bridge mode: everybody asymmetric unless 's'.
    EXPECT_TRUE(s->remote[kRtp][kCaller].asymmetric);
    EXPECT_TRUE(s->remote[kRtp][kCallee].asymmetric);
    cmd("Us c2 10.0.0.1 4000 A");
    EXPECT_FALSE(only("c2", "A")->remote[kRtp][kCaller].asymmetric);
    // No letters: both on the first address.
    EXPECT_EQ(cmd("U c3 10.0.0.1 4000 A"), port(4) + " 127.0.0.1\n");
}

TEST_F(RtppController, ExhaustedPortsAreE10ForUpdateAndE7ForLookup) {
    start(1);
    EXPECT_EQ(cmd("U c1 10.0.0.1 4000 A"), port(0) + " 127.0.0.1\n");
    EXPECT_EQ(cmd("L c1 10.0.0.1 4000 A B"), "E7\n");
    EXPECT_EQ(cmd("U c2 10.0.0.1 4000 A"), "E10\n");
    EXPECT_EQ(ctl_->handle("k U c2 10.0.0.1 4000 A", true), "k E10\n");
    EXPECT_EQ(table_->created(), 1u);
}

TEST_F(RtppController, ErrorsKeepTheirCookie) {
    start();
    EXPECT_EQ(ctl_->handle("k1 Z", true), "k1 E3\n");
    EXPECT_EQ(ctl_->handle("k2 U c", true), "k2 E4\n");
    EXPECT_EQ(ctl_->handle("k3", true), "k3 E0\n");
    EXPECT_EQ(ctl_->handle("k4 V", true, true), "k4 E0\n");
    EXPECT_EQ(cmd(""), "E0\n");
}
