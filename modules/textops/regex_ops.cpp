// search, search_append, replace, replace_all (modules.md §13).
#include "modules/textops/regex.hpp"
#include "modules/textops/textops.hpp"

#include "ser/log.hpp"
#include "ser/sip/msg.hpp"

namespace ser::mod::textops {

uint32_t headers_start(const sip::Msg& msg) {
    std::string_view fl = msg.first_line();
    uint32_t off = msg.offset_of(fl) + uint32_t(fl.size());
    std::string_view buf = msg.buffer();
    if (off < buf.size() && buf[off] == '\r') ++off;
    if (off < buf.size() && buf[off] == '\n') ++off;
    return off;
}

bool fixup_regex(Module&, CallArg& arg, int index, std::string& error) {
    if (index != 0) return true;   // the second argument is plain text
    std::string why;
    auto& re = arg.make<Regex>();
    if (!re.compile(arg.text, Regex::kSearchFlags, why)) {
        arg.value.reset();
        error = fmt::format("bad re <{}>: {}", arg.text, why);
        return false;
    }
    return true;
}

namespace {

// The range searched by everything but search(): after the first line to
// the end of the message, as SER's get_header() did.
struct Range {
    const char* begin;
    size_t len;
    uint32_t off;   // buffer offset of begin
};

Range after_first_line(const sip::Msg& msg) {
    uint32_t off = headers_start(msg);
    size_t end = msg.length();
    if (off > end) off = uint32_t(end);
    return {msg.data() + off, end - off, off};
}

}  // namespace

int search_f(Module&, sip::Msg& msg, const CallArg* args) {
    // The whole message: first line, headers and body, as received (plus
    // maxfwd's in-place edit).
    const char* s = msg.data() ? msg.data() : "";
    return args[0].as<Regex>().exec(s, msg.length(), 0, nullptr) ? 1 : -1;
}

int search_append_f(Module&, sip::Msg& msg, const CallArg* args) {
    Range r = after_first_line(msg);
    regmatch_t m[1];
    if (!args[0].as<Regex>().exec(r.begin, r.len, 1, m)) return -1;
    msg.lumps.insert(r.off + uint32_t(m[0].rm_eo), args[1].text);
    return 1;
}

int replace_f(Module&, sip::Msg& msg, const CallArg* args) {
    Range r = after_first_line(msg);
    regmatch_t m[1];
    if (!args[0].as<Regex>().exec(r.begin, r.len, 1, m)) return -1;
    msg.lumps.replace(r.off + uint32_t(m[0].rm_so), uint32_t(m[0].rm_eo - m[0].rm_so), args[1].text);
    return 1;
}

int replace_all_f(Module&, sip::Msg& msg, const CallArg* args) {
    Range r = after_first_line(msg);
    const Regex& re = args[0].as<Regex>();
    int ret = -1;
    size_t pos = 0;
    int eflags = 0;   // [quirk] '^' matches at the start of the headers only for the first search
    regmatch_t m[1];
    while (pos < r.len && re.exec(r.begin + pos, r.len - pos, 1, m, eflags)) {
        eflags = REG_NOTBOL;
        uint32_t at = r.off + uint32_t(pos + size_t(m[0].rm_so));
        msg.lumps.replace(at, uint32_t(m[0].rm_eo - m[0].rm_so), args[1].text);
        ret = 1;
        // [fix] the original looped forever on an empty match; stop there.
        if (m[0].rm_eo == m[0].rm_so) break;
        pos += size_t(m[0].rm_eo);
    }
    return ret;
}

}  // namespace ser::mod::textops
