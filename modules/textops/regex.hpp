// A compiled POSIX regular expression, matched against byte ranges of the
// message with REG_STARTEND (bodies may contain NUL bytes; the buffer is not
// NUL-terminated). The start of the range is the start of the "string": '^'
// matches there unless REG_NOTBOL is given, as SER matched from a pointer.
#pragma once

#include <regex.h>

#include <memory>
#include <string>
#include <string_view>

namespace ser::mod::textops {

class Regex {
public:
    // search/replace flags (modules.md §13): extended, case-insensitive,
    // newline-sensitive.
    static constexpr int kSearchFlags = REG_EXTENDED | REG_ICASE | REG_NEWLINE;

    Regex() = default;
    ~Regex() {
        if (ok_) regfree(&re_);
    }
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // False + a message (regerror's text) when the pattern does not compile.
    bool compile(const std::string& pattern, int cflags, std::string& error) {
        int rc = regcomp(&re_, pattern.c_str(), cflags);
        if (rc != 0) {
            char buf[256];
            regerror(rc, &re_, buf, sizeof buf);
            error = buf;
            return false;
        }
        ok_ = true;
        icase_ = (cflags & REG_ICASE) != 0;
        // With REG_NEWLINE and no newline in the pattern, no match spans two
        // lines; then only lines holding the pattern's required literal can
        // match, and regexec runs on those lines alone (regex_prefilter.cpp).
        if ((cflags & REG_NEWLINE) && pattern.find('\n') == std::string::npos)
            literal_ = required_literal(pattern);
        return true;
    }

    // Matches in [s, s + len). Offsets in m are relative to s. regexec is
    // thread-safe, so one compiled regex serves every worker.
    bool exec(const char* s, size_t len, size_t nmatch, regmatch_t* m, int eflags = 0) const {
        if (!s) s = "";
        regmatch_t whole[1];
        regmatch_t* pm = nmatch ? m : whole;
        if (literal_.size() >= 3) return exec_lines(s, len, nmatch ? nmatch : 1, pm, eflags);
        pm[0].rm_so = 0;
        pm[0].rm_eo = regoff_t(len);
        return regexec(&re_, s, nmatch ? nmatch : 1, pm, eflags | REG_STARTEND) == 0;
    }

    // The longest run of characters every match must contain ("" if none
    // can be proven, e.g. with a top-level '|').
    static std::string required_literal(std::string_view pattern);
    const std::string& literal() const { return literal_; }

    size_t groups() const { return re_.re_nsub; }

private:
    bool exec_lines(const char* s, size_t len, size_t nmatch, regmatch_t* pm, int eflags) const;

    regex_t re_{};
    bool ok_ = false;
    bool icase_ = false;
    std::string literal_;
};

}  // namespace ser::mod::textops
