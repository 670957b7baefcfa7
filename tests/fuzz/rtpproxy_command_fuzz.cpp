// libFuzzer target: the rtpproxy control-command parser, the tag matching
// rules and the reply formatter (rtpproxy/command.hpp, session_match.hpp,
// reply.hpp) on arbitrary bytes, in stream and UDP mode. Besides the
// sanitizers it checks what the daemon relies on: every view points into
// the input, tokens are non-empty and separator-free, replies end in a
// newline and carry the UDP cookie first.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtpproxy/command.hpp"
#include "rtpproxy/reply.hpp"
#include "rtpproxy/session_match.hpp"

using namespace ser::rtpp;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void inside(std::string_view input, std::string_view v) {
    if (v.empty()) return;
    check(v.data() >= input.data() && v.data() + v.size() <= input.data() + input.size());
    for (char c : v) check(c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\0');
}

void check_reply(const std::string& reply, std::string_view cookie) {
    check(!reply.empty() && reply.back() == '\n');
    if (!cookie.empty()) check(reply.compare(0, cookie.size(), cookie) == 0);
}

void one_mode(std::string_view input, bool udp, bool oversized) {
    ParseResult r = parse_command(input, udp, oversized);
    inside(input, r.cookie);
    if (udp) check(r.command || !r.cookie.empty() || r.error == Error::syntax);
    if (!r.command) {
        check_reply(reply_error(r.cookie, r.error), r.cookie);
        return;
    }
    const Command& c = *r.command;
    check(c.cookie == r.cookie);
    for (std::string_view v : {c.call_id, c.addr, c.port, c.from_tag, c.feature, c.prompt, c.codecs}) inside(input, v);
    if (c.to_tag) inside(input, *c.to_tag);
    check(c.stat_count <= Command::kMaxTokens);
    for (size_t i = 0; i < c.stat_count; ++i) inside(input, c.stat_names[i]);
    check(c.mods.iface_count <= 2);
    check(c.play_count >= 0);

    // Matching the command's tags against tags built from the same input.
    TagHit self = match_tags(c.from_tag, c.from_tag, c.to_tag);
    check(c.from_tag.empty() || self.how == TagMatch::exact);
    std::string stream = std::string(c.from_tag) + ";1";
    check(compare_tags(stream, c.from_tag) == TagMatch::stream);
    int side = reply_side(c.verb, self.via_to_tag);
    check(side == 0 || side == 1);

    check_reply(reply_ok(c.cookie), c.cookie);
    check_reply(reply_text(c.cookie, c.feature), c.cookie);
    std::string port = reply_port(c.cookie, static_cast<uint16_t>(c.port.size() * 257), c.addr, c.mods.ipv6);
    check_reply(port, c.cookie);
    if (c.cookie.empty() && c.addr.empty()) check(port.find(' ') == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    for (bool udp : {false, true}) {
        one_mode(input, udp, false);
        one_mode(input, udp, size > 8192);
    }
    return 0;
}
