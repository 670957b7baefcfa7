// Header field kinds and the header index entry of a parsed message.
#pragma once

#include <cstdint>
#include <string_view>

namespace ser::sip {

// Known header names (case-insensitive; compact forms recognised).
enum class HdrType : uint8_t {
    Other,
    Via,                 // v
    From,                // f
    To,                  // t
    CallId,              // i
    CSeq,
    Contact,             // m
    MaxForwards,
    Route,
    RecordRoute,
    ContentLength,       // l
    ContentType,         // c
    Authorization,
    ProxyAuthorization,
    WwwAuthenticate,
    ProxyAuthenticate,
    Expires,
    Require,
    ProxyRequire,
    Supported,           // k
    Unsupported,
    UserAgent,
    Server,
    Allow,
    Event,               // o
    Subject,             // s
    Accept,
    Date,
    ContentEncoding,     // e
    AllowEvents,         // u
    ReferTo,             // r
    ReferredBy,          // b
    SessionExpires,      // x
    Identity,            // y
    IdentityInfo,        // n
    AcceptContact,       // a
    RejectContact,       // j
    RequestDisposition,  // d
    AcceptEncoding,
    AcceptLanguage,
    AlertInfo,
    CallInfo,
    ContentDisposition,
    ContentLanguage,
    ErrorInfo,
    InReplyTo,
    MimeVersion,
    MinExpires,
    Organization,
    Priority,
    ReplyTo,
    RetryAfter,
    Timestamp,
    Warning,
    AuthenticationInfo,
    Path,
    Privacy,
    RAck,
    RSeq,
    Replaces,
    PAssertedIdentity,
    PPreferredIdentity,
    RemotePartyId,
    kCount_              // number of kinds; not a header
};

inline constexpr size_t kHdrTypeCount = static_cast<size_t>(HdrType::kCount_);

// Kind of a header name (long or compact form, any case); Other if unknown.
HdrType header_type(std::string_view name);
// Canonical long name of a kind ("Via", "Call-ID", ...); "" for Other.
std::string_view header_name(HdrType t);

struct HeaderField {
    HdrType type = HdrType::Other;
    std::string_view name;      // as written, without the LWS before ':'
    std::string_view value;     // trimmed; may contain folded CRLF + WS
    uint32_t offset = 0;        // start of the line in the buffer
    uint32_t length = 0;        // whole field incl. folded lines and the line end
};

}  // namespace ser::sip
