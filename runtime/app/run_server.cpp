// The live server: daemonise, initialise modules, open sockets, start
// workers and the timer, then wait for a signal (core-runtime §1, §9).
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
#include "runtime/app/module_timers.hpp"
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

// Double fork + new session, like SER's daemonize().
bool daemonize(const Settings& s) {
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
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid > 0) _exit(0);
    setsid();
    pid = fork();
    if (pid < 0) return false;
    if (pid > 0) _exit(0);
    if (!write_id_file(s.pid_file, getpid())) SER_ERR("cannot write pid file {}", s.pid_file);
    if (!write_id_file(s.pgid_file, getpgrp())) SER_ERR("cannot write pgid file {}", s.pgid_file);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        if (!s.log_stderror) dup2(null, 2);
        if (null > 2) close(null);
    }
    return true;
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

int run_server(rt::Server& server, const cli::Options& o) {
    const Settings& s = server.settings();
    set_log_facility(s.log_facility);
    if (s.fork) {
        if (!daemonize(s)) return 255;
        if (!s.log_stderror) {
            open_syslog(o.argv.empty() ? "ser" : o.argv[0].c_str());
            set_log_stderr(false);
        }
    } else if (!s.log_stderror) {
        set_log_stderr(false);
    }

    // Signals are taken by this thread only (sigwait); workers never see them.
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    set_limits(s);

    std::string err;
    if (!server.modules().init_all(server, err)) {
        SER_ERR("{}", err);
        return 255;
    }
    server.collect_hooks();

    rt::NetTransport net(server);
    server.set_transport(&net);
    if (!net.open(err)) {
        SER_ERR("{}", err);
        return 255;
    }
    for (const auto& sock : server.sockets())
        SER_INFO("listening on {}:{}:{}", sock.proto == PROTO_UDP ? "udp" : "tcp", sock.address_text, sock.port);
    if (!drop_privileges(s)) return 255;

    // The FIFO and unix-socket management interfaces come with serctl (a
    // later milestone); say so instead of pretending to serve them.
    if (!s.fifo.empty()) SER_WARN("fifo=\"{}\" is not served yet: the FIFO interface is not implemented", s.fifo);
    if (!s.unix_sock.empty())
        SER_WARN("unix_sock=\"{}\" is not served yet: the unix-socket interface is not implemented", s.unix_sock);

    ModuleTimers timers(server);
    timers.start();
    net.start([&server](int rank) {
        std::string e;
        if (!server.modules().child_init_all(rank, e)) {
            SER_ERR("{}", e);
            return false;
        }
        return true;
    });
    SER_NOTICE("ser started: {} worker thread(s), pid {}", net.worker_count(), int(getpid()));

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
    net.stop();
    timers.stop();
    server.modules().destroy_all();
    if (!s.pid_file.empty() && s.fork) unlink(s.pid_file.c_str());
    if (!s.pgid_file.empty() && s.fork) unlink(s.pgid_file.c_str());
    return 0;
}

}  // namespace ser::app
