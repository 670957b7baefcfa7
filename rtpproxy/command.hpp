// The control protocol's command text -> a decoded Command (spec
// rtpproxy-protocol §2.3, §3, §3.8). Pure: no I/O, no session state; the
// views point into the caller's text, which must outlive the Command.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ser::rtpp {

// The 2006 daemon's error codes (§3.9): the reply is "E<code>".
enum class Error : uint8_t {
    syntax = 0,          // empty command, UDP datagram without a command, oversized text
    delete_args = 1,     // D/R/S/Q argument count; more than two i/e modifiers
    version_args = 2,    // V/VF argument count
    unknown_command = 3,
    update_args = 4,     // U/L/P argument count
    no_memory = 5,
    play_failed = 6,
    lookup_ports = 7,    // L could not allocate the second port pair
    not_found = 8,
    update_ports = 10,   // U could not allocate a port pair
};

enum class Verb : uint8_t {
    version,          // V
    version_feature,  // VF <datestamp>
    update,           // U
    lookup,           // L
    remove,           // D
    info,             // I
    play,             // P
    stop_play,        // S
    record,           // R
    query,            // Q [later]
    remove_all,       // X [later]
};

// Letters after the command letter of U/L/D (§3.8), in the daemon's
// reading order.
struct Modifiers {
    std::optional<bool> asymmetric;   // last of a/s wins; unset = the daemon's default
    bool ipv6 = false;                // 6: <addr> is IPv6
    bool weak = false;                // w
    // i/e letters: iface[1] is picked by the first letter (the local address
    // facing the SDP's sender), iface[0] by the second (facing its receiver).
    // 0 = first listen address ('i'), 1 = second ('e').
    uint8_t iface[2] = {0, 0};
    uint8_t iface_count = 0;
    char first_unknown = 0;           // for the log; unknown letters are ignored
    bool verbose = false;             // Q v
};

struct Command {
    static constexpr size_t kMaxTokens = 10;   // more are not looked at (§2.3)

    Verb verb = Verb::version;
    std::string_view cookie;          // UDP only
    std::string_view call_id;
    std::string_view addr, port;      // U/L
    std::string_view from_tag;
    std::optional<std::string_view> to_tag;
    std::string_view feature;         // VF
    std::string_view prompt, codecs;  // P
    int play_count = 1;               // P<n>: 0 = endlessly
    Modifiers mods;
    std::array<std::string_view, kMaxTokens> stat_names{};   // Q extra arguments
    uint8_t stat_count = 0;
};

struct ParseResult {
    std::optional<Command> command;    // set on success
    Error error = Error::syntax;       // otherwise
    std::string_view cookie;           // UDP: known as soon as there is a first token
};

// `udp`: the first token is the cookie (§2.2). `oversized`: the transport
// read more than the daemon accepts; the command is refused as a whole
// (E0) but the cookie is still answered.
ParseResult parse_command(std::string_view text, bool udp, bool oversized = false);

// Splits on space, tab, CR and LF, skipping empty tokens; at most `max`
// tokens. Text after a NUL byte is ignored, as the C daemon saw it.
size_t tokenize(std::string_view text, std::string_view* out, size_t max);

}  // namespace ser::rtpp
