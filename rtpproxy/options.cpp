#include "rtpproxy/options.hpp"

#include <charconv>

namespace ser::rtpp {

namespace {

constexpr std::string_view kFlags = "fF2vRh";
constexpr std::string_view kWithArgument = "l6sSrpTtmMdLu";

bool to_int(const std::string& s, long lo, long hi, long& out) {
    long v = 0;
    int base = 10;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        b += 2;
    }
    auto [end, ec] = std::from_chars(b, e, v, base);
    if (ec != std::errc() || end != e || s.empty() || v < lo || v > hi) return false;
    out = v;
    return true;
}

void split_pair(const std::string& arg, std::string out[2], bool& bridge) {
    auto slash = arg.find('/');
    if (slash == std::string::npos) {
        out[0] = arg;
        out[1].clear();
        return;
    }
    out[0] = arg.substr(0, slash);
    out[1] = arg.substr(slash + 1);
    bridge = true;
}

// udp:host[:port] / udp6:host[:port] (also udp6:[host]:port).
bool parse_udp(std::string text, int family, SockAddr& out, std::string& error) {
    std::string host = text, port;
    if (!text.empty() && text[0] == '[') {
        auto close = text.find(']');
        if (close == std::string::npos) {
            error = "bad control address " + text;
            return false;
        }
        host = text.substr(1, close - 1);
        if (close + 1 < text.size() && text[close + 1] == ':') port = text.substr(close + 2);
    } else if (auto colon = text.rfind(':'); colon != std::string::npos) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    long p = kDefaultControlPort;
    if (!port.empty() && !to_int(port, 1, 65535, p)) {
        error = "bad control port in " + text;
        return false;
    }
    auto a = SockAddr::passive(host, static_cast<uint16_t>(p), family);
    if (!a) {
        error = "can't resolve control address " + host;
        return false;
    }
    out = *a;
    return true;
}

bool parse_control(const std::string& arg, ControlSpec& c, std::string& error) {
    if (arg.rfind("udp:", 0) == 0) {
        c.kind = ControlSpec::Kind::udp;
        return parse_udp(arg.substr(4), AF_INET, c.addr, error);
    }
    if (arg.rfind("udp6:", 0) == 0) {
        c.kind = ControlSpec::Kind::udp;
        return parse_udp(arg.substr(5), AF_INET6, c.addr, error);
    }
    c.kind = ControlSpec::Kind::unix_stream;
    c.path = arg.rfind("unix:", 0) == 0 ? arg.substr(5) : arg;
    if (c.path.empty()) {
        error = "empty control socket path";
        return false;
    }
    return true;
}

bool apply(Options& o, char opt, const std::string& arg, std::string& error) {
    long v = 0;
    switch (opt) {
    case 'l': split_pair(arg, o.listen4, o.bridge); return true;
    case '6': split_pair(arg, o.listen6, o.bridge); return true;
    case 's': {
        ControlSpec c;
        if (!parse_control(arg, c, error)) return false;
        o.controls.push_back(std::move(c));
        return true;
    }
    case 'S': o.spool_dir = arg; return true;
    case 'r': o.record_dir = arg; return true;
    case 'p':
        o.pid_file = arg;
        o.pid_file_given = true;
        return true;
    case 'u': o.user = arg; return true;
    case 'd': {
        auto spec = parse_log_spec(arg);
        if (!spec) {
            error = "bad log level " + arg + " (DBUG, INFO, WARN, ERR, CRIT[:facility])";
            return false;
        }
        o.log = *spec;
        return true;
    }
    case 'T':
        if (!to_int(arg, 1, 86400 * 365, v)) break;
        o.ttl = static_cast<int>(v);
        return true;
    case 't':
        if (!to_int(arg, 0, 255, v)) break;
        o.tos = static_cast<int>(v);
        return true;
    case 'm':
        if (!to_int(arg, 1, 65534, v)) break;
        o.min_port = static_cast<int>(v);
        return true;
    case 'M':
        if (!to_int(arg, 1, 65535, v)) break;
        o.max_port = static_cast<int>(v);
        return true;
    case 'L':
        if (!to_int(arg, 1, 1L << 30, v)) break;
        o.open_files = v;
        return true;
    }
    error = std::string("bad value for -") + opt + ": " + arg;
    return false;
}

}  // namespace

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error) {
    Options o;
    // getopt(3) rules: flags may be grouped ("-2f"), an option's argument is
    // the rest of its word or the next word; "--" ends the options.
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& w = args[i];
        if (w == "--") {
            if (i + 1 < args.size()) {
                error = "unexpected argument " + args[i + 1];
                return std::nullopt;
            }
            break;
        }
        if (w.size() < 2 || w[0] != '-') {
            error = "unexpected argument " + w;
            return std::nullopt;
        }
        for (size_t k = 1; k < w.size(); ++k) {
            char opt = w[k];
            if (kWithArgument.find(opt) != std::string_view::npos) {
                std::string arg;
                if (k + 1 < w.size()) arg = w.substr(k + 1);
                else if (i + 1 < args.size()) arg = args[++i];
                else {
                    error = std::string("option -") + opt + " requires an argument";
                    return std::nullopt;
                }
                if (!apply(o, opt, arg, error)) return std::nullopt;
                break;
            }
            if (kFlags.find(opt) == std::string_view::npos) {
                error = std::string("unknown option -") + opt;
                return std::nullopt;
            }
            switch (opt) {
            case 'f': o.foreground = true; break;
            case 'F': o.force = true; break;
            case '2': o.duplicate_small = true; break;
            case 'v': o.show_version = true; break;
            case 'R': o.record_rtcp = false; break;
            case 'h':
                error = "help";
                return std::nullopt;
            }
        }
    }
    if (!o.spool_dir.empty() && o.record_dir.empty()) {
        error = "-S switch requires -r switch";
        return std::nullopt;
    }
    if (o.min_port > o.max_port) {
        error = "-m must not be above -M";
        return std::nullopt;
    }
    if (o.controls.empty()) {
        ControlSpec c;
        c.path = kDefaultControlSocket;
        o.controls.push_back(c);
    }
    return o;
}

