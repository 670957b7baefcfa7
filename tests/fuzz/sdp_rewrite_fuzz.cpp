// libFuzzer target: nathelper's SDP planning (fix_nated_sdp and
// force_rtp_proxy's rewrite) over arbitrary bodies. Every edit must lie
// inside the body and no two may overlap; the rewritten text must parse
// again as SDP with the proxy's ports in place.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "modules/nathelper/sdp_rewrite.hpp"

using namespace ser::mod::nathelper;

namespace {

std::string apply_checked(const std::string& text, std::vector<Edit> edits) {
    std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.offset < b.offset; });
    std::string out;
    uint32_t pos = 0;
    for (const auto& e : edits) {
        if (e.offset < pos || uint64_t(e.offset) + e.len > text.size()) abort();
        out.append(text, pos, e.offset - pos);
        out += e.text;
        pos = e.offset + e.len;
    }
    out.append(text, pos);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 1 << 16) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    ser::sip::Sdp sdp;
    if (!ser::sip::parse_sdp_text(text, sdp)) return 0;
    const BodyEnd end{uint32_t(text.size()), !text.empty() && text.back() == '\n'};

    std::vector<Edit> fix;
    if (plan_fix_nated_sdp(sdp, end, 7, "203.0.113.5", fix)) apply_checked(text, fix);

    std::vector<Stream> streams;
    std::string why;
    if (!media_streams(sdp, streams, why)) return 0;
    std::vector<ProxyAnswer> answers(streams.size());
    for (size_t i = 0; i < answers.size(); ++i) {
        answers[i].port = uint16_t(35000 + 2 * i);
        if (i % 2) answers[i].address = "192.0.2.50";
        if (i % 3 == 2) answers[i].address = "2001:db8::1", answers[i].v6 = true;
    }
    std::vector<Edit> rewrite;
    plan_rtp_rewrite(sdp, streams, answers, "127.0.0.1", false, has_nortpproxy(sdp), end, rewrite);
    const std::string out = apply_checked(text, rewrite);
    ser::sip::Sdp again;
    if (!ser::sip::parse_sdp_text(out, again)) abort();
    for (size_t i = 0; i < streams.size(); ++i)
        if (again.media.size() != sdp.media.size() || again.media[streams[i].media].port != answers[i].port) abort();
    return 0;
}
