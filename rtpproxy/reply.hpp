// Reply texts of the control protocol (spec rtpproxy-protocol §3.9). An
// empty cookie means the stream (unix) transport; in UDP mode the cookie
// always comes first. Pure string building, shared by the daemon and the
// fuzz target.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rtpproxy/command.hpp"

namespace ser::rtpp {

// "E<n>\n" / "<cookie> E<n>\n"
std::string reply_error(std::string_view cookie, Error e);
// D/R/S/P/X success: "0\n" / "<cookie>\n" (no space after the cookie).
std::string reply_ok(std::string_view cookie);
// U/L: "<port>\n" when the local address is a wildcard (empty `host`),
// else "<port> <host>\n", with " 6" appended for an IPv6 local address.
std::string reply_port(std::string_view cookie, uint16_t port, std::string_view host, bool ipv6);
// V, VF, Q: "<text>\n" / "<cookie> <text>\n".
std::string reply_text(std::string_view cookie, std::string_view text);

}  // namespace ser::rtpp
