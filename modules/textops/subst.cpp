// subst, subst_uri, subst_user and the subst expression engine.
#include "modules/textops/subst.hpp"
#include "ser/sip/uri_edit.hpp"

#include "modules/textops/textops.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/uri.hpp"

namespace ser::mod::textops {

bool parse_subst(std::string_view s, SubstExpr& out, std::string& error) {
    if (s.size() < 3) {
        error = fmt::format("expression is too short: {}", s);
        return false;
    }
    const char sep = s[0];
    if (sep == '\\') {
        error = fmt::format("invalid separator char <\\> in {}", s);
        return false;
    }
    // The regex ends at the first separator not preceded by a backslash; the
    // escape stays in the regex text (regcomp sees "\/").
    size_t p = 1;
    while (p < s.size() && !(s[p] == sep && s[p - 1] != '\\')) ++p;
    if (p >= s.size()) {
        error = fmt::format("no separator found: {}", s);
        return false;
    }
    std::string re_text(s.substr(1, p - 1));
    ++p;

    out.parts.clear();
    out.max_group = 0;
    int escapes = 0;
    auto text = [&](char c) {
        if (out.parts.empty() || out.parts.back().kind != SubstExpr::Part::Text)
            out.parts.push_back({SubstExpr::Part::Text, {}, 0});
        out.parts.back().text += c;
    };
    bool escape = false, closed = false;
    for (; p < s.size(); ++p) {
        char c = s[p];
        if (!escape) {
            if (c == '\\') {
                escape = true;
            } else if (c == sep) {
                closed = true;
                break;
            } else {
                text(c);
            }
            continue;
        }
        escape = false;
        if (++escapes > kMaxSubstEscapes) {
            error = fmt::format("too many escapes in the replace part {}", s);
            return false;
        }
        switch (c) {
        case '\\': text('\\'); break;
        case 'n': text('\n'); break;
        case 'r': text('\r'); break;
        case 't': text('\t'); break;
        case 'u': out.parts.push_back({SubstExpr::Part::Uri, {}, 0}); break;
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9': {
            int n = c - '0';
            out.parts.push_back({SubstExpr::Part::Group, {}, n});
            if (n > out.max_group) out.max_group = n;
            break;
        }
        default:
            if (c != sep) SER_WARN("subst: \\{} unknown escape in {}", c, s);
            text(c);
            break;
        }
    }
    if (!closed) {
        error = fmt::format("missing separator: {}", s);
        return false;
    }
    ++p;
    // Without 'i' the match is case-sensitive, unlike search/replace (§13.1).
    int cflags = REG_EXTENDED | REG_NEWLINE;
    out.global = false;
    for (; p < s.size(); ++p) {
        switch (s[p]) {
        case 'i': cflags |= REG_ICASE; break;
        case 's': cflags &= ~REG_NEWLINE; break;
        case 'g': out.global = true; break;
        default:
            error = fmt::format("unknown flag {} in {}", s[p], s);
            return false;
        }
    }
    std::string why;
    if (!out.re.compile(re_text, cflags, why)) {
        error = fmt::format("bad regular expression {} in {}: {}", re_text, s, why);
        return false;
    }
    return true;
}

namespace {

std::string build(const SubstExpr& se, const char* base, const regmatch_t* m, size_t nmatch,
                  const sip::Msg& msg) {
    std::string out;
    for (const auto& part : se.parts) {
        switch (part.kind) {
        case SubstExpr::Part::Text:
            out += part.text;
            break;
        case SubstExpr::Part::Group:
            if (size_t(part.group) < nmatch && m[part.group].rm_so != -1)
                out.append(base + m[part.group].rm_so, size_t(m[part.group].rm_eo - m[part.group].rm_so));
            break;
        case SubstExpr::Part::Uri:
            if (!msg.is_request()) {
                ser::log(L_CRIT, "BUG: subst: uri substitution on a reply");
                break;
            }
            out += msg.current_uri();
            break;
        }
    }
    return out;
}

}  // namespace

std::vector<SubstMatch> subst_run(const SubstExpr& se, const char* input, size_t len, const sip::Msg& msg) {
    std::vector<SubstMatch> out;
    const size_t nmatch = size_t(se.max_group) + 1;
    std::vector<regmatch_t> m(nmatch);
    size_t pos = 0;
    int eflags = 0;
    do {
        if (!se.re.exec(input + pos, len - pos, nmatch, m.data(), eflags)) break;
        eflags = REG_NOTBOL;   // not to match '^' at the start again
        SubstMatch sm;
        sm.offset = pos + size_t(m[0].rm_so);
        sm.size = size_t(m[0].rm_eo - m[0].rm_so);
        sm.text = build(se, input + pos, m.data(), nmatch, msg);
        out.push_back(std::move(sm));
        // [fix] an empty match would repeat forever with g; stop there.
        if (m[0].rm_eo == m[0].rm_so) break;
        pos += size_t(m[0].rm_eo);
    } while (se.global);
    return out;
}

std::optional<std::string> subst_str(const SubstExpr& se, std::string_view input, const sip::Msg& msg) {
    auto matches = subst_run(se, input.data(), input.size(), msg);
    if (matches.empty()) return std::nullopt;
    std::string out;
    size_t p = 0;
    for (const auto& sm : matches) {
        out.append(input.substr(p, sm.offset - p));
        out += sm.text;
        p = sm.offset + sm.size;
    }
    out.append(input.substr(p));
    return out;
}

bool fixup_subst(Module&, CallArg& arg, int index, std::string& error) {
    if (index != 0) return true;
    auto& se = arg.make<SubstExpr>();
    if (!parse_subst(arg.text, se, error)) {
        arg.value.reset();
        error = "bad subst. re: " + error;
        return false;
    }
    return true;
}

int subst_f(Module&, sip::Msg& msg, const CallArg* args) {
    // After the first line, so the Request-URI is never replaced.
    uint32_t off = headers_start(msg);
    size_t end = msg.length();
    if (off > end) off = uint32_t(end);
    auto matches = subst_run(args[0].as<SubstExpr>(), msg.data() + off, end - off, msg);
    if (matches.empty()) return -1;
    for (auto& sm : matches) msg.lumps.replace(off + uint32_t(sm.offset), uint32_t(sm.size), std::move(sm.text));
    return 1;
}

int subst_uri_f(Module&, sip::Msg& msg, const CallArg* args) {
    auto result = subst_str(args[0].as<SubstExpr>(), msg.current_uri(), msg);
    if (!result) return -1;
    SER_DBG("textops: subst_uri: match - old uri= [{}], new uri= [{}]", msg.current_uri(), *result);
    msg.new_uri = std::move(*result);
    msg.uri_changed();
    return 1;
}

int subst_user_f(Module&, sip::Msg& msg, const CallArg* args) {
    const sip::Uri* u = msg.parsed_uri();
    // SER 0.9 parses only sip:/sips: URIs.
    if (!u || (u->scheme != sip::Uri::Scheme::Sip && u->scheme != sip::Uri::Scheme::Sips)) return -1;
    auto result = subst_str(args[0].as<SubstExpr>(), u->user, msg);
    if (!result) return -1;
    // Rebuilt exactly like the core's rewriteuser (SER's SET_USER_T).
    std::string uri;
    if (sip::rewrite_uri(msg.current_uri(), sip::UriEdit::User, *result, 0, uri) < 0) return -1;
    msg.new_uri = std::move(uri);
    msg.uri_changed();
    return 1;
}

}  // namespace ser::mod::textops
