// Message builders: pure functions returning the bytes to send
// (core-runtime §6.3–6.7). They never modify the message: the edits they
// need (our Via, received/rport, Content-Length, removal of the first Via)
// are applied together with the message's lumps into a new buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ser/sip/msg.hpp"

namespace ser::sip {

// Our Via for a forwarded request.
struct ViaSpec {
    std::string_view transport;   // "UDP" | "TCP" | "TLS"
    std::string_view host;        // already bracketed if IPv6
    std::string_view port;        // empty = omit
    std::string_view branch;
    std::string_view extra;       // e.g. ";i=abc" (may be empty)
};

// The source of the request, for received=/rport= on the client's Via.
struct ReceivedInfo {
    std::string src_ip_text;      // IPv6 without [] (brackets are stripped anyway)
    uint16_t src_port = 0;
    bool force_rport = false;
};
ReceivedInfo received_info(const Msg& m);   // from m.rcv and m.force_rport

// "Via: SIP/2.0/<T> host[:port];branch=<b><extra>\r\n"
std::string via_line(const ViaSpec& via);

// SER's received test without DNS (core-runtime §6.4): true when the Via
// already has received=, or its host does not "match" the source address —
// IPv4: the Via host compared with the dotted source over the Via host's
// length (so a prefix such as 127.0.0 matches 127.0.0.1) [quirk]; IPv6:
// case-insensitive equality, with or without [].
bool received_needed(const ViaBody& via, std::string_view src_ip_text);

// §6.3/§6.4: request line with new_uri if set; lumps applied; our Via
// inserted before the first Via line (after any module insert at that
// offset, e.g. Record-Route); received=/rport= on the client's top Via;
// Content-Length: over UDP replaced only if the body changed, over a stream
// transport also added when missing. Leading CRLFs and octets beyond the
// message are not sent. Returns "" when the message has no parsed top Via.
// `ruri` (a branch's URI) replaces the request line's URI instead of
// new_uri when not empty; `ctx` resolves send-time lumps.
std::string build_request(Msg& m, const ViaSpec& via, const ReceivedInfo& rcv,
                          bool stream_transport, std::string_view ruri = {},
                          const SendContext* ctx = nullptr);

// §6.6: the reply without its first Via (the whole line if it holds one Via,
// else that via-parm and its comma), lumps applied, Content-Length as above
// for `stream_transport` (the second Via's transport). "" when there is no
// second Via (the reply must then be dropped).
std::string build_reply_forward(Msg& reply, bool stream_transport);

// §6.6 destination from the second Via: host = received if present, else the
// Via host (IPv6 without []); port = numeric non-zero rport value, else the
// Via port, else 5060 when received or an IP literal is used; 0 = host is a
// name without port: the caller makes an SRV lookup for `transport`, falling
// back to 5060. False when there is no second Via.
bool reply_forward_dest(Msg& reply, std::string& host, uint16_t& port, std::string& transport);

struct LocalReplyOpts {
    std::string_view to_tag;          // added to To when To has no tag
    bool replace_to_tag = false;      // also replace an existing To tag (SER's helper does)
    std::string_view extra_headers;   // module-added header lines, verbatim (each ends in CRLF)
    std::string_view server;          // Server: value, empty = none
    std::string_view warning;         // Warning: value, empty = none
    std::string_view body;
};

// §6.7: a reply generated for request `req`: status line; the request's Via
// lines (top Via with rport=<src port> replacing an existing rport in place
// or appended at the end of the top via-parm when req.force_rport or the Via
// has rport; received=<src ip> appended at its end when needed — an existing
// received is kept [quirk]), From, Call-ID, CSeq, To (to_tag) and, for
// 180..299, Record-Route, copied as received in the request's order; then
// o.extra_headers, req.reply_lumps, Server, Content-Length, Warning, the
// empty line and o.body.
std::string build_local_reply(Msg& req, int code, std::string_view reason,
                              const LocalReplyOpts& o);

}  // namespace ser::sip
