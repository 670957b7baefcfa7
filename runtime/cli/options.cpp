#include "runtime/cli/options.hpp"

#include <getopt.h>

#include <cstdlib>

#include <fmt/format.h>

#include "ser/abi.hpp"

#ifndef SER_DEFAULT_CFG
#define SER_DEFAULT_CFG "/usr/local/etc/ser/ser.cfg"
#endif
#ifndef SER_VERSION
#define SER_VERSION "0.1.0"
#endif

namespace ser::cli {

namespace {

bool to_int(const char* s, int& out) {
    if (!s || !*s) return false;
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (*end || v < 0 || v > 1000000000) return false;
    out = int(v);
    return true;
}

int proto_word(const std::string& w) {
    std::string l;
    for (char c : w) l += char(std::tolower((unsigned char)c));
    if (l == "udp") return PROTO_UDP;
    if (l == "tcp") return PROTO_TCP;
    if (l == "tls") return PROTO_TLS;
    return -1;
}

enum LongOpt { kSyntaxOnly = 1000, kTrace, kTraceSrc, kForeground, kStderr, kModuleDir, kHelp, kVersion };

}  // namespace

bool parse_listen_arg(const std::string& arg, rt::ListenSpec& out, std::string& error) {
    std::string rest = arg;
    out = rt::ListenSpec{};
    out.from_cli = true;
    // proto prefix
    if (size_t c = rest.find(':'); c != std::string::npos && rest[0] != '[') {
        int p = proto_word(rest.substr(0, c));
        std::string after = rest.substr(c + 1);
        bool after_is_port = !after.empty() && after.find_first_not_of("0123456789") == std::string::npos;
        if (p >= 0 && !after_is_port) {
            out.proto = p;
            rest = after;
        } else if (p < 0 && rest.find(':', c + 1) != std::string::npos) {
            error = fmt::format("bad -l address '{}': unknown protocol '{}'", arg, rest.substr(0, c));
            return false;
        }
    }
    if (!rest.empty() && rest[0] == '[') {
        size_t close = rest.find(']');
        if (close == std::string::npos) {
            error = fmt::format("bad -l address '{}': missing ']'", arg);
            return false;
        }
        out.addr = rest.substr(1, close - 1);
        rest = rest.substr(close + 1);
        if (!rest.empty() && rest[0] == ':') rest = rest.substr(1);
        else if (!rest.empty()) {
            error = fmt::format("bad -l address '{}'", arg);
            return false;
        }
    } else {
        size_t c = rest.find(':');
        out.addr = rest.substr(0, c);
        rest = c == std::string::npos ? "" : rest.substr(c + 1);
    }
    if (!rest.empty()) {
        int port;
        if (!to_int(rest.c_str(), port) || port > 65535) {
            error = fmt::format("bad -l address '{}': bad port '{}'", arg, rest);
            return false;
        }
        out.port = uint16_t(port);
    }
    if (out.addr.empty()) {
        error = fmt::format("bad -l address '{}': no address", arg);
        return false;
    }
    return true;
}

bool parse_options(int argc, char** argv, Options& o, std::string& error) {
    o.cfg_file = SER_DEFAULT_CFG;
    for (int i = 0; i < argc; ++i) o.argv.emplace_back(argv[i]);
    static const option longs[] = {
        {"syntax-only", no_argument, nullptr, kSyntaxOnly},
        {"trace", required_argument, nullptr, kTrace},
        {"trace-src", required_argument, nullptr, kTraceSrc},
        {"foreground", no_argument, nullptr, kForeground},
        {"stderr", no_argument, nullptr, kStderr},
        {"module-dir", required_argument, nullptr, kModuleDir},
        {"help", no_argument, nullptr, kHelp},
        {"version", no_argument, nullptr, kVersion},
        {nullptr, 0, nullptr, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:cl:p:n:N:rRvdDETVhb:m:w:t:u:g:P:G:i:x:M:", longs, nullptr)) != -1) {
        int n = 0;
        switch (c) {
        case 'f': o.cfg_file = optarg; break;
        case 'c': o.check = true; break;
        case 'l': {
            rt::ListenSpec l;
            if (!parse_listen_arg(optarg, l, error)) return false;
            o.listen.push_back(l);
            break;
        }
        case 'p':
            if (!to_int(optarg, n) || n < 1 || n > 65535) {
                error = fmt::format("bad port number: -p {}", optarg);
                return false;
            }
            o.port = n;
            break;
        case 'n': case 'N': case 'b':
            if (!to_int(optarg, n)) {
                error = fmt::format("bad number: -{} {}", char(c), optarg);
                return false;
            }
            (c == 'n' ? o.children : c == 'N' ? o.tcp_children : o.maxbuffer) = n;
            break;
        case 'm':
            if (!to_int(optarg, n) || n == 0) {
                error = fmt::format("bad shared memory size: -m {}", optarg);
                return false;
            }
            o.shm_mb = n;
            break;
        case 'r': o.dns = true; break;
        case 'R': o.rev_dns = true; ++o.debug_inc; break;  // SER's missing break [quirk]
        case 'v': o.check_via = true; break;
        case 'd': ++o.debug_inc; break;
        case 'D': o.dont_fork = true; break;
        case 'E': o.log_stderr = true; break;
        case 'T': o.disable_tcp = true; break;
        case 'V': case kVersion: o.version = true; break;
        case 'h': case kHelp: o.help = true; break;
        case 'w': o.workdir = optarg; break;
        case 't': o.chroot = optarg; break;
        case 'u': o.user = optarg; break;
        case 'g': o.group = optarg; break;
        case 'P': o.pid_file = optarg; break;
        case 'G': o.pgid_file = optarg; break;
        case 'i': o.fifo = optarg; break;
        case 'x': o.unix_sock = optarg; break;
        case 'M': case kModuleDir: o.module_dirs.emplace_back(optarg); break;
        case kSyntaxOnly: o.syntax_only = true; break;
        case kTrace: o.trace_file = optarg; break;
        case kTraceSrc: o.trace_src = optarg; break;
        case kForeground: o.foreground = true; break;
        case kStderr: o.force_stderr = true; break;
        case ':':
            error = fmt::format("option requires an argument -- '{}'", optopt ? std::string(1, char(optopt)) : argv[optind - 1]);
            return false;
        default:
            error = optopt ? fmt::format("Unknown option `-{}'.", char(optopt))
                           : fmt::format("Unknown option `{}'.", argv[optind - 1]);
            return false;
        }
    }
    if (optind < argc) {
        error = fmt::format("unexpected argument '{}'", argv[optind]);
        return false;
    }
    return true;
}

std::string usage(const char* prog) {
    return fmt::format(
        "Usage: {} -l address [-l address ...] [options]\n"
        "Options:\n"
        "    -f file      Configuration file (default {})\n"
        "    -c           Check configuration file: load modules, apply modparams, fix up every call\n"
        "    --syntax-only  Check the grammar only; loads no module\n"
        "    -l address   Listen on the specified address/interface (multiple -l allowed);\n"
        "                 format [proto:]addr[:port], IPv6 in [ ]; replaces the config's listen=\n"
        "    -p port      Default port; replaces the config's port=\n"
        "    -n processes Number of worker threads per UDP socket (children)\n"
        "    -N processes Number of TCP reader threads (tcp_children)\n"
        "    -r           Use dns to check if it is necessary to add a \"received=\" field to a via\n"
        "    -R           Same as `-r` but use reverse dns\n"
        "    -v           Turn on \"via:\" host checking when forwarding replies\n"
        "    -d           Debugging mode (multiple -d increase the level)\n"
        "    -D           Do not fork into the background (config fork= wins)\n"
        "    -E           Log to stderr (config log_stderror= wins)\n"
        "    -T           Disable TCP\n"
        "    -V           Version number\n"
        "    -h           This help message\n"
        "    -b nr        Maximum receive buffer size which will not be exceeded by auto-probing\n"
        "    -m nr        Size of shared memory in MB (accepted for compatibility)\n"
        "    -w dir       Change the working directory to \"dir\" (default \"/\")\n"
        "    -t dir       Chroot to \"dir\"\n"
        "    -u uid       Change uid\n"
        "    -g gid       Change gid\n"
        "    -P file      Create a pid file\n"
        "    -G file      Create a pgid file\n"
        "    -i fifo_path Create a fifo (useful for monitoring {})\n"
        "    -x socket    Create a unix domain socket\n"
        "    -M dir, --module-dir dir  Look for modules in dir first\n"
        "    --foreground Never daemonise (overrides fork=yes)\n"
        "    --stderr     Log to stderr (overrides log_stderror=no)\n"
        "    --trace msg.sip [--trace-src udp:IP:PORT]\n"
        "                 Run the config on a SIP message from a file, print each statement\n"
        "                 executed and every message that would be sent; opens no socket\n",
        prog, SER_DEFAULT_CFG, prog);
}

std::string version_text() {
    return fmt::format(
        "version: ser {} (SER 0.9.6 compatible) (x86_64/linux)\n"
        "flags: USE_TCP, USE_IPV6, DNS_IP_HACK, threads\n"
        "module ABI: {}\n"
        "MAX_RECV_BUFFER_SIZE 262144, MAX_LISTEN 16, MAX_URI_SIZE 1024, BUF_SIZE 65535\n",
        SER_VERSION, kAbiVersion);
}

}  // namespace ser::cli
