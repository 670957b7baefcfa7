// SDP edits of fix_nated_sdp and force_rtp_proxy (modules.md §12.5, §12.6).
#include "modules/nathelper/sdp_rewrite.hpp"

#include <algorithm>
#include <charconv>

#include "ser/text.hpp"

namespace ser::mod::nathelper {

namespace {

uint32_t offset_in(const sip::SdpConnection& c, std::string_view part) {
    return c.address_offset + uint32_t(part.data() - c.address.data());
}

// Offset of the addr_type token ("IP4") of a c= line: it precedes the address.
uint32_t addr_type_offset(const sip::SdpConnection& c) {
    return c.address_offset - uint32_t(c.address.data() - c.addr_type.data());
}

bool is_v6(const sip::SdpConnection& c) { return iequals(c.addr_type, "IP6"); }

}  // namespace

void append_line(const BodyEnd& end, std::string_view line, std::vector<Edit>& out) {
    std::string t;
    if (!end.ends_with_newline) t += "\r\n";
    t += line;
    t += "\r\n";
    out.push_back({end.offset, 0, std::move(t)});
}

std::string_view connection_address(const sip::SdpConnection& c) {
    return c.address.substr(0, c.address.find('/'));
}

bool is_null_address(std::string_view addr, bool v6) {
    if (!v6) return addr == "0.0.0.0";
    if (addr.empty()) return false;
    for (char ch : addr)
        if (ch != '0' && ch != ':') return false;
    return true;
}

bool has_nortpproxy(const sip::Sdp& sdp) {
    for (const auto& l : sdp.lines)
        if (l.type == 'a' && l.value.substr(0, 14) == "nortpproxy:yes")
            return true;
    return false;
}

bool plan_fix_nated_sdp(const sip::Sdp& sdp, const BodyEnd& end, unsigned flags, std::string_view src_ip,
                        std::vector<Edit>& out) {
    std::vector<const sip::SdpConnection*> conns;
    if (sdp.connection) conns.push_back(&*sdp.connection);
    for (const auto& m : sdp.media)
        if (m.connection) conns.push_back(&*m.connection);
    std::sort(conns.begin(), conns.end(), [](auto* a, auto* b) { return a->line < b->line; });
    if (flags & 2) {
        for (const auto* c : conns)
            if (!iequals(c->addr_type, conns.front()->addr_type)) return false;
    }
    if (flags & 1) append_line(end, "a=direction:active", out);
    if ((flags & 2) && !conns.empty() && iequals(conns.front()->addr_type, "IP4")) {
        std::string_view first_old;
        for (const auto* c : conns) {
            std::string_view a = connection_address(*c);
            if (a == "0.0.0.0" || a == src_ip) continue;
            if (first_old.empty()) first_old = a;
            out.push_back({offset_in(*c, a), uint32_t(a.size()), std::string(src_ip)});
        }
        if (!first_old.empty()) append_line(end, "a=oldmediaip:" + std::string(first_old), out);
    }
    if ((flags & 4) && !has_nortpproxy(sdp)) append_line(end, "a=nortpproxy:yes", out);
    return true;
}

bool media_streams(const sip::Sdp& sdp, std::vector<Stream>& out, std::string& why) {
    out.clear();
    for (size_t i = 0; i < sdp.media.size(); ++i) {
        const sip::SdpMedia& m = sdp.media[i];
        const unsigned number = unsigned(i + 1);
        const sip::SdpConnection* c = sdp.connection_for(i);
        if (!c) {
            why = "a medium has no c= line";
            return false;
        }
        if (!iequals(c->net_type, "IN") || (!iequals(c->addr_type, "IP4") && !iequals(c->addr_type, "IP6"))) {
            why = "a c= line is not IN IP4 or IN IP6";
            return false;
        }
        if (!iequals(m.proto, "RTP/AVP") && !iequals(m.proto, "udp") && !iequals(m.proto, "udptl")) {
            why = "a medium's transport is not RTP/AVP, udp or udptl";
            return false;
        }
        if (m.port == 0) continue;
        out.push_back({number, i, c, connection_address(*c), is_v6(*c)});
    }
    if (out.empty()) {
        why = "no medium to relay";
        return false;
    }
    return true;
}

bool parse_proxy_answer(std::string_view reply, ProxyAnswer& out) {
    out = ProxyAnswer{};
    std::string_view tok[3];
    size_t n = 0, pos = 0;
    while (n < 3 && pos < reply.size()) {
        while (pos < reply.size() && (reply[pos] == ' ' || reply[pos] == '\t' || reply[pos] == '\r' ||
                                      reply[pos] == '\n'))
            ++pos;
        size_t start = pos;
        while (pos < reply.size() && reply[pos] != ' ' && reply[pos] != '\t' && reply[pos] != '\r' &&
               reply[pos] != '\n')
            ++pos;
        if (pos > start) tok[n++] = reply.substr(start, pos - start);
    }
    if (n == 0) return false;
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(tok[0].data(), tok[0].data() + tok[0].size(), port);
    if (ec != std::errc() || ptr != tok[0].data() + tok[0].size() || port == 0 || port > 65535) return false;
    out.port = uint16_t(port);
    if (n > 1) out.address = std::string(tok[1]);
    out.v6 = n > 2 && tok[2].front() == '6';
    return true;
}

void plan_rtp_rewrite(const sip::Sdp& sdp, const std::vector<Stream>& streams,
                      const std::vector<ProxyAnswer>& answers, std::string_view fallback, bool fallback_v6,
                      bool marked, const BodyEnd& end, std::vector<Edit>& out) {
    std::vector<uint32_t> done;   // c= lines already rewritten
    for (size_t i = 0; i < streams.size() && i < answers.size(); ++i) {
        const Stream& s = streams[i];
        const ProxyAnswer& a = answers[i];
        const sip::SdpMedia& m = sdp.media[s.media];
        out.push_back({m.port_offset, uint32_t(m.port_text.size()), std::to_string(a.port)});
        if (std::find(done.begin(), done.end(), s.conn->line) != done.end()) continue;
        done.push_back(s.conn->line);
        const bool new_v6 = a.address.empty() ? fallback_v6 : a.v6;
        std::string addr;
        if (is_null_address(s.address, s.v6))
            addr = new_v6 ? "::" : "0.0.0.0";   // call hold stays on hold
        else
            addr = a.address.empty() ? std::string(fallback) : a.address;
        if (new_v6 != s.v6)
            out.push_back({addr_type_offset(*s.conn), uint32_t(s.conn->addr_type.size()), new_v6 ? "IP6" : "IP4"});
        out.push_back({offset_in(*s.conn, s.address), uint32_t(s.address.size()), std::move(addr)});
    }
    if (!marked) append_line(end, "a=nortpproxy:yes", out);
}

}  // namespace ser::mod::nathelper
