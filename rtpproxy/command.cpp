#include "rtpproxy/command.hpp"

#include <climits>

namespace ser::rtpp {

namespace {

bool is_separator(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The U/L/D letters (§3.8). Returns false on a third i/e letter (E1).
bool decode_modifiers(std::string_view letters, Modifiers& m) {
    for (size_t i = 0; i < letters.size(); ++i) {
        char c = letters[i];
        switch (lower(c)) {
        case 'a': m.asymmetric = true; break;
        case 's': m.asymmetric = false; break;
        case 'i':
        case 'e':
            if (m.iface_count >= 2) return false;
            // The first letter fills slot 1, the second slot 0 (§3.8).
            m.iface[1 - m.iface_count] = lower(c) == 'e' ? 1 : 0;
            ++m.iface_count;
            break;
        case '6': m.ipv6 = true; break;
        case 'w': m.weak = true; break;
        case 'z':   // [later] z<ms> repacketise: its digits are no '6' modifier
            while (i + 1 < letters.size() && is_digit(letters[i + 1])) ++i;
            break;
        case 'c':   // [later] c<codec,...>: likewise
            while (i + 1 < letters.size() && (is_digit(letters[i + 1]) || letters[i + 1] == ',')) ++i;
            break;
        default:
            if (m.first_unknown == 0) m.first_unknown = c;
            break;
        }
    }
    return true;
}

// atoi() of the P modifiers: leading digits, 0 when there are none.
int leading_count(std::string_view s) {
    long v = 0;
    for (char c : s) {
        if (!is_digit(c)) break;
        v = v * 10 + (c - '0');
        if (v > INT_MAX) return INT_MAX;
    }
    return static_cast<int>(v);
}

ParseResult fail(Error e, std::string_view cookie) {
    ParseResult r;
    r.error = e;
    r.cookie = cookie;
    return r;
}

}  // namespace

size_t tokenize(std::string_view text, std::string_view* out, size_t max) {
    if (auto nul = text.find('\0'); nul != std::string_view::npos) text = text.substr(0, nul);
    size_t n = 0, i = 0;
    while (n < max) {
        while (i < text.size() && is_separator(text[i])) ++i;
        if (i >= text.size()) break;
        size_t start = i;
        while (i < text.size() && !is_separator(text[i])) ++i;
        out[n++] = text.substr(start, i - start);
    }
    return n;
}

ParseResult parse_command(std::string_view text, bool udp, bool oversized) {
    std::array<std::string_view, Command::kMaxTokens> tok;
    size_t argc = tokenize(text, tok.data(), tok.size());
    std::string_view cookie = (udp && argc >= 1) ? tok[0] : std::string_view{};
    if (oversized || argc < 1 || (udp && argc < 2)) return fail(Error::syntax, cookie);

    const std::string_view* argv = tok.data();
    if (udp) {
        ++argv;
        --argc;
    }
    Command c;
    c.cookie = cookie;
    std::string_view letters = argv[0].substr(1);

    switch (lower(argv[0][0])) {
    case 'v':
        if (!letters.empty() && lower(letters[0]) == 'f') {
            if (argc != 2) return fail(Error::version_args, cookie);
            c.verb = Verb::version_feature;
            c.feature = argv[1];
        } else {
            if (argc != 1) return fail(Error::version_args, cookie);
            c.verb = Verb::version;
        }
        break;
    case 'i':
        c.verb = Verb::info;
        break;
    case 'x':
        if (argc != 1) return fail(Error::delete_args, cookie);
        c.verb = Verb::remove_all;
        break;
    case 'u':
    case 'l':
        if (argc < 5 || argc > 6) return fail(Error::update_args, cookie);
        c.verb = lower(argv[0][0]) == 'u' ? Verb::update : Verb::lookup;
        c.call_id = argv[1];
        c.addr = argv[2];
        c.port = argv[3];
        c.from_tag = argv[4];
        if (argc == 6) c.to_tag = argv[5];
        if (!decode_modifiers(letters, c.mods)) return fail(Error::delete_args, cookie);
        break;
    case 'p':
        if (argc < 5 || argc > 6) return fail(Error::update_args, cookie);
        c.verb = Verb::play;
        c.call_id = argv[1];
        c.prompt = argv[2];
        c.codecs = argv[3];
        c.from_tag = argv[4];
        if (argc == 6) c.to_tag = argv[5];
        if (!letters.empty()) c.play_count = leading_count(letters);
        break;
    case 'd':
    case 'r':
    case 's':
        if (argc < 3 || argc > 4) return fail(Error::delete_args, cookie);
        c.verb = lower(argv[0][0]) == 'd' ? Verb::remove : lower(argv[0][0]) == 'r' ? Verb::record : Verb::stop_play;
        c.call_id = argv[1];
        c.from_tag = argv[2];
        if (argc == 4) c.to_tag = argv[3];
        if (c.verb == Verb::remove && !decode_modifiers(letters, c.mods)) return fail(Error::delete_args, cookie);
        break;
    case 'q':
        if (argc < 3) return fail(Error::delete_args, cookie);
        c.verb = Verb::query;
        c.call_id = argv[1];
        c.from_tag = argv[2];
        if (argc >= 4) c.to_tag = argv[3];
        for (size_t i = 4; i < argc; ++i) c.stat_names[c.stat_count++] = argv[i];
        for (char l : letters)
            if (lower(l) == 'v') c.mods.verbose = true;
        break;
    default:
        return fail(Error::unknown_command, cookie);
    }
    ParseResult r;
    r.cookie = cookie;
    r.command = c;
    return r;
}

}  // namespace ser::rtpp
