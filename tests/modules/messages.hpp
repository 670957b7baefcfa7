// The checklist's messages (modules.md, "Conformance checklist"): INV and
// variants, with CRLF line ends and a correct Content-Length.
#pragma once

#include <string>

namespace ser::test {

inline const std::string kInvSdp =
    "v=0\r\n"
    "o=- 1 1 IN IP4 10.0.0.5\r\n"
    "s=-\r\n"
    "c=IN IP4 10.0.0.5\r\n"
    "t=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\n";

// INVITE sip:bob@127.0.0.1:5070 from the UAC. `extra` is inserted after the
// Contact header (each line CRLF-terminated); `to_params` is appended to To.
inline std::string inv(const std::string& extra = "", const std::string& ruri = "sip:bob@127.0.0.1:5070",
                       const std::string& to_params = "", const std::string& branch = "z9hG4bK-1",
                       const std::string& method = "INVITE", const std::string& from = "<sip:alice@example.com>;tag=ft1") {
    const std::string& body = method == "INVITE" ? kInvSdp : std::string();
    std::string m = method + " " + ruri + " SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=" + branch + "\r\n"
                    "From: " + from + "\r\n"
                    "To: <sip:bob@example.com>" + to_params + "\r\n"
                    "Call-ID: c1\r\n"
                    "CSeq: 1 " + method + "\r\n"
                    "Contact: <sip:alice@10.0.0.5:5060>\r\n" + extra;
    if (!body.empty()) m += "Content-Type: application/sdp\r\n";
    m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return m;
}

// The ACK for a non-2xx final reply to inv(): same branch, To with `to_tag`.
inline std::string ack(const std::string& to_tag, const std::string& branch = "z9hG4bK-1") {
    return "ACK sip:bob@127.0.0.1:5070 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=" + branch + "\r\n"
           "From: <sip:alice@example.com>;tag=ft1\r\n"
           "To: <sip:bob@example.com>;tag=" + to_tag + "\r\n"
           "Call-ID: c1\r\n"
           "CSeq: 1 ACK\r\n"
           "Content-Length: 0\r\n\r\n";
}

}  // namespace ser::test
