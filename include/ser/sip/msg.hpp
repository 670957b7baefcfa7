// sip::Msg — a zero-copy view over one received SIP message.
//
// The caller owns the buffer for the message's lifetime (clone() makes an
// owning copy). parse() finds the first line and all header boundaries in
// one pass, parses the top Via and checks what a proxy must check before
// routing (RFC 4475; see tests/sip/rfc4475_test.cpp for each verdict).
// Other headers are parsed on demand and cached. A worker reuses one Msg:
// reset()/parse() keep the capacity of the header vector.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ser/ip.hpp"
#include "ser/route.hpp"
#include "ser/sip/avp.hpp"
#include "ser/sip/cseq.hpp"
#include "ser/sip/header.hpp"
#include "ser/sip/lump.hpp"
#include "ser/sip/name_addr.hpp"
#include "ser/sip/uri.hpp"
#include "ser/sip/via.hpp"

namespace ser::sip {

// Largest message accepted. A datagram cannot exceed 65535 bytes; over TCP
// larger ones are parsed so that the script's `msg:len > max_len` check
// (max_len = 65535, SER's BUF_SIZE) can answer them with 513.
inline constexpr size_t kMaxMessageSize = 256 * 1024;
// More header fields than this is treated as an attack, not a message.
inline constexpr size_t kMaxHeaders = 1024;

// Where a message came from (SER's receive_info).
struct RecvInfo {
    int proto = 1;                 // 1 UDP, 2 TCP, 3 TLS
    IpAddr src_ip, dst_ip;
    uint16_t src_port = 0, dst_port = 0;
    const void* socket = nullptr;  // the receiving socket (transport layer's type)
    uint64_t conn_id = 0;          // TCP/TLS connection id
};

class Msg {
public:
    enum class ParseResult { Ok, Invalid };

    Msg();
    ~Msg();
    Msg(Msg&&) noexcept;
    Msg& operator=(Msg&&) noexcept;
    Msg(const Msg&) = delete;
    Msg& operator=(const Msg&) = delete;

    // Parses buf[0, len). Does not touch the routing state below (the
    // transport may fill `rcv` first); call reset() between messages. The buffer must stay valid and unchanged (except
    // through data()) while the message is used. On failure error() tells why
    // and error_status() suggests a reply code for requests (400, or 505 for
    // an unsupported SIP version; 0 for responses and unidentifiable input).
    // After a failure the headers found so far stay accessible, so a caller
    // may still answer a request whose Via/From/To/Call-ID/CSeq are readable.
    bool parse(char* buf, size_t len);
    ParseResult parse_result() const { return ok_ ? ParseResult::Ok : ParseResult::Invalid; }
    // Clears parse results and per-message routing state; keeps capacity.
    void reset();

    const char* error() const { return err_; }
    int error_status() const { return err_status_; }

    // ---- first line
    bool is_request() const { return is_request_; }
    bool is_reply() const { return !is_request_; }
    std::string_view method() const { return method_; }
    Method method_id() const { return method_id_; }
    std::string_view ruri() const { return ruri_; }          // original Request-URI
    uint32_t ruri_offset() const { return offset_of(ruri_); }
    std::string_view version() const { return version_; }
    int status() const { return status_; }
    std::string_view status_text() const { return status_text_; }   // the 3 digits
    std::string_view reason() const { return reason_; }
    std::string_view first_line() const { return first_line_; }    // without line end
    uint32_t start_offset() const { return start_; }   // after skipped leading CRLFs

    // ---- header index
    const std::vector<HeaderField>& headers() const { return headers_; }
    const HeaderField* header(HdrType t) const {           // first of that kind
        const int16_t i = first_[static_cast<size_t>(t)];
        return i ? headers_.data() + (i - 1) : nullptr;
    }
    const HeaderField* next_header(const HeaderField* after) const;   // next of the same kind
    // By name: known names (long or compact) match by kind, others by
    // case-insensitive name.
    const HeaderField* header(std::string_view name) const;
    size_t header_count(HdrType t) const;

    // ---- buffer
    std::string_view body() const;
    uint32_t body_offset() const { return body_off_; }
    uint32_t headers_end() const { return hdr_end_; }   // offset of the empty line
    std::string_view buffer() const { return {buf_, len_}; }
    char* data() { return buf_; }
    const char* data() const { return buf_; }
    size_t length() const { return len_; }     // the message as delimited (no trailing octets)
    size_t received_length() const { return recv_len_; }   // bytes given to parse()
    // Offset of a view into this message's buffer.
    uint32_t offset_of(std::string_view v) const {
        return v.data() ? uint32_t(v.data() - buf_) : 0;
    }

