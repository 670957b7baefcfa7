// Stream framing: find the end of the headers and the Content-Length
// without building a Msg (the reader does this for every chunk it gets).
#include "ser/sip/framing.hpp"

#include "ser/sip/msg.hpp"
#include "runtime/sip/chars.hpp"

namespace ser::sip {

using namespace detail;

Framing frame_stream_message(std::string_view d, size_t& skip, size_t& len) {
    size_t i = 0;
    while (i < d.size() && (d[i] == '\r' || d[i] == '\n')) ++i;
    skip = i;
    len = 0;
    uint64_t cl = 0;
    bool have_cl = false;
    size_t line = i;
    while (true) {
        size_t nl = d.find('\n', line);
        if (nl == std::string_view::npos)
            return d.size() - i > kMaxMessageSize ? Framing::Invalid : Framing::NeedMore;
        if (nl + 1 - i > kMaxMessageSize) return Framing::Invalid;
        size_t le = nl;
        if (le > line && d[le - 1] == '\r') --le;
        if (le == line) {
            const uint64_t total = uint64_t(nl + 1 - i) + cl;
            if (total > kMaxMessageSize) return Framing::Invalid;
            if (i + total > d.size()) return Framing::NeedMore;
            len = size_t(total);
            return Framing::Complete;
        }
        if (line > i && !is_ws(d[line])) {
            std::string_view l = d.substr(line, le - line);
            size_t colon = l.find(':');
            if (colon != std::string_view::npos) {
                std::string_view name = trim_lws(l.substr(0, colon));
                if (iequals(name, "Content-Length") || iequals(name, "l")) {
                    uint64_t v;
                    if (!parse_u64(trim_lws(l.substr(colon + 1)), kMaxMessageSize, v))
                        return Framing::Invalid;
                    if (have_cl && v != cl) return Framing::Invalid;
                    cl = v;
                    have_cl = true;
                }
            }
        }
        line = nl + 1;
    }
}

}  // namespace ser::sip
