// rtpproxy: the media relay driven by nathelper over the rtpproxy control
// protocol (spec rtpproxy-protocol). Wires the parts together; the
// behaviour lives in the files named by each include.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rtpproxy/control_socket.hpp"
#include "rtpproxy/controller.hpp"
#include "rtpproxy/daemon.hpp"
#include "rtpproxy/event_loop.hpp"
#include "rtpproxy/log.hpp"
#include "rtpproxy/options.hpp"
#include "rtpproxy/player.hpp"
#include "rtpproxy/poller.hpp"
#include "rtpproxy/port_allocator.hpp"
#include "rtpproxy/relay.hpp"
#include "rtpproxy/session_table.hpp"

using namespace ser::rtpp;

namespace {

int fail(const std::string& what) {
    std::fprintf(stderr, "rtpproxy: %s\n", what.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string error;
    auto opt = parse_options(std::vector<std::string>(argv + 1, argv + argc), error);
    if (!opt) {
        if (error != "help") std::fprintf(stderr, "rtpproxy: %s\n", error.c_str());
        std::fputs(usage_text().c_str(), stderr);
        return 1;
    }
    if (opt->show_version) {
        std::fputs(version_text().c_str(), stdout);
        return 0;
    }

    ControllerConfig cc;
    if (!resolve_listen(*opt, cc.listen, cc.listen_count, error)) return fail(error);
    cc.max_ttl = opt->ttl;
    cc.record_dir = opt->record_dir;
    cc.spool_dir = opt->spool_dir;
    cc.record_rtcp = opt->record_rtcp;

    Logger log(opt->log);
    // Running as root is how the daemon is usually started; -F only
    // silences the reminder.
    if (getuid() == 0 && !opt->force && opt->user.empty())
        log.warn("", "running as root; consider -u user (-F silences this warning)");
    long nofile = raise_open_files(opt->open_files);

    Poller poller;
    if (!poller.ok()) return fail("can't create the epoll instance");
    SessionTable table(poller);
    PortAllocator ports(opt->min_port, opt->max_port, opt->tos);
    PlayerSet players(poller, opt->duplicate_small);
    Controller controller(cc, table, ports, players, log);
    Relay relay({opt->ttl, opt->duplicate_small}, poller, log);
    EventLoop loop(poller, table, controller, relay, players, log);

    for (const ControlSpec& c : opt->controls) {
        if (c.kind == ControlSpec::Kind::unix_stream) {
            auto u = UnixControl::open(absolute_path(c.path), poller, controller, log, error);
            if (!u) return fail(error);
            loop.add(std::move(u));
        } else {
            auto u = UdpControl::open(c.addr, poller, controller, log, error);
            if (!u) return fail(error);
            loop.add(std::move(u));
        }
    }

    if (!opt->foreground) {
        if (!daemonize(error)) return fail(error);
        log.use_syslog();
    }
    // After the fork: a signalfd polled through epoll wakes only the
    // process that registered it.
    if (!loop.prepare()) return fail("can't set up the signal and timer descriptors");
    PidFile pid_file;
    if ((!opt->foreground || opt->pid_file_given) && !pid_file.write(opt->pid_file, error)) log.error("", "{}", error);
    if (!opt->user.empty() && !drop_privileges(opt->user, error)) {
        log.crit("", "{}", error);
        return 1;
    }

    log.info("", "rtpproxy started, pid {}, media on {}{}{}, ports {}-{}, ttl {} s, open files {}", getpid(),
             cc.listen[0].host(), cc.bridge() ? "/" : "", cc.bridge() ? cc.listen[1].host() : "", ports.min_port(),
             ports.max_port() + 1, cc.max_ttl, nofile);
    int rc = loop.run() < 0 ? 1 : 0;
    controller.remove_all("shutdown");
    loop.close_controls();
    log.info("", "rtpproxy ended");
    return rc;
}
