// Speeds up searches over whole messages: a pattern such as
// "^User-Agent:.*sipp" can only match on a line containing "User-Agent:",
// so the line is found with a plain (case-insensitive) scan and regexec runs
// on that line only. Results are identical to one regexec over the range
// (tests/modules/textops/prefilter_test.cpp compares them).
#include <cctype>
#include <cstring>

#include "modules/textops/regex.hpp"

namespace ser::mod::textops {

namespace {

bool is_meta(char c) { return std::strchr(".[]()*+?{}|^$\\", c) != nullptr; }

unsigned char fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// First occurrence of `lit`; case-insensitive (ASCII, as the C locale's
// REG_ICASE) when `icase`. The first character is found with memchr, once
// per case, keeping the next position of each.
const char* find_literal(const char* s, size_t len, const std::string& lit, bool icase) {
    if (lit.size() > len) return nullptr;
    if (!icase) return static_cast<const char*>(memmem(s, len, lit.data(), lit.size()));
    const char* end = s + len - lit.size() + 1;  // last possible start + 1
    const char lo = char(fold((unsigned char)lit[0]));
    const char up = char(std::toupper((unsigned char)lo));
    auto next = [&](const char* from, char c) -> const char* {
        return from < end ? static_cast<const char*>(std::memchr(from, c, size_t(end - from))) : nullptr;
    };
    const char* a = next(s, lo);
    const char* b = lo == up ? nullptr : next(s, up);
    while (a || b) {
        const char* p = !b || (a && a < b) ? a : b;
        size_t i = 1;
        while (i < lit.size() && fold((unsigned char)p[i]) == fold((unsigned char)lit[i])) ++i;
        if (i == lit.size()) return p;
        if (p == a) a = next(p + 1, lo);
        else b = next(p + 1, up);
    }
    return nullptr;
}

}  // namespace

std::string Regex::required_literal(std::string_view p) {
    std::string best, run;
    auto flush = [&] {
        if (run.size() > best.size()) best = run;
        run.clear();
    };
    int depth = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        if (c == '|' && depth == 0) return {};  // alternatives: nothing is required
        if (c == '(') {
            ++depth;
            flush();
            continue;
        }
        if (c == ')') {
            if (depth > 0) --depth;
            flush();
            continue;
        }
        if (depth > 0) {
            if (c == '\\' && i + 1 < p.size()) ++i;
            else if (c == '[') {  // skip a bracket expression inside a group
                size_t j = i + 1;
                if (j < p.size() && p[j] == '^') ++j;
                if (j < p.size() && p[j] == ']') ++j;
                while (j < p.size() && p[j] != ']') ++j;
                i = j;
            }
            continue;
        }
        char lit = 0;
        bool is_lit = false;
        if (c == '\\') {
            if (i + 1 >= p.size()) return {};
            char n = p[i + 1];
            ++i;
            if (is_meta(n)) {
                lit = n;
                is_lit = true;
            }  // \w, \1, \b ...: not a literal
        } else if (c == '[') {
            size_t j = i + 1;
            if (j < p.size() && p[j] == '^') ++j;
            if (j < p.size() && p[j] == ']') ++j;
            while (j < p.size() && p[j] != ']') {
                if (p[j] == '[' && j + 1 < p.size() && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
                    size_t close = p.find(std::string{p[j + 1], ']'}, j + 2);
                    if (close == std::string_view::npos) return {};
                    j = close + 1;
                } else {
                    ++j;
                }
            }
            i = j;
        } else if (!is_meta(c)) {
            lit = c;
            is_lit = true;
        }
        if (!is_lit) {
            flush();
            // a quantifier after a non-literal applies to it: nothing to drop
            continue;
        }
        char next = i + 1 < p.size() ? p[i + 1] : 0;
        if (next == '*' || next == '?' || next == '{') {
            flush();  // this character is optional (or counted): not required
        } else if (next == '+') {
            run += lit;
            flush();  // required once, but what follows is not adjacent
        } else {
            run += lit;
        }
    }
    if (depth != 0) return {};
    flush();
    return best;
}

bool Regex::exec_lines(const char* s, size_t len, size_t nmatch, regmatch_t* pm, int eflags) const {
    size_t from = 0;
    while (from < len) {
        const char* hit = find_literal(s + from, len - from, literal_, icase_);
        if (!hit) return false;
        size_t at = size_t(hit - s);
        size_t ls = at;
        while (ls > from && s[ls - 1] != '\n') --ls;  // `from` is always a line start
        const char* nl = static_cast<const char*>(std::memchr(s + at, '\n', len - at));
        size_t le = nl ? size_t(nl - s) : len;
        // glibc prepares (and, for REG_ICASE, upper-cases) everything from the
        // string pointer on, so the line itself is passed as the string. At a
        // line start '^' matches in the full text too, hence no REG_NOTBOL there.
        int ef = ls == 0 ? eflags : (eflags & ~REG_NOTBOL);
        pm[0].rm_so = 0;
        pm[0].rm_eo = regoff_t(le - ls);
        if (regexec(&re_, s + ls, nmatch, pm, ef | REG_STARTEND) == 0) {
            for (size_t i = 0; i < nmatch; ++i) {
                if (pm[i].rm_so < 0) continue;
                pm[i].rm_so += regoff_t(ls);
                pm[i].rm_eo += regoff_t(ls);
            }
            return true;
        }
        from = le + 1;
    }
    return false;
}

}  // namespace ser::mod::textops
