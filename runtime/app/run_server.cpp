// The live server: daemonise, initialise modules, open sockets, start
// workers and the timer, then wait for a signal (core-runtime §1, §9).
#include <malloc.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "runtime/app/app.hpp"
#include "runtime/app/management.hpp"
#include "runtime/app/metrics_service.hpp"
#include "runtime/app/module_timers.hpp"
#include "runtime/app/thread_table.hpp"
#include "runtime/core/log_sink.hpp"
#include "runtime/net/net_transport.hpp"
#include "ser/log.hpp"

namespace ser::app {

namespace {

bool pid_file_in_use(const std::string& path) {
    std::ifstream f(path);
    long pid = 0;
    if (!(f >> pid) || pid <= 0) return false;
    return kill(pid_t(pid), 0) == 0;
}

bool write_id_file(const std::string& path, long id) {
    if (path.empty()) return true;
    std::ofstream f(path, std::ios::trunc);
    f << id << "\n";
    return bool(f);
}

bool drop_privileges(const Settings& s) {
    if (s.group.empty() && s.user.empty()) return true;
    gid_t gid = 0;
    uid_t uid = 0;
    bool have_gid = false;
    if (!s.group.empty()) {
        char* end;
        long v = strtol(s.group.c_str(), &end, 10);
        if (!*end) gid = gid_t(v);
        else if (group* g = getgrnam(s.group.c_str())) gid = g->gr_gid;
        else {
            SER_ERR("unknown group '{}'", s.group);
            return false;
        }
        have_gid = true;
    }
    if (!s.user.empty()) {
        char* end;
        long v = strtol(s.user.c_str(), &end, 10);
        if (!*end) uid = uid_t(v);
        else if (passwd* p = getpwnam(s.user.c_str())) {
            uid = p->pw_uid;
            if (!have_gid) { gid = p->pw_gid; have_gid = true; }
        } else {
            SER_ERR("unknown user '{}'", s.user);
            return false;
        }
    }
    if (have_gid && setgid(gid) != 0) {
        SER_ERR("setgid({}): {}", gid, strerror(errno));
        return false;
    }
    if (!s.user.empty() && setuid(uid) != 0) {
        SER_ERR("setuid({}): {}", uid, strerror(errno));
        return false;
    }
    return true;
}

void set_limits(const Settings& s) {
    rlimit rl{};
    if (s.disable_core_dump) {
        rl.rlim_cur = rl.rlim_max = 0;
        setrlimit(RLIMIT_CORE, &rl);
    } else {
        rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
        setrlimit(RLIMIT_CORE, &rl);
    }
    if (s.open_files_limit > 0) {
        rl.rlim_cur = rl.rlim_max = rlim_t(s.open_files_limit);
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            SER_WARN("cannot raise the open files limit to {}: {}", s.open_files_limit, strerror(errno));
    }
}

}  // namespace

bool daemonize_for_start(const Settings& s, int& ready_fd) {
    ready_fd = -1;
    if (!s.fork) return true;
    if (!s.pid_file.empty() && pid_file_in_use(s.pid_file)) {
        SER_ERR("pid file {} names a running process; refusing to start", s.pid_file);
        return false;
    }
    if (!s.chroot.empty() && chroot(s.chroot.c_str()) != 0) {
        SER_ERR("chroot(\"{}\"): {}", s.chroot, strerror(errno));
        return false;
    }
    if (chdir(s.workdir.empty() ? "/" : s.workdir.c_str()) != 0) {
        SER_ERR("chdir(\"{}\"): {}", s.workdir, strerror(errno));
        return false;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return false;
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid > 0) {
        // The command that started ser succeeds only once the daemon is serving.
        close(p[1]);
        char c = 0;
        ssize_t n;
        while ((n = read(p[0], &c, 1)) < 0 && errno == EINTR) {
        }
        _exit(n == 1 && c == '0' ? 0 : 255);
    }
    close(p[0]);
    setsid();
    pid = fork();
    if (pid < 0) _exit(255);
    if (pid > 0) _exit(0);
    if (!write_id_file(s.pid_file, getpid())) SER_ERR("cannot write pid file {}", s.pid_file);
    if (!write_id_file(s.pgid_file, getpgrp())) SER_ERR("cannot write pgid file {}", s.pgid_file);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);   // stderr stays until start-up is done: its errors reach the terminal
        if (null > 2) close(null);
    }
    ready_fd = p[1];
    return true;
}

int worker_count_for(const rt::Server& server) {
    const Settings& s = server.settings();
    int children = s.children > 0 ? s.children : 8;
    int tcp_children = s.tcp_children > 0 ? s.tcp_children : children;
    int udp = 0;
    bool tcp = false;
    for (const auto& sock : server.sockets()) {
        if (sock.proto == PROTO_UDP) ++udp;
        if (sock.proto == PROTO_TCP) tcp = true;
    }
    return kFirstReceiverRank + udp * children + (tcp ? tcp_children : 0) + Management::thread_count(s);
}

