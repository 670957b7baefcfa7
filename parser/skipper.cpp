#include "parser/skipper.hpp"

#include <cstring>
#include <string>

#include "parser/config.hpp"

namespace ser::parser {

bool is_token_start(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9'))
        return true;
    switch (c) {
    case '"': case '\'':
    case '!': case '&': case '|': case '=': case '<': case '>':
    case '(': case ')': case '{': case '}': case '[': case ']':
    case ',': case ';': case ':': case '.': case '/': case '*': case '+': case '-':
        return true;
    default:
        return false;
    }
}

namespace {

// Block comments nest: every "/*" needs its own "*/" (§2.2).
char const* skip_block_comment(char const* p, char const* end, ParseState* state) {
    char const* open = p;
    int depth = 1;
    p += 2;
    while (p < end) {
        if (p[0] == '/' && p + 1 < end && p[1] == '*') {
            ++depth;
            p += 2;
        } else if (p[0] == '*' && p + 1 < end && p[1] == '/') {
            p += 2;
            if (--depth == 0)
                return p;
        } else {
            ++p;
        }
    }
    if (state)
        state->lexical_error(open, "unexpected EOF: " + std::to_string(depth) + " comments open");
    return end;
}

}  // namespace

char const* skip_separators(char const* p, char const* end, ParseState* state) {
    while (p < end) {
        char c = *p;
        switch (c) {
        case ' ': case '\t': case '\b': case '\r': case '\n':
            ++p;
            continue;
        case '\\':
            // Line continuation outside strings (§2.1); a lone backslash is
            // an unknown character.
            if (p + 1 < end && p[1] == '\n') {
                p += 2;
                continue;
            }
            break;
        case '#': {
            // Only a comment when a newline ends it; on a last line without
            // LF the '#' is an unknown character and the words after it are
            // tokens [quirk, §2.2].
            void const* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
            if (nl) {
                p = static_cast<char const*>(nl) + 1;
                continue;
            }
            break;
        }
        case '/':
            if (p + 1 < end && p[1] == '*') {
                p = skip_block_comment(p, end, state);
                continue;
            }
            return p;
        case '*':
            if (p + 1 < end && p[1] == '/' && state)
                state->lexical_error(p, "unexpected '*/' outside a comment");
            return p;
        default:
            if (is_token_start(c))
                return p;
            break;
        }
        if (state)
            state->note_unknown(p);
        ++p;
    }
    return p;
}

}  // namespace ser::parser