    // ---- lazily parsed headers (cached; nullptr / nullopt when absent or bad)
    const ViaBody* via1() const;
    const ViaBody* via2() const;
    size_t via_count() const;                  // all via-parms of all Via lines
    // Every via-parm in order (parses all Via headers; allocates).
    bool vias(std::vector<ViaBody>& out) const;
    const NameAddr* to() const;
    const NameAddr* from() const;
    const CSeq* cseq() const;
    std::string_view call_id() const;          // "" when absent
    std::optional<uint32_t> content_length() const;
    std::optional<int> max_forwards_raw() const;
    // Parsed Contact entries of all Contact headers (false on a syntax error).
    bool contacts(std::vector<NameAddr>& out) const;

    // ---- per-message routing state (SER keeps these in sip_msg)
    uint32_t flags = 0;
    std::string new_uri;
    std::string dst_uri;
    struct Branch {
        std::string uri, dst_uri;
        int q = -1;
    };
    std::vector<Branch> branches;
    bool force_rport = false;
    std::string adv_address;
    uint16_t adv_port = 0;
    const void* force_socket = nullptr;
    Lumps lumps;
    std::vector<std::string> reply_lumps;
    Avps avps;   // ser/sip/avp.hpp; kept with the transaction by tm
    RecvInfo rcv;

    // ---- per-call context (what a module function sees besides the message)
    // The kind of route block running on this message (set by the engine).
    RouteKind route_kind = RouteKind::Request;
    // Module state bound to this message for one script run, e.g. tm's
    // transaction (slot numbers come from Core::allocate_msg_slot()).
    // reset() clears them; clone() does not copy them.
    static constexpr size_t kSlots = 8;
    std::array<void*, kSlots> slots{};

    // new_uri if set, else the original Request-URI.
    std::string_view current_uri() const {
        return new_uri.empty() ? ruri_ : std::string_view(new_uri);
    }
    // Cached parse of current_uri(); call uri_changed() after setting new_uri
    // (a changed location or length of the current URI is also noticed).
    const Uri* parsed_uri() const;
    void uri_changed() { uri_state_ = kUnparsed; }
    // The original Request-URI's parse, made with the first line, while the
    // cache still holds it (no new_uri was parsed into it since); null
    // otherwise. Never parses, so it is safe on a shared message too.
    const Uri* cached_ruri() const {
        return uri_state_ == kOk && uri_src_ == ruri_.data() && uri_src_len_ == ruri_.size() ? &uri_ : nullptr;
    }

    // Deep copy with its own buffer (tm stores requests); routing state copied.
    std::unique_ptr<Msg> clone() const;

    // Parses every lazily parsed header the core and tm read (Vias, To,
    // From, CSeq, Call-ID, Content-Length, the current URI), so that a
    // message shared between threads is only read afterwards: after
    // freeze() the const accessors above write nothing. False when one of
    // them does not parse (the message stays usable).
    bool freeze() const;

private:
    enum State : uint8_t { kUnparsed, kOk, kBad };

    bool fail(const char* why, int status);
    void clear_parse_state();
    bool parse_first_line(const char*& p, const char* end);
    bool scan_headers(const char* p, const char* end);
    bool check_request_line(std::string_view line);
    bool check_headers();
    // clone(): takes over the scan of `src` (which parsed) for `buf`, a copy
    // of its first `len` bytes.
    void adopt_scan(const Msg& src, char* buf, size_t len);

    char* buf_ = nullptr;
    uint32_t len_ = 0;
    uint32_t recv_len_ = 0;
    uint32_t start_ = 0;
    uint32_t hdr_end_ = 0;
    uint32_t body_off_ = 0;
    bool ok_ = false;
    bool is_request_ = false;
    bool eoh_ = false;
    Method method_id_ = Method::Other;
    int status_ = 0;
    const char* err_ = "";
    int err_status_ = 0;
    std::string_view first_line_, method_, ruri_, version_, status_text_, reason_;
    std::vector<HeaderField> headers_;
    std::array<int16_t, kHdrTypeCount> first_{};   // index+1 of the first header per kind

    mutable State via1_state_ = kUnparsed, via2_state_ = kUnparsed, to_state_ = kUnparsed,
                  from_state_ = kUnparsed, cseq_state_ = kUnparsed, uri_state_ = kUnparsed;
    mutable ViaBody via1_, via2_;
    mutable NameAddr to_, from_;
    mutable CSeq cseq_;
    mutable Uri uri_;
    mutable const char* uri_src_ = nullptr;   // current_uri().data() when uri_ was parsed
    mutable size_t uri_src_len_ = 0;
    bool bad_version_ = false;
    bool cleared_ = false;   // parse state untouched since clear_parse_state() (but the lazy caches)
    std::optional<uint32_t> cl_;
    std::unique_ptr<char[]> own_;   // clones own their buffer
};

}  // namespace ser::sip
