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
        return true;
    }

    // Matches in [s, s + len). Offsets in m are relative to s. regexec is
    // thread-safe, so one compiled regex serves every worker.
    bool exec(const char* s, size_t len, size_t nmatch, regmatch_t* m, int eflags = 0) const {
        if (!s) s = "";
        regmatch_t whole[1];
        regmatch_t* pm = nmatch ? m : whole;
        pm[0].rm_so = 0;
        pm[0].rm_eo = regoff_t(len);
        return regexec(&re_, s, nmatch ? nmatch : 1, pm, eflags | REG_STARTEND) == 0;
    }

    size_t groups() const { return re_.re_nsub; }

private:
    regex_t re_{};
    bool ok_ = false;
};

}  // namespace ser::mod::textops
