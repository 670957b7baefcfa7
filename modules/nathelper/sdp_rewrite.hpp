// What nathelper changes in an SDP body, computed without touching the
// message: a list of edits in the SDP's offset space, which the module
// turns into lumps (and the fuzz target applies to a plain string).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ser/sip/sdp.hpp"

namespace ser::mod::nathelper {

struct Edit {
    uint32_t offset = 0;
    uint32_t len = 0;       // 0 = insert
    std::string text;
};

// Where appended lines go: after the last byte of the body, preceded by a
// line end when the body does not end with one.
struct BodyEnd {
    uint32_t offset = 0;
    bool ends_with_newline = true;
};

void append_line(const BodyEnd& end, std::string_view line, std::vector<Edit>& out);

// The address of a c= line without a multicast "/ttl" suffix.
std::string_view connection_address(const sip::SdpConnection& c);
bool is_null_address(std::string_view addr, bool v6);

// True when a line of the body starts with "a=nortpproxy:yes".
bool has_nortpproxy(const sip::Sdp& sdp);

// fix_nated_sdp (§12.5): bit 1 a=direction:active, bit 2 every IPv4 c=
// address to `src_ip` (the first old one kept in a=oldmediaip), bit 4
// a=nortpproxy:yes. False when the c= lines mix address families.
bool plan_fix_nated_sdp(const sip::Sdp& sdp, const BodyEnd& end, unsigned flags, std::string_view src_ip,
                        std::vector<Edit>& out);

// One media stream to relay (§12.6 step 6, multi-stream form).
struct Stream {
    unsigned number = 0;                         // 1-based, across the body
    size_t media = 0;                            // index into Sdp::media
    const sip::SdpConnection* conn = nullptr;    // media-level or session-level c=
    std::string_view address;                    // of conn, without /ttl
    bool v6 = false;
};

// The streams of `sdp`; false (+ why) when a medium has no c= line, a c=
// is not IN IP4/IP6, or a transport is not udp, udptl or RTP/AVP. Media
// with port 0 (disabled) are left alone.
bool media_streams(const sip::Sdp& sdp, std::vector<Stream>& out, std::string& why);

// The proxy's answer for one stream.
struct ProxyAnswer {
    uint16_t port = 0;
    std::string address;   // empty: none given
    bool v6 = false;
};

// Parses "<port> [<addr> [6]]"; false when the port is not 1..65535.
bool parse_proxy_answer(std::string_view reply, ProxyAnswer& out);

// force_rtp_proxy's rewrite (§12.6 step 9-10): each stream's m= port and
// its c= address (a shared c= once; null addresses stay null; the family
// token follows the new address), then a=nortpproxy:yes unless `marked`.
// `fallback`/`fallback_v6`: the address written when the proxy gave none.
void plan_rtp_rewrite(const sip::Sdp& sdp, const std::vector<Stream>& streams,
                      const std::vector<ProxyAnswer>& answers, std::string_view fallback, bool fallback_v6,
                      bool marked, const BodyEnd& end, std::vector<Edit>& out);

}  // namespace ser::mod::nathelper