namespace {

// What `ps` says of each thread, in the order their ranks are given.
void describe_threads(const rt::Server& server, ThreadTable& t) {
    const Settings& s = server.settings();
    int children = s.children > 0 ? s.children : 8;
    int tcp_children = s.tcp_children > 0 ? s.tcp_children : children;
    t.describe(0, "main process");
    t.describe(kRankModuleTimers, "module timers");
    t.describe(kRankProtocolTimers, "protocol timers");
    int rank = kFirstReceiverRank;
    bool tcp = false;
    for (const auto& sock : server.sockets()) {
        if (sock.proto == PROTO_TCP) tcp = true;
        if (sock.proto != PROTO_UDP) continue;
        for (int i = 0; i < children; ++i)
            t.describe(rank++, fmt::format("receiver child={} sock={}:{}", i, sock.address_text, sock.port));
    }
    if (tcp)
        for (int i = 0; i < tcp_children; ++i) t.describe(rank++, fmt::format("tcp receiver child={}", i));
}

}  // namespace

int run_server(rt::Server& server, const cli::Options& o, int ready_fd) {
    const Settings& s = server.settings();
    set_log_facility(s.log_facility);
    if (!s.log_stderror && !s.fork) set_log_stderr(false);

    // Signals are taken by this thread only (sigwait); every thread started
    // from here inherits the mask and never sees them.
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    set_limits(s);

    // The heap is given back by the periodic malloc_trim (module_timers.hpp),
    // not on every free: glibc otherwise shrinks and regrows the per-thread
    // arenas with an mprotect() per growth, several per call under load.
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    std::string err;
    rt::NetTransport net(server);
    server.set_transport(&net);
    if (!net.open(err)) {
        SER_ERR("{}", err);
        return 255;
    }
    for (const auto& sock : server.sockets())
        SER_INFO("listening on {}:{}:{}", sock.proto == PROTO_UDP ? "udp" : "tcp", sock.address_text, sock.port);
    ThreadTable threads;
    describe_threads(server, threads);
    threads.started(0);
    Management management(server, o, threads);
    if (!management.open(err)) {
        SER_ERR("{}", err);
        return 255;
    }
    if (!drop_privileges(s)) return 255;

    auto worker_init = [&server, &threads](int rank) {
        threads.started(rank);
        rt::Server::set_worker_index(rank);
        set_log_process_index(rank);
        std::string e;
        if (!server.modules().child_init_all(rank, e)) {
            SER_ERR("{}", e);
            return false;
        }
        return true;
    };
    // Timer threads first: a failure route run by a timeout needs the same
    // per-worker state (e.g. a DB connection) as a receiver.
    std::atomic<int> timer_inits{0};
    std::atomic<bool> timer_ok{true};
    server.timer_wheel().start([&] {
        bool ok = worker_init(kRankProtocolTimers);
        if (!ok) timer_ok = false;
        ++timer_inits;
        return ok;
    });
    ModuleTimers timers(server);
    timers.start([&] {
        bool ok = worker_init(kRankModuleTimers);
        if (!ok) timer_ok = false;
        ++timer_inits;
        return ok;
    });
    bool ok = net.start(kFirstReceiverRank, worker_init);
    ok = management.start(worker_count_for(server) - Management::thread_count(s), worker_init) && ok;
    while (timer_inits.load() < 1 + (timers.size() ? 1 : 0)) usleep(1000);
    ok = ok && timer_ok;
    MetricsService metrics(server, net);   // metrics_listen (off when unset)
    if (ok && !metrics.start(err)) {
        SER_ERR("{}", err);
        ok = false;
    }
    if (!ok) {
        SER_ERR("start-up failed: a worker could not initialise");
        management.stop();
        net.stop();
        timers.stop();
        server.timer_wheel().stop();
        server.modules().destroy_all();
        return 255;
    }
    SER_NOTICE("ser started: {} worker thread(s), pid {}", net.worker_count(), int(getpid()));
    if (ready_fd >= 0) {
        // Detached: tell the starting process, then leave the terminal.
        ssize_t ignored = write(ready_fd, "0", 1);
        (void)ignored;
        close(ready_fd);
        if (!s.log_stderror) {
            open_syslog(o.argv.empty() ? "ser" : o.argv[0].c_str());
            set_log_stderr(false);
            int null = open("/dev/null", O_RDWR);
            if (null >= 0) {
                dup2(null, 2);
                if (null > 2) close(null);
            }
        }
    }

    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (sig == SIGINT || sig == SIGTERM) {
            SER_NOTICE("signal {} received, shutting down", sig);
            break;
        }
        if (sig == SIGUSR1) SER_NOTICE("memory status: heap managed by the system allocator");
        // SIGHUP, SIGUSR2: ignored, as in SER
    }
    metrics.stop();   // before the receivers and modules whose state it reads
    management.stop();
    net.stop();
    timers.stop();
    server.timer_wheel().stop();
    server.modules().destroy_all();
    if (!s.pid_file.empty() && s.fork) unlink(s.pid_file.c_str());
    if (!s.pgid_file.empty() && s.fork) unlink(s.pgid_file.c_str());
    return 0;
}

}  // namespace ser::app
