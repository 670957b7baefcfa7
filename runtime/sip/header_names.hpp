// Header name -> kind classification, inline for the header scanner (one
// call per header line of every message). Internal to runtime/sip.
#pragma once

#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>

#include "ser/sip/header.hpp"
#include "ser/text.hpp"

namespace ser::sip::detail {

struct Name {
    std::string_view text;
    HdrType type;
};

inline constexpr Name kNames[] = {
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

// Known names bucketed by (length, first letter): a lookup compares at most
// a few candidates of the right length. The candidates' text is stored inline
// (no pointer to follow) and zero-padded for word loads.
inline constexpr size_t kMaxNameLen = 20;   // longest known name ("P-Preferred-Identity")
inline constexpr size_t kPerBucket = 3;     // most names sharing a length and first letter

struct KnownName {
    char text[24];
    HdrType type;
};

struct NameTable {
    KnownName known[std::size(kNames)]{};
    uint8_t idx[kMaxNameLen + 1][26][kPerBucket]{};   // index into known + 1, 0 = none
    constexpr NameTable() {
        for (size_t i = 0; i < std::size(kNames); ++i) {
            std::string_view t = kNames[i].text;
            for (size_t k = 0; k < t.size(); ++k) known[i].text[k] = t[k];
            known[i].type = kNames[i].type;
            auto& b = idx[t.size()][(t.front() | 0x20) - 'a'];
            size_t k = 0;
            while (b[k] != 0) ++k;   // a full bucket fails constant evaluation
            b[k] = uint8_t(i + 1);
        }
    }
};

inline constexpr NameTable kNameTable{};

// Header names are tokens and the known names are letters and '-': OR-ing
// 0x20 folds case, and no token character folds onto a letter or '-'. So two
// bytes match when they differ in bit 0x20 at most; compared a word at a time
// (overlapping loads cover the tail). Both have n >= sizeof(T) bytes.
template <class T> inline T load_word(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <class T> inline bool words_match(const char* a, const char* k, size_t n) {
    constexpr T kFold = T(T(~T(0)) / 0xFF * 0xDF);   // ~0x20 in every byte (no int promotion)
    static_assert(kFold == T(0xDFDFDFDFDFDFDFDFull));
    size_t i = 0;
    for (; i + sizeof(T) < n; i += sizeof(T))
        if ((load_word<T>(a + i) ^ load_word<T>(k + i)) & kFold) return false;
    i = n - sizeof(T);
    return !((load_word<T>(a + i) ^ load_word<T>(k + i)) & kFold);
}

// `a` and `known` both n >= 2 bytes long.
inline bool same_name(const char* a, const char* known, size_t n) {
    if (n >= 8) return words_match<uint64_t>(a, known, n);
    if (n >= 4) return words_match<uint32_t>(a, known, n);
    return words_match<uint16_t>(a, known, n);
}

inline HdrType compact(char c) {
    switch (ascii_lower(c)) {
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

// Kind of the header name p[0, n) (see header_type()).
inline HdrType classify_header(const char* p, size_t n) {
    if (n == 1) return compact(p[0]);
    if (n == 0 || n > kMaxNameLen) return HdrType::Other;
    const unsigned c = unsigned(static_cast<unsigned char>(p[0]) | 0x20) - 'a';
    if (c >= 26) return HdrType::Other;
    for (uint8_t i : kNameTable.idx[n][c]) {
        if (i == 0) break;
        const KnownName& k = kNameTable.known[i - 1];
        if (same_name(p, k.text, n)) return k.type;
    }
    return HdrType::Other;
}

}  // namespace ser::sip::detail
