// append_hf, append_urihf, remove_hf, is_present_hf (modules.md §13).
#include "modules/textops/textops.hpp"

#include <strings.h>

#include "ser/sip/msg.hpp"

namespace ser::mod::textops {

namespace {

// Exact name comparison ignoring case, same length: "Contact" does not
// match the compact "m" (§13).
bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

int append_hf_f(Module&, sip::Msg& msg, const CallArg* args) {
    // Verbatim before the empty line; the script supplies the CRLF.
    msg.lumps.insert(msg.headers_end(), args[0].text);
    return 1;
}

int append_urihf_f(Module&, sip::Msg& msg, const CallArg* args) {
    // The original Request-URI, whatever the script rewrote (checklist 140).
    std::string text = args[0].text;
    text += msg.ruri();
    text += args[1].text;
    msg.lumps.insert(msg.headers_end(), std::move(text));
    return 1;
}

int remove_hf_f(Module&, sip::Msg& msg, const CallArg* args) {
    int count = 0;
    for (const auto& h : msg.headers()) {
        if (!same_name(h.name, args[0].text)) continue;
        msg.lumps.remove(h.offset, h.length);
        ++count;
    }
    return count ? 1 : -1;
}

int is_present_hf_f(Module&, sip::Msg& msg, const CallArg* args) {
    for (const auto& h : msg.headers())
        if (same_name(h.name, args[0].text)) return 1;
    return -1;
}

}  // namespace ser::mod::textops
