// Msg: one-pass scan of the header boundaries and the checks a proxy makes
// before routing. Individual headers are parsed in msg_access.cpp.
#include "ser/sip/msg.hpp"

#include <cstdint>
#include <cstring>

#include "runtime/sip/chars.hpp"
#include "runtime/sip/header_names.hpp"

namespace ser::sip {

using namespace detail;

Msg::Msg() { headers_.reserve(32); }
Msg::~Msg() = default;
Msg::Msg(Msg&&) noexcept = default;
Msg& Msg::operator=(Msg&&) noexcept = default;

bool Msg::fail(const char* why, int status) {
    err_ = why;
    err_status_ = is_request_ ? status : 0;
    ok_ = false;
    return false;
}

void Msg::clear_parse_state() {
    buf_ = nullptr;
    len_ = recv_len_ = start_ = hdr_end_ = body_off_ = 0;
    ok_ = is_request_ = eoh_ = bad_version_ = false;
    method_id_ = Method::Other;
    status_ = 0;
    err_ = "";
    err_status_ = 0;
    first_line_ = method_ = ruri_ = version_ = status_text_ = reason_ = {};
    headers_.clear();
    zero_bytes<sizeof first_>(first_.data());
    via1_state_ = via2_state_ = to_state_ = from_state_ = cseq_state_ = uri_state_ = kUnparsed;
    uri_src_ = nullptr;
    uri_src_len_ = 0;
    cl_.reset();
    cleared_ = true;
}

void Msg::reset() {
    clear_parse_state();
    own_.reset();
    flags = 0;
    new_uri.clear();
    dst_uri.clear();
    branches.clear();
    force_rport = false;
    adv_address.clear();
    adv_port = 0;
    force_socket = nullptr;
    lumps.clear();
    reply_lumps.clear();
    avps.clear();
    rcv = RecvInfo{};
    route_kind = RouteKind::Request;
    slots.fill(nullptr);
}

namespace {

// Headers that may appear once and hold one value (RFC 3261 §7.3.1;
// RFC 4475 multi01, mcl01).
bool single_valued(HdrType t) {
    switch (t) {
    case HdrType::To:
    case HdrType::From:
    case HdrType::CallId:
    case HdrType::CSeq:
    case HdrType::MaxForwards:
    case HdrType::ContentLength:
        return true;
    default:
        return false;
    }
}

}  // namespace

bool Msg::parse(char* buf, size_t len) {
    // reset() has usually just cleared everything; only the lazily parsed
    // caches may have been touched since (const accessors).
    if (cleared_) {
        via1_state_ = via2_state_ = to_state_ = from_state_ = cseq_state_ = uri_state_ = kUnparsed;
        uri_src_ = nullptr;
        uri_src_len_ = 0;
    } else {
        clear_parse_state();
    }
    cleared_ = false;
    if (own_ && own_.get() != buf) own_.reset();
    buf_ = buf;
    recv_len_ = uint32_t(len > kMaxMessageSize ? 0 : len);
    len_ = recv_len_;
    if (!buf || len == 0) return fail("empty message", 0);
    if (len > kMaxMessageSize) return fail("message too large", 0);
    const char* p = buf;
    const char* end = buf + len;
    if (!parse_first_line(p, end)) return false;
    if (!scan_headers(p, end)) return false;
    return check_headers();
}

bool Msg::scan_headers(const char* p, const char* end) {
    HeaderField* cur = nullptr;
    const char* vb = nullptr;   // value begin (after ':')
    const char* ve = nullptr;   // end of the value's last line content
    auto finish = [&] {
        if (cur) cur->value = trim_lws(std::string_view(vb, size_t(ve - vb)));
    };
    while (true) {
        if (p >= end) {
            finish();
            return fail("truncated message: no end of headers", 400);
        }
        const char* nl = find_nl(p, end);
        if (!nl) {
            finish();
            return fail("truncated header line", 400);
        }
        const char* le = nl;
        if (le > p && le[-1] == '\r') --le;
        if (le == p) {
            finish();
            hdr_end_ = uint32_t(p - buf_);
            body_off_ = uint32_t(nl + 1 - buf_);
            eoh_ = true;
            return true;
        }
        if (*p == ' ' || *p == '\t') {
            // folded continuation of the previous field
            if (!cur) return fail("continuation line without header", 400);
            cur->length = uint32_t(nl + 1 - (buf_ + cur->offset));
            ve = le;
            p = nl + 1;
            continue;
        }
        finish();
        if (headers_.size() >= kMaxHeaders) return fail("too many header fields", 400);
        const char* n = p;
        while (n < le && is_token(*n)) ++n;
        if (n == p) return fail("bad header name", 400);
        const char* q = n;
        while (q < le && is_ws(*q)) ++q;
        if (q >= le || *q != ':') return fail("missing ':' after header name", 400);
        const std::string_view name(p, size_t(n - p));
        const HdrType type = classify_header(p, name.size());
        const size_t index = headers_.size();
        // Built in place: assembling a HeaderField on the stack and copying
        // it in costs a store-forwarding stall per header line.
        HeaderField& h = headers_.emplace_back();
        h.type = type;
        h.name = name;
        h.offset = uint32_t(p - buf_);
        h.length = uint32_t(nl + 1 - p);
        auto ti = static_cast<size_t>(type);
        if (first_[ti] == 0) {
            first_[ti] = int16_t(index + 1);
        } else if (single_valued(type)) {
            h.value = trim_lws(std::string_view(q + 1, size_t(le - q - 1)));
            cur = nullptr;
            return fail("duplicate single-valued header", 400);
        }
        cur = &h;
        vb = q + 1;
        ve = le;
        p = nl + 1;
    }
}

bool Msg::check_headers() {
    if (const HeaderField* h = header(HdrType::ContentLength)) {
        uint64_t n;
        if (!parse_u64(h->value, 0xFFFFFFFFu, n))
            return fail("bad Content-Length", 400);   // RFC 4475 ncl
        // Over UDP octets beyond Content-Length are ignored (dblreq); fewer
        // octets than announced make the message unusable (clerr).
        if (uint64_t(body_off_) + n > recv_len_)
            return fail("Content-Length larger than message", 400);
        cl_ = uint32_t(n);
        len_ = uint32_t(body_off_ + n);
    }
    if (!via1()) return fail("bad or missing top Via", 400);
    if (bad_version_) return fail("SIP version not supported", 505);
    if (is_request_) {
        if (!header(HdrType::From) || !header(HdrType::To) || !header(HdrType::CallId) ||
            !header(HdrType::CSeq))
            return fail("missing required header (From, To, Call-ID or CSeq)", 400);
    }
    if (header(HdrType::CSeq)) {
        const CSeq* cs = cseq();
        if (!cs) return fail("bad CSeq", 400);
        if (is_request_ && cs->method != method_)
            return fail("CSeq method does not match request method", 400);
    }
    if (header(HdrType::To) && !to()) return fail("bad To header", 400);
    if (header(HdrType::From) && !from()) return fail("bad From header", 400);
    if (const HeaderField* h = header(HdrType::CallId)) {
        std::string_view v = h->value;
        if (v.empty()) return fail("empty Call-ID", 400);
        bool bad = false;
        for (char c : v) bad |= has2(c, kBadCallId);
        if (bad) return fail("bad Call-ID", 400);
    }
    // A non-numeric Max-Forwards is not rejected here: SER's maxfwd lets it
    // through unchanged (modules.md §5.2, checklist 13).
    ok_ = true;
    err_ = "";
    err_status_ = 0;
    return true;
}

void Msg::adopt_scan(const Msg& src, char* buf, size_t len) {
    // Every view of the scan points into src's buffer: the same offset in ours.
    const auto from = reinterpret_cast<uintptr_t>(src.buf_);
    auto moved = [&](std::string_view v) {
        const auto at = reinterpret_cast<uintptr_t>(v.data());
        if (at < from || at > from + src.len_) return v;   // not in the buffer (an empty view)
        return std::string_view(buf + (at - from), v.size());
    };
    cleared_ = false;
    buf_ = buf;
    recv_len_ = len_ = uint32_t(len);
    start_ = src.start_;
    hdr_end_ = src.hdr_end_;
    body_off_ = src.body_off_;
    is_request_ = src.is_request_;
    eoh_ = src.eoh_;
    bad_version_ = src.bad_version_;
    method_id_ = src.method_id_;
    status_ = src.status_;
    first_line_ = moved(src.first_line_);
    method_ = moved(src.method_);
    ruri_ = moved(src.ruri_);
    version_ = moved(src.version_);
    status_text_ = moved(src.status_text_);
    reason_ = moved(src.reason_);
    headers_ = src.headers_;
    for (HeaderField& h : headers_) {
        h.name = moved(h.name);
        h.value = moved(h.value);
    }
    first_ = src.first_;
    // The parsed headers too (flat views and buffer offsets, which stay):
    // check_headers() below then finds them instead of parsing again.
    auto moved_opt = [&](const std::optional<std::string_view>& v) {
        return v ? std::optional<std::string_view>(moved(*v)) : std::nullopt;
    };
    auto take_via = [&](State st, const ViaBody& v, State& my_st, ViaBody& mine) {
        my_st = st;
        if (st != kOk) return;
        mine = v;
        mine.proto_name = moved(v.proto_name);
        mine.version = moved(v.version);
        mine.transport = moved(v.transport);
        mine.host = moved(v.host);
        mine.port_text = moved(v.port_text);
        mine.params = moved(v.params);
        mine.branch = moved_opt(v.branch);
        mine.received = moved_opt(v.received);
        mine.rport = moved_opt(v.rport);
        mine.i = moved_opt(v.i);
        mine.alias = moved_opt(v.alias);
    };
    auto take_addr = [&](State st, const NameAddr& a, State& my_st, NameAddr& mine) {
        my_st = st;
        if (st != kOk) return;
        mine = a;
        mine.display = moved(a.display);
        mine.uri = moved(a.uri);
        mine.params = moved(a.params);
        mine.tag = moved_opt(a.tag);
    };
    take_via(src.via1_state_, src.via1_, via1_state_, via1_);
    take_via(src.via2_state_, src.via2_, via2_state_, via2_);
    take_addr(src.to_state_, src.to_, to_state_, to_);
    take_addr(src.from_state_, src.from_, from_state_, from_);
    cseq_state_ = src.cseq_state_;
    if (cseq_state_ == kOk) {
        cseq_ = src.cseq_;
        cseq_.number = moved(src.cseq_.number);
        cseq_.method = moved(src.cseq_.method);
    }
    // The Request-URI's parse when src's cache still holds it (it may hold
    // a new URI's, which lives outside the buffer: then parsed again).
    uri_state_ = kUnparsed;
    uri_src_ = nullptr;
    uri_src_len_ = 0;
    if (const Uri* u = src.cached_ruri()) {
        uri_ = *u;
        for (std::string_view* v : {&uri_.scheme_text, &uri_.user, &uri_.password, &uri_.host, &uri_.port_text,
                                    &uri_.params, &uri_.headers, &uri_.opaque})
            *v = moved(*v);
        uri_state_ = kOk;
        uri_src_ = ruri_.data();
        uri_src_len_ = ruri_.size();
    }
    check_headers();
}

std::unique_ptr<Msg> Msg::clone() const {
    auto m = std::make_unique<Msg>();
    const size_t n = len_;
    auto own = std::make_unique<char[]>(n + 1);
    if (n) std::memcpy(own.get(), buf_, n);
    own[n] = 0;
    char* b = own.get();
    m->own_ = std::move(own);
    m->rcv = rcv;
    // A message that parsed keeps its scan (first line and header
    // boundaries, moved to the copy): only check_headers() runs again, to
    // fill the clone's own caches. Anything else is parsed from scratch.
    if (ok_) m->adopt_scan(*this, b, n);
    else m->parse(b, n);
    m->flags = flags;
    m->new_uri = new_uri;
    m->dst_uri = dst_uri;
    m->branches = branches;
    m->force_rport = force_rport;
    m->adv_address = adv_address;
    m->adv_port = adv_port;
    m->force_socket = force_socket;
    m->lumps = lumps;
    m->reply_lumps = reply_lumps;
    m->avps = avps;
    return m;
}

}  // namespace ser::sip