bool resolve_listen(const Options& o, SockAddr out[2], int& count, std::string& error) {
    std::string v4[2] = {o.listen4[0], o.listen4[1]}, v6[2] = {o.listen6[0], o.listen6[1]};
    bool udp_control = false;
    for (const auto& c : o.controls) udp_control = udp_control || c.kind == ControlSpec::Kind::udp;
    if (v4[0].empty() && v4[1].empty() && v6[0].empty() && v6[1].empty()) {
        if (udp_control) {
            error = "explicit binding address has to be specified in UDP command mode";
            return false;
        }
        v4[0].assign(1, '*');   // (not = "*": a GCC 12 -O3 -Wrestrict false positive)
    }
    int given = 0;
    for (int i = 0; i < 2; ++i) given += !v4[i].empty() + !v6[i].empty();
    if (o.bridge) {
        if (!v4[0].empty() && !v6[0].empty()) {
            error = "either IPv4 or IPv6 should be configured for the first interface in bridging mode, not both";
            return false;
        }
        if (!v4[1].empty() && !v6[1].empty()) {
            error = "either IPv4 or IPv6 should be configured for the second interface in bridging mode, not both";
            return false;
        }
        if (given != 2) {
            error = "incomplete configuration of the bridging mode - exactly 2 listen addresses required, " +
                    std::to_string(given) + " provided";
            return false;
        }
    } else if (given != 1) {
        error = "exactly 1 listen address required, " + std::to_string(given) + " provided";
        return false;
    }
    count = 0;
    for (int i = 0; i < 2; ++i) {
        const std::string& h = !v4[i].empty() ? v4[i] : v6[i];
        if (h.empty()) continue;
        auto a = SockAddr::passive(h, 0, !v4[i].empty() ? AF_INET : AF_INET6);
        if (!a) {
            error = "can't resolve listen address " + h;
            return false;
        }
        out[count++] = *a;
    }
    return true;
}

std::string usage_text() {
    return "usage: rtpproxy [-2fvFR] [-l addr1[/addr2]] [-6 addr1[/addr2]] [-s ctrl_socket] [-t tos]\n"
           "                [-r rdir [-S sdir]] [-T ttl] [-p pidfile] [-m min_port] [-M max_port]\n"
           "                [-d log_level[:facility]] [-L nofiles] [-u user[:group]]\n"
           "  ctrl_socket: unix:/path, udp:addr[:port], udp6:addr[:port] (repeatable)\n";
}

std::string version_text() {
    return "Basic version: 20040107\n"
           "Extension 20050322: Support for multiple RTP streams and MOH\n";
}

}  // namespace ser::rtpp
