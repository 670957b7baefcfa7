// STRING tokens (cfg-language §2.7): "..." with SER's escape rules and raw
// '...'. Adjacent strings are not concatenated.
#pragma once

#include <string>

#include "parser/error_handler.hpp"
#include "parser/tokens.hpp"

namespace ser::parser {

// Scans a string token at p (which must be '"' or '\''). Returns the end of
// the token and stores the value in `out`; returns nullptr when p is not a
// quote. Returns `end` with `unterminated` set when EOF comes first.
char const* scan_string(char const* p, char const* end, std::string& out, bool& unterminated);

struct string_parser : token_parser<string_parser, ast::String> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, ast::String& s) const {
        bool unterminated = false;
        char const* q = scan_string(p, end, s.value, unterminated);
        if (!q)
            return nullptr;
        if (unterminated)
            fail_at(ctx, p, "unexpected EOF in unclosed string");
        s.pos = get_state(ctx).pos(p);
        return q;
    }
};
inline constexpr string_parser string{};

}  // namespace ser::parser
