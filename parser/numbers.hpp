// NUMBER tokens (cfg-language §2.6): decimal, 0x hex, 0-prefixed octal, and
// the words yes/no/on/off/true/false/enable/disable and inet/inet6, which are
// the same token everywhere [quirk]. There are no negative numbers.
#pragma once

#include "parser/tokens.hpp"

namespace ser::parser {

// Scans one NUMBER token at p; returns its end, or nullptr if there is none.
// `08` scans as `0` (the `8` is a second token), `0X1F` as `0`.
char const* scan_number(char const* p, char const* end, long& value);

struct number_parser : token_parser<number_parser, ast::Number> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, ast::Number& n) const {
        char const* q = scan_number(p, end, n.value);
        if (q)
            n.pos = get_state(ctx).pos(p);
        return q;
    }
};
inline constexpr number_parser number{};

}  // namespace ser::parser
