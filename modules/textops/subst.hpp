// sed-like substitutions: '<sep>re<sep>replacement<sep>flags'
// (modules.md §13.1; SER's re.c subst_parser / subst_run / subst_str).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modules/textops/regex.hpp"

namespace ser::sip { class Msg; }

namespace ser::mod::textops {

struct SubstExpr {
    struct Part {
        enum Kind : unsigned char { Text, Group, Uri } kind;
        std::string text;   // Text
        int group = 0;      // Group: 0 = whole match
    };
    Regex re;
    std::vector<Part> parts;
    bool global = false;    // flag g
    int max_group = 0;      // highest \N referenced
};

// At most this many escapes in the replacement (SER's MAX_REPLACE_WITH).
inline constexpr int kMaxSubstEscapes = 100;

// False + a message on a bad expression (too short, '\' as separator,
// missing separator, too many escapes, unknown flag, bad regex).
bool parse_subst(std::string_view expr, SubstExpr& out, std::string& error);

struct SubstMatch {
    size_t offset, size;    // within the input
    std::string text;       // replacement
};

// Runs the expression over input[0, len): one match, or every
// non-overlapping match with g. `msg` supplies \u.
std::vector<SubstMatch> subst_run(const SubstExpr& se, const char* input, size_t len, const sip::Msg& msg);

// The input with all replacements applied; nullopt when nothing matched.
std::optional<std::string> subst_str(const SubstExpr& se, std::string_view input, const sip::Msg& msg);

}  // namespace ser::mod::textops
