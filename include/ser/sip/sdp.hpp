// SDP in a message body (RFC 4566), as nathelper-style modules need it:
// connection addresses and media ports with their buffer offsets, so that
// they can be rewritten with lumps. Views point into the message buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ser::sip {

class Msg;

struct SdpLine {
    char type = 0;              // 'v', 'o', 'c', 'm', 'a', ...
    std::string_view value;     // after "x=", without the line end
    uint32_t offset = 0;        // buffer offset of the line start ("x=")
    uint32_t length = 0;        // including its line end
};

struct SdpConnection {
    std::string_view net_type;   // "IN"
    std::string_view addr_type;  // "IP4" / "IP6"
    std::string_view address;    // may carry /ttl for multicast
    uint32_t address_offset = 0; // buffer offset of `address`
    uint32_t line = 0;           // index into Sdp::lines
};

struct SdpMedia {
    std::string_view media;      // "audio", "video", ...
    std::string_view port_text;
    uint16_t port = 0;
    uint32_t port_offset = 0;    // buffer offset of `port_text`
    std::string_view proto;      // "RTP/AVP"
    std::string_view formats;
    std::optional<SdpConnection> connection;   // media-level c=
    uint32_t first_line = 0, end_line = 0;     // [m=, next m=) in Sdp::lines
};

struct Sdp {
    std::vector<SdpLine> lines;
    std::optional<SdpConnection> connection;   // session-level c=
    std::vector<SdpMedia> media;

    // The c= that applies to media i (media-level, else session-level).
    const SdpConnection* connection_for(size_t i) const;
    // a=<name> or a=<name>:<value> at session level (media < 0) or in media i.
    std::optional<std::string_view> attribute(std::string_view name, int media = -1) const;
};

// Parses the body of `m` if its Content-Type is application/sdp (or absent
// with a body starting "v="). False when there is no SDP or it is malformed
// (no v= line, bad c=/m= syntax).
bool parse_sdp(const Msg& m, Sdp& out);
// Same over any text; offsets are relative to `base` (defaults to text).
bool parse_sdp_text(std::string_view text, Sdp& out, const char* base = nullptr);

}  // namespace ser::sip
