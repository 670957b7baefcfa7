// The command line, compatible with SER 0.9.6 (core-runtime §10) plus our
// extensions: -p, -M, --syntax-only, --trace, --foreground, --stderr.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/core/listen_spec.hpp"

namespace ser::cli {

struct Options {
    std::string cfg_file;
    bool check = false;
    bool syntax_only = false;
    bool version = false;
    bool help = false;
    int debug_inc = 0;           // -d (and -R [quirk])
    bool dont_fork = false;      // -D
    bool log_stderr = false;     // -E
    bool disable_tcp = false;    // -T
    bool dns = false, rev_dns = false, check_via = false;
    std::optional<int> children, tcp_children, maxbuffer;
    long shm_mb = 32;            // -m: accepted; memory is not a fixed pool here
    std::string workdir, chroot, user, group, pid_file, pgid_file, fifo, unix_sock;
    std::vector<rt::ListenSpec> listen;  // -l
    std::optional<int> port;             // -p
    std::vector<std::string> module_dirs;  // -M / --module-dir
    std::string trace_file, trace_src;
    bool foreground = false;     // --foreground: never daemonise, whatever the config says
    bool force_stderr = false;   // --stderr: log to stderr, whatever the config says
    std::vector<std::string> argv;
};

// Returns false with a message in `error` (unknown option, bad number...).
bool parse_options(int argc, char** argv, Options& o, std::string& error);
// `-l` syntax: [proto:]addr[:port], IPv6 in brackets.
bool parse_listen_arg(const std::string& arg, rt::ListenSpec& out, std::string& error);

std::string usage(const char* prog);
std::string version_text();

}  // namespace ser::cli
