// Via header bodies (RFC 3261 §20.42, RFC 3581 rport). One Via header line
// may hold several comma-separated via-parms; each is one ViaBody.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ser::sip {

struct ViaBody {
    std::string_view proto_name;   // "SIP"
    std::string_view version;      // "2.0"
    std::string_view transport;    // "UDP", "TCP", "TLS", "SCTP", ... as written
    std::string_view host;         // without [] for IPv6 references
    std::string_view port_text;    // empty when absent
    std::string_view params;       // after the first ';' (exclusive) to the end of this via-parm
    uint16_t port = 0;             // 0 = absent
    bool host_is_v6 = false;
    std::optional<std::string_view> branch, received, rport, i, alias;   // "" if valueless

    // Offsets below are buffer offsets (relative to the `base` given to
    // parse_via_parm; Msg passes its buffer).
    uint32_t host_end_off = 0;     // right after host[:port]: where SER inserts ;rport/;received
    uint32_t received_off = 0, received_len = 0;   // whole ";received[=v]" (len 0 = absent)
    uint32_t rport_off = 0, rport_len = 0;         // whole ";rport[=v]"
    uint32_t offset = 0, length = 0;               // this via-parm (trimmed)
    uint32_t next_offset = 0;      // start of the next via-parm in the same line (0 = none)
    uint16_t hdr_index = 0;        // index of its header line in Msg::headers()
    bool last_in_line = true;

    // Host as written (with [] for IPv6) for building Via / destination texts.
    std::string_view host_text() const {
        return host_is_v6 ? std::string_view(host.data() - 1, host.size() + 2) : host;
    }
};

// Parses the via-parm starting at value[pos] (after LWS). On success fills
// `out`, sets `pos` to the start of the next via-parm (after the comma and
// LWS) or value.size(), and out.last_in_line accordingly. Offsets are
// computed relative to `base` (nullptr = value.data()).
bool parse_via_parm(std::string_view value, size_t& pos, ViaBody& out,
                    const char* base = nullptr);

}  // namespace ser::sip
