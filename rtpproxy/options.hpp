// The rtpproxy command line (spec rtpproxy-protocol §8): the 2006 options
// plus the later -m/-M (port range), -d (log level), -F, -L and -u.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rtpproxy/address.hpp"
#include "rtpproxy/log.hpp"

namespace ser::rtpp {

struct ControlSpec {
    enum class Kind { unix_stream, udp };
    Kind kind = Kind::unix_stream;
    std::string path;   // unix
    SockAddr addr;      // udp / udp6
};

struct Options {
    std::string listen4[2];        // -l a1[/a2]
    std::string listen6[2];        // -6 a1[/a2]
    bool bridge = false;           // a '/' in -l or -6
    std::vector<ControlSpec> controls;   // -s (repeatable); default unix:/var/run/rtpproxy.sock
    bool foreground = false;       // -f
    bool force = false;            // -F: no warning when running as root
    bool duplicate_small = false;  // -2
    bool show_version = false;     // -v
    bool record_rtcp = true;       // -R clears
    int ttl = 60;                  // -T
    int tos = 0xb8;                // -t
    int min_port = 35000;          // -m
    int max_port = 65000;          // -M
    std::string pid_file = "/var/run/rtpproxy.pid";   // -p
    bool pid_file_given = false;
    std::string record_dir;        // -r
    std::string spool_dir;         // -S
    LogSpec log;                   // -d
    long open_files = 0;           // -L; 0 = raise the soft limit to the hard one
    std::string user;              // -u user[:group]
};

constexpr const char* kDefaultControlSocket = "/var/run/rtpproxy.sock";
constexpr uint16_t kDefaultControlPort = 22222;

// nullopt with `error` set on a bad command line.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error);

// The media listen addresses from -l/-6 (§8 rules: one address, or two in
// bridge mode, one family per side; "*" = wildcard, only with a unix
// control socket). Fills out[0..count).
bool resolve_listen(const Options& o, SockAddr out[2], int& count, std::string& error);

std::string usage_text();
std::string version_text();

}  // namespace ser::rtpp
