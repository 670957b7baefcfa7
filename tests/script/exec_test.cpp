// exec() (cfg-language §10): the command runs in a forked child that must
// not inherit the worker's signal state. The server blocks SIGINT, SIGTERM,
// SIGHUP, SIGUSR1 and SIGUSR2 in every thread and ignores SIGPIPE
// (run_server.cpp); blocked masks and ignored dispositions survive execve,
// so without a reset the command could not be stopped with SIGTERM and
// `cmd | head` would never see SIGPIPE.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "runtime/script/exec.hpp"
#include "ser/wait.hpp"
#include "tests/script/harness.hpp"

using namespace ser;
using namespace ser::test;

namespace {

// SigBlk/SigIgn of /proc/<pid>/status as bit masks (bit n-1 = signal n).
struct SigState {
    bool found = false;
    unsigned long long blocked = 0, ignored = 0;
};

SigState read_status(const std::string& path) {
    SigState s;
    std::ifstream in(path);
    std::string line;
    int seen = 0;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string key, hex;
        ls >> key >> hex;
        if (key == "SigBlk:") s.blocked = std::stoull(hex, nullptr, 16), ++seen;
        if (key == "SigIgn:") s.ignored = std::stoull(hex, nullptr, 16), ++seen;
    }
    s.found = seen == 2;
    return s;
}

unsigned long long bit(int sig) { return 1ull << (sig - 1); }

// Blocks the server's signals in this thread and ignores SIGPIPE in the
// process, as run_server.cpp does, for the life of the object.
struct WorkerSignals {
    struct sigaction old_pipe {};
    sigset_t old_mask;
    WorkerSignals() {
        struct sigaction ign {};
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, &old_pipe);
        sigset_t set;
        sigemptyset(&set);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&set, sig);
        pthread_sigmask(SIG_BLOCK, &set, &old_mask);
    }
    ~WorkerSignals() {
        pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
        sigaction(SIGPIPE, &old_pipe, nullptr);
    }
};

std::string temp_dir() {
    char tmpl[] = "/tmp/ser-exec-XXXXXX";
    return mkdtemp(tmpl) ? std::string(tmpl) : std::string();
}

}  // namespace

TEST(Exec, ChildStartsWithNoBlockedSignalsAndDefaultSigpipe) {
    const std::string dir = temp_dir();
    ASSERT_FALSE(dir.empty());
    const std::string out = dir + "/status";
    const std::string flag = dir + "/ok";
    bool loaded = false;
    std::string errors;
    std::thread worker([&] {
        WorkerSignals ws;
        Harness h;
        // The command's own /proc/self/status (grep's, after sh), and the
        // one-liner check: an all-zero SigBlk line.
        loaded = h.load(base_cfg("exec(\"grep -E '^Sig(Blk|Ign)' /proc/self/status > " + out +
                                 "; grep -q '^SigBlk:[[:space:]]*0*$' /proc/self/status && touch " + flag + "\");"));
        errors = h.errors;
        if (loaded) h.receive(invite());
    });
    worker.join();
    ASSERT_TRUE(loaded) << errors;

    SigState s = read_status(out);
    ASSERT_TRUE(s.found) << "exec() did not run or wrote no status to " << out;
    EXPECT_EQ(s.blocked, 0ull) << std::hex << s.blocked;
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2})
        EXPECT_FALSE(s.ignored & bit(sig)) << "signal " << sig << " ignored in the exec'd command";
    EXPECT_EQ(access(flag.c_str(), F_OK), 0) << "SigBlk not all zero in the exec'd command";

    std::remove(out.c_str());
    std::remove(flag.c_str());
    rmdir(dir.c_str());
}

// Debian's /bin/sh (dash) clears its signal mask itself, which would hide a
// leaked mask above; bash (/bin/sh on other systems) keeps what it inherits.
TEST(Exec, MaskIsClearedBeforeTheShellStarts) {
    if (access("/bin/bash", X_OK) != 0) GTEST_SKIP() << "no /bin/bash";
    const std::string dir = temp_dir();
    ASSERT_FALSE(dir.empty());
    const std::string out = dir + "/status";
    int r = 0;
    std::thread worker([&] {
        WorkerSignals ws;
        r = script::run_exec("grep -E '^Sig(Blk|Ign)' /proc/self/status > " + out, "/bin/bash");
    });
    worker.join();
    EXPECT_EQ(r, 1);
    SigState s = read_status(out);
    ASSERT_TRUE(s.found) << out;
    EXPECT_EQ(s.blocked, 0ull) << std::hex << s.blocked;
    EXPECT_FALSE(s.ignored & bit(SIGPIPE));
    std::remove(out.c_str());
    rmdir(dir.c_str());
}

// The command runs outside the process: the time waited for it counts as
// the thread's wait (ser/wait.hpp), the cue that makes a UDP reader whose
// messages run commands share its socket with the other workers meanwhile.
TEST(Exec, TimeWaitedForTheCommandCountsAsAWait) {
    uint64_t before = 0, after = 0;
    int r = 0;
    std::thread worker([&] {
        before = thread_wait_ns();
        r = script::run_exec("sleep 0.2", "/bin/sh");
        after = thread_wait_ns();
    });
    worker.join();
    EXPECT_EQ(r, 1);
    EXPECT_GE(after - before, 150'000'000u) << "waited " << (after - before) << " ns";
}
