// Header name -> kind lookup. Called for every header line of every message,
// so it hashes (length, first, last char) into a small table instead of
// comparing against every known name.
#include "ser/sip/header.hpp"

#include <array>

#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

namespace {

struct Name {
    std::string_view text;
    HdrType type;
};

constexpr Name kNames[] = {
    {"Via", HdrType::Via},
    {"From", HdrType::From},
    {"To", HdrType::To},
    {"Call-ID", HdrType::CallId},
    {"CSeq", HdrType::CSeq},
    {"Contact", HdrType::Contact},
    {"Max-Forwards", HdrType::MaxForwards},
    {"Route", HdrType::Route},
    {"Record-Route", HdrType::RecordRoute},
    {"Content-Length", HdrType::ContentLength},
    {"Content-Type", HdrType::ContentType},
    {"Authorization", HdrType::Authorization},
    {"Proxy-Authorization", HdrType::ProxyAuthorization},
    {"WWW-Authenticate", HdrType::WwwAuthenticate},
    {"Proxy-Authenticate", HdrType::ProxyAuthenticate},
    {"Expires", HdrType::Expires},
    {"Require", HdrType::Require},
    {"Proxy-Require", HdrType::ProxyRequire},
    {"Supported", HdrType::Supported},
    {"Unsupported", HdrType::Unsupported},
    {"User-Agent", HdrType::UserAgent},
    {"Server", HdrType::Server},
    {"Allow", HdrType::Allow},
    {"Event", HdrType::Event},
    {"Subject", HdrType::Subject},
    {"Accept", HdrType::Accept},
    {"Date", HdrType::Date},
    {"Content-Encoding", HdrType::ContentEncoding},
    {"Allow-Events", HdrType::AllowEvents},
    {"Refer-To", HdrType::ReferTo},
    {"Referred-By", HdrType::ReferredBy},
    {"Session-Expires", HdrType::SessionExpires},
    {"Identity", HdrType::Identity},
    {"Identity-Info", HdrType::IdentityInfo},
    {"Accept-Contact", HdrType::AcceptContact},
    {"Reject-Contact", HdrType::RejectContact},
    {"Request-Disposition", HdrType::RequestDisposition},
    {"Accept-Encoding", HdrType::AcceptEncoding},
    {"Accept-Language", HdrType::AcceptLanguage},
    {"Alert-Info", HdrType::AlertInfo},
    {"Call-Info", HdrType::CallInfo},
    {"Content-Disposition", HdrType::ContentDisposition},
    {"Content-Language", HdrType::ContentLanguage},
    {"Error-Info", HdrType::ErrorInfo},
    {"In-Reply-To", HdrType::InReplyTo},
    {"MIME-Version", HdrType::MimeVersion},
    {"Min-Expires", HdrType::MinExpires},
    {"Organization", HdrType::Organization},
    {"Priority", HdrType::Priority},
    {"Reply-To", HdrType::ReplyTo},
    {"Retry-After", HdrType::RetryAfter},
    {"Timestamp", HdrType::Timestamp},
    {"Warning", HdrType::Warning},
    {"Authentication-Info", HdrType::AuthenticationInfo},
    {"Path", HdrType::Path},
    {"Privacy", HdrType::Privacy},
    {"RAck", HdrType::RAck},
    {"RSeq", HdrType::RSeq},
    {"Replaces", HdrType::Replaces},
    {"P-Asserted-Identity", HdrType::PAssertedIdentity},
    {"P-Preferred-Identity", HdrType::PPreferredIdentity},
    {"Remote-Party-ID", HdrType::RemotePartyId},
};

constexpr size_t kSlots = 512;

constexpr size_t slot_of(size_t len, char first, char last) {
    return (len * 31u + static_cast<unsigned char>(lower(first)) * 7u +
            static_cast<unsigned char>(lower(last)) * 131u) % kSlots;
}

struct Table {
    std::array<int8_t, kSlots> slot{};   // index into kNames + 1, 0 = empty
    constexpr Table() {
        for (size_t i = 0; i < std::size(kNames); ++i) {
            std::string_view t = kNames[i].text;
            size_t h = slot_of(t.size(), t.front(), t.back());
            while (slot[h] != 0) h = (h + 1) % kSlots;
            slot[h] = int8_t(i + 1);
        }
    }
};

constexpr Table kTable{};

// Header names are tokens and the known names are letters and '-': OR-ing
// 0x20 folds case, and no token character folds onto a letter or '-'.
bool same_name(std::string_view a, std::string_view known) {
    if (a.size() != known.size()) return false;
    unsigned diff = 0;
    for (size_t i = 0; i < a.size(); ++i)
        diff |= unsigned(static_cast<unsigned char>(a[i] | 0x20) ^
                         static_cast<unsigned char>(known[i] | 0x20));
    return diff == 0;
}

HdrType compact(char c) {
    switch (lower(c)) {
    case 'v': return HdrType::Via;
    case 'f': return HdrType::From;
    case 't': return HdrType::To;
    case 'i': return HdrType::CallId;
    case 'm': return HdrType::Contact;
    case 'l': return HdrType::ContentLength;
    case 'c': return HdrType::ContentType;
    case 'k': return HdrType::Supported;
    case 's': return HdrType::Subject;
    case 'e': return HdrType::ContentEncoding;
    case 'o': return HdrType::Event;
    case 'u': return HdrType::AllowEvents;
    case 'r': return HdrType::ReferTo;
    case 'b': return HdrType::ReferredBy;
    case 'x': return HdrType::SessionExpires;
    case 'y': return HdrType::Identity;
    case 'n': return HdrType::IdentityInfo;
    case 'a': return HdrType::AcceptContact;
    case 'j': return HdrType::RejectContact;
    case 'd': return HdrType::RequestDisposition;
    default: return HdrType::Other;
    }
}

}  // namespace

HdrType header_type(std::string_view name) {
    if (name.size() == 1) return compact(name[0]);
    if (name.empty() || name.size() > 32) return HdrType::Other;
    size_t h = slot_of(name.size(), name.front(), name.back());
    while (int idx = kTable.slot[h]) {
        const Name& n = kNames[idx - 1];
        if (same_name(name, n.text)) return n.type;
        h = (h + 1) % kSlots;
    }
    return HdrType::Other;
}

std::string_view header_name(HdrType t) {
    for (const Name& n : kNames)
        if (n.type == t) return n.text;
    return {};
}

}  // namespace ser::sip
