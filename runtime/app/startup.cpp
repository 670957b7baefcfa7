// Start-up sequence (core-runtime §1): options, config, modules, sockets,
// fix-ups; then -c, --trace or the server.
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "parser/parse.hpp"
#include "runtime/app/app.hpp"
#include "runtime/core/config_loader.hpp"
#include "runtime/core/log_sink.hpp"
#include "ser/log.hpp"

namespace ser::app {

namespace {

void apply_cli_before_config(const cli::Options& o, Settings& s) {
    s.debug = 2 + o.debug_inc;
    if (o.dont_fork) s.fork = false;
    if (o.log_stderr) s.log_stderror = true;
    if (o.disable_tcp) s.disable_tcp = true;
    if (o.dns) s.dns = true;
    if (o.rev_dns) s.rev_dns = true;
    if (o.check_via) s.check_via = true;
    if (o.children) s.children = *o.children;
    if (o.tcp_children) s.tcp_children = *o.tcp_children;
    if (o.maxbuffer) s.maxbuffer = *o.maxbuffer;
    if (!o.workdir.empty()) s.workdir = o.workdir;
    if (!o.chroot.empty()) s.chroot = o.chroot;
    if (!o.user.empty()) s.user = o.user;
    if (!o.group.empty()) s.group = o.group;
    if (!o.fifo.empty()) s.fifo = o.fifo;
    if (!o.unix_sock.empty()) s.unix_sock = o.unix_sock;
    s.pid_file = o.pid_file;
    s.pgid_file = o.pgid_file;
}

void fill_defaults(Settings& s) {
    if (s.port <= 0) s.port = 5060;
    if (s.children <= 0) s.children = 8;
    if (s.tcp_children <= 0) s.tcp_children = s.children;
}

void print_sockets(const rt::Server& srv) {
    std::string out = "Listening on \n";
    for (const auto& s : srv.sockets())
        out += fmt::format("             {}: {} [{}]:{}\n", s.proto == PROTO_UDP ? "udp" : "tcp", s.name,
                           s.address_text, s.port);
    out += "Aliases: \n";
    for (const auto& a : srv.aliases())
        out += fmt::format("             {}: {}:{}\n", a.proto == PROTO_NONE ? "*" : proto_name(a.proto), a.name,
                           a.port ? std::to_string(a.port) : std::string("*"));
    std::cout << out << std::flush;
}

int fail(const parser::Diagnostics& diag, const char* what) {
    diag.print(std::cerr);
    std::cerr << fmt::format("ERROR: {} ({} error{})\n", what, diag.error_count(), diag.error_count() == 1 ? "" : "s");
    return 255;
}

}  // namespace

int ser_main(int argc, char** argv) {
    cli::Options o;
    std::string err;
    if (!parse_options(argc, argv, o, err)) {
        std::cerr << err << "\n" << cli::usage(argv[0]);
        return 255;
    }
    if (o.help) {
        std::cout << cli::usage(argv[0]);
        return 0;
    }
    if (o.version) {
        std::cout << cli::version_text();
        return 0;
    }
    set_log_stderr(true);  // until the config says otherwise (and always for -c)

    parser::Diagnostics diag;
    auto cfg = parser::parse_file(o.cfg_file, diag);
    if (!cfg) return fail(diag, "bad config file");
    if (o.syntax_only) {
        diag.print(std::cerr);
        std::cerr << "config file ok (syntax only, no module loaded), exiting...\n";
        return 0;
    }

    rt::Server server;
    for (auto it = o.module_dirs.rbegin(); it != o.module_dirs.rend(); ++it) server.modules().add_dir_front(*it);
    Settings& s = server.mutable_settings();
    apply_cli_before_config(o, s);
    set_log_level(s.debug);

    rt::CliOverrides cli;
    cli.listen = o.listen;
    cli.port = o.port;
    rt::ConfigLoader loader(server, diag, cli);
    bool ok = loader.load(*cfg);
    if (o.foreground) s.fork = false;
    if (o.force_stderr || o.check) s.log_stderror = true;
    set_log_level(s.debug);
    if (!ok) return fail(diag, "bad config file");
    fill_defaults(s);

    if (!server.resolve_sockets(err)) {
        diag.print(std::cerr);
        std::cerr << "ERROR: " << err << "\n";
        return 255;
    }
    // Modules are initialised before the fix-ups (core-runtime §1 steps
    // 11-12): a fix-up may bind another module's API (registrar's save()
    // needs usrloc) or check a route block (t_on_failure). A server
    // daemonises first, keeping stderr until it is ready.
    const bool serving = !o.check && o.trace_file.empty();
    int ready_fd = -1;
    if (serving && !daemonize_for_start(s, ready_fd)) return 255;
    // A daemon that fails to start must not leave pid files naming a dead
    // process (after a normal shutdown run_server has removed them already).
    struct IdFiles {
        const Settings* s = nullptr;
        ~IdFiles() {
            if (!s) return;
            if (!s->pid_file.empty()) unlink(s->pid_file.c_str());
            if (!s->pgid_file.empty()) unlink(s->pgid_file.c_str());
        }
    } id_files;
    if (ready_fd >= 0) id_files.s = &s;
    server.set_check_only(o.check);
    server.set_worker_count(worker_count_for(server));
    if (!server.modules().init_all(server, err)) {
        std::cerr << "ERROR: " << err << "\n";
        return 255;
    }
    server.collect_hooks();
    if (!loader.fixup()) return fail(diag, "error while trying to fix configuration");
    diag.print(std::cerr);  // warnings

    if (o.check) {
        print_sockets(server);
        std::cerr << "config file ok, exiting...\n";
        return 0;  // SER 0.9.6 exited 255 here; a check that passed is a success
    }
    if (!o.trace_file.empty()) return run_trace(server, o);
    return run_server(server, o, ready_fd);
}

}  // namespace ser::app
