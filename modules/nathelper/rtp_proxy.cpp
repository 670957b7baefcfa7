// fix_nated_sdp, force_rtp_proxy and unforce_rtp_proxy (modules.md §12.5 -
// §12.7, rtpproxy-protocol.md §10): the SDP of a NATed phone, and the
// relay sessions of the RTP proxy that carry its media.
#include <fmt/format.h>

#include "modules/nathelper/nathelper.hpp"
#include "modules/nathelper/sdp_rewrite.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/sdp.hpp"
#include "ser/text.hpp"

namespace ser::mod::nathelper {

namespace {

BodyEnd body_end(const sip::Msg& msg) {
    const std::string_view b = msg.body();
    return {uint32_t(msg.body_offset() + b.size()), !b.empty() && b.back() == '\n'};
}

void apply(sip::Msg& msg, std::vector<Edit>& edits) {
    for (auto& e : edits) {
        if (e.len == 0)
            msg.lumps.insert(e.offset, std::move(e.text));
        else
            msg.lumps.replace(e.offset, e.len, std::move(e.text));
    }
}

std::string_view tag_of(const sip::NameAddr* na) {
    return na && na->tag ? trim_ws(*na->tag) : std::string_view();
}

}  // namespace

bool parse_force_flags(std::string_view text, ForceFlags& out) {
    out = ForceFlags{};
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = ascii_lower(text[i]);
        switch (c) {
        case 'a': out.asymmetric = true; break;
        case 'l': out.lookup_only = true; break;
        case 'f': out.force = true; break;
        case 'r': out.trust_sdp = true; break;
        case 'i':
        case 'e': out.iface += char(c - 'a' + 'A'); break;
        case ' ':
        case '\t': break;
        case 'n': {
            size_t j = i + 1;
            int n = 0;
            while (j < text.size() && text[j] >= '0' && text[j] <= '9' && n < 100000) n = n * 10 + (text[j++] - '0');
            if (j == i + 1) {
                out.invalid = "n without a proxy number";
                return false;
            }
            out.node = n;
            i = j - 1;
            break;
        }
        default:
            out.invalid = fmt::format("unknown option '{}'", text[i]);
            return false;
        }
    }
    return true;
}

int Nathelper::fix_nated_sdp(sip::Msg& msg, unsigned flags) {
    sip::Sdp sdp;
    if (!sip::parse_sdp(msg, sdp)) return -1;
    std::vector<Edit> edits;
    if (!plan_fix_nated_sdp(sdp, body_end(msg), flags, msg.rcv.src_ip.to_string(), edits)) {
        SER_ERR("nathelper: fix_nated_sdp: the c= lines mix address families");
        return -1;
    }
    apply(msg, edits);
    return 1;
}

int Nathelper::force_rtp_proxy(sip::Msg& msg, const ForceFlags& f, std::string_view ip) {
    if (!f.invalid.empty()) {
        SER_ERR("nathelper: force_rtp_proxy: {}", f.invalid);
        return -1;
    }
    if (rtpproxy_disable) return -1;
    char letter;
    if (msg.is_reply())
        letter = 'L';
    else if (msg.method_id() == sip::Method::Invite)
        letter = 'U';
    else
        return -1;
    sip::Sdp sdp;
    if (!sip::parse_sdp(msg, sdp)) return -1;
    const std::string_view callid = trim_ws(msg.call_id());
    std::string_view from_tag = tag_of(msg.from());
    std::string_view to_tag = tag_of(msg.to());
    if (callid.empty() || from_tag.empty()) {
        SER_ERR("nathelper: force_rtp_proxy: no Call-ID or From tag");
        return -1;
    }
    if (f.lookup_only) {
        // A re-INVITE answered by the proxy's existing session (§12.6).
        if (letter != 'U' || to_tag.empty()) return -1;
        letter = 'L';
        std::swap(from_tag, to_tag);
    }
    const bool marked = has_nortpproxy(sdp);
    if (marked && !f.force) return -1;
    std::vector<Stream> streams;
    std::string why;
    if (!media_streams(sdp, streams, why)) {
        SER_ERR("nathelper: force_rtp_proxy: {}", why.empty() ? "bad SDP" : why);
        return -1;
    }
    const std::string src_ip = msg.rcv.src_ip.to_string();
    std::vector<ProxyAnswer> answers(streams.size());
    std::string cmd;
    for (size_t i = 0; i < streams.size(); ++i) {
        const Stream& s = streams[i];
        cmd.clear();
        cmd += letter;
        if (f.asymmetric) cmd += 'A';
        cmd += f.iface;
        if (s.v6) cmd += '6';
        fmt::format_to(std::back_inserter(cmd), " {} {} {} {};{}", callid,
                       f.asymmetric || f.trust_sdp ? s.address : std::string_view(src_ip),
                       sdp.media[s.media].port_text, from_tag, s.number);
        // The To-tag carries the media number too: rtpproxy reads it either
        // way, rtpengine only with it (docs/compatibility.md).
        if (!to_tag.empty()) fmt::format_to(std::back_inserter(cmd), " {};{}", to_tag, s.number);
        auto reply = proxies.send_call(callid, f.node, cmd);
        const size_t kind = letter == 'U' ? kOffer : kAnswer;
        if (!reply) {
            rtpp_failed_[kind].inc();
            SER_DBG("nathelper: force_rtp_proxy: no RTP proxy answered '{}'", cmd);
            return -1;
        }
        if (!parse_proxy_answer(*reply, answers[i])) {
            rtpp_failed_[kind].inc();
            SER_ERR("nathelper: force_rtp_proxy: RTP proxy answered '{}' to '{}'", *reply, cmd);
            return -1;
        }
        rtpp_ok_[kind].inc();
    }
    if (letter == 'U') rtpp_sessions_.inc();
    // Without an address from the proxy: the function's argument, else the
    // address the message came in on.
    std::string fallback(ip);
    if (fallback.empty())
        if (auto* sock = static_cast<const SocketInfo*>(msg.rcv.socket)) fallback = sock->address_text;
    const bool fallback_v6 = fallback.find(':') != std::string::npos;
    std::vector<Edit> edits;
    plan_rtp_rewrite(sdp, streams, answers, fallback, fallback_v6, marked, body_end(msg), edits);
    apply(msg, edits);
    return 1;
}

int Nathelper::unforce_rtp_proxy(sip::Msg& msg, int node) {
    if (rtpproxy_disable) return -1;
    const std::string_view callid = trim_ws(msg.call_id());
    const std::string_view from_tag = tag_of(msg.from());
    const std::string_view to_tag = tag_of(msg.to());
    if (callid.empty() || from_tag.empty()) {
        SER_ERR("nathelper: unforce_rtp_proxy: no Call-ID or From tag");
        return -1;
    }
    std::string cmd = fmt::format("D {} {}", callid, from_tag);
    if (!to_tag.empty()) {
        cmd += ' ';
        cmd += to_tag;
    }
    // The answer (0, or E8 for a session already gone) does not matter.
    if (!proxies.send_call(callid, node, cmd)) {
        rtpp_failed_[kDelete].inc();
        SER_DBG("nathelper: unforce_rtp_proxy: no RTP proxy answered '{}'", cmd);
        return -1;
    }
    rtpp_ok_[kDelete].inc();
    return 1;
}

}  // namespace ser::mod::nathelper
