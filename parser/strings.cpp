#include "parser/strings.hpp"

#include <cstring>

namespace ser::parser {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Strings are C strings in SER: a NUL byte (e.g. from "\x00") ends the value.
void truncate_at_nul(std::string& s) {
    size_t nul = s.find('\0');
    if (nul != std::string::npos)
        s.resize(nul);
}

}  // namespace

char const* scan_string(char const* p, char const* end, std::string& out, bool& unterminated) {
    unterminated = false;
    out.clear();
    if (p == end || (*p != '"' && *p != '\''))
        return nullptr;
    if (*p == '\'') {
        // Raw: no escapes at all, may span lines, cannot contain '.
        void const* q = std::memchr(p + 1, '\'', static_cast<size_t>(end - p - 1));
        if (!q) {
            unterminated = true;
            return end;
        }
        out.assign(p + 1, static_cast<char const*>(q));
        truncate_at_nul(out);
        return static_cast<char const*>(q) + 1;
    }
    {
        char const* q = p + 1;
        for (;;) {
            if (q == end) {
                unterminated = true;
                return end;
            }
            char c = *q;
            if (c == '"')
                break;
            if (c != '\\' || q + 1 == end) {
                out.push_back(c);
                ++q;
                continue;
            }
            char e = q[1];
            switch (e) {
            case 'n': out.push_back('\n'); q += 2; continue;
            case 'r': out.push_back('\r'); q += 2; continue;
            case 't': out.push_back('\t'); q += 2; continue;
            case 'a': out.push_back('\a'); q += 2; continue;
            case '"': out.push_back('"'); q += 2; continue;
            case '\\': out.push_back('\\'); q += 2; continue;
            case '\n': q += 2; continue;  // continuation inside the string
            case 'x':
                // \x with 1-2 hex digits; "\x" without one stays verbatim.
                if (q + 2 < end && hex_digit(q[2]) >= 0) {
                    int v = hex_digit(q[2]);
                    q += 3;
                    if (q < end && hex_digit(*q) >= 0)
                        v = v * 16 + hex_digit(*q++);
                    out.push_back(static_cast<char>(v));
                    continue;
                }
                break;
            default:
                // \ + 2 or 3 octal digits; a single digit (\1) stays verbatim
                // so regex back-references survive [quirk].
                if (is_octal(e) && q + 2 < end && is_octal(q[2])) {
                    int v = (e - '0') * 8 + (q[2] - '0');
                    q += 3;
                    if (q < end && is_octal(*q))
                        v = v * 8 + (*q++ - '0');
                    out.push_back(static_cast<char>(v));
                    continue;
                }
                break;
            }
            // Any other \c: keep the backslash; c is then read on its own.
            out.push_back('\\');
            ++q;
        }
        truncate_at_nul(out);
        return q + 1;  // past the closing quote
    }
}

}  // namespace ser::parser
