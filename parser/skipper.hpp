// The skipper: separators, comments, line continuations and unknown
// characters (cfg-language §2.1, §2.2, §2.11). It is a hand-written X3
// primitive because the rules are not regular: block comments nest, and a
// '#' comment only counts when a newline ends it.
#pragma once

#include <boost/spirit/home/x3/core/parser.hpp>
#include <boost/spirit/home/x3/support/unused.hpp>

namespace ser::parser {

class ParseState;

// Returns the first position at or after `p` where a token starts. When
// `state` is given, skipped unknown characters and lexical errors are noted
// in it; without it the call is a pure look-ahead (used to place errors).
char const* skip_separators(char const* p, char const* end, ParseState* state);

// True for characters that start a token (§2.5-2.10); anything else outside
// a string or comment is an unknown character and gets skipped.
bool is_token_start(char c);

struct Skipper : boost::spirit::x3::parser<Skipper> {
    using attribute_type = boost::spirit::x3::unused_type;
    static bool const has_attribute = false;

    ParseState* state = nullptr;

    template <class It, class Ctx, class RCtx, class Attr>
    bool parse(It& first, It const& last, Ctx const&, RCtx&, Attr&) const {
        char const* p = skip_separators(first, last, state);
        if (p == first)
            return false;
        first = p;
        return true;
    }
};

}  // namespace ser::parser
