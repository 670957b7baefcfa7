#include "parser/numbers.hpp"

#include <climits>
#include <string_view>

namespace ser::parser {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Saturating accumulation like strtol.
void accumulate(unsigned long long& acc, int digit, int base) {
    if (acc > (ULLONG_MAX - digit) / base)
        acc = ULLONG_MAX;
    else
        acc = acc * base + digit;
}

long clamp_long(unsigned long long v) {
    return v > static_cast<unsigned long long>(LONG_MAX) ? LONG_MAX : static_cast<long>(v);
}

}  // namespace

char const* scan_number(char const* p, char const* end, long& value) {
    if (p == end)
        return nullptr;
    if (is_digit(*p)) {
        unsigned long long acc = 0;
        char const* q = p;
        if (*p == '0') {
            if (p + 2 < end && p[1] == 'x' && hex_value(p[2]) >= 0) {
                // 0x{HEX}+ (strtol base 16; `0X` is not accepted)
                for (q = p + 2; q < end && hex_value(*q) >= 0; ++q)
                    accumulate(acc, hex_value(*q), 16);
                value = clamp_long(acc);
                return q;
            }
            if (p + 1 < end && p[1] >= '0' && p[1] <= '7') {
                // 0[0-7]+ (strtol base 8)
                for (q = p + 1; q < end && *q >= '0' && *q <= '7'; ++q)
                    accumulate(acc, *q - '0', 8);
                value = clamp_long(acc);
                return q;
            }
            value = 0;
            return p + 1;
        }
        for (; q < end && is_digit(*q); ++q)
            accumulate(acc, *q - '0', 10);
        // atoi(): (int) of a saturated strtol; large values are undefined in
        // the original, configs do not rely on them.
        value = static_cast<int>(static_cast<unsigned int>(clamp_long(acc)));
        return q;
    }
    size_t n = word_length(p, end);
    if (n == 0)
        return nullptr;
    std::string_view w(p, n);
    if (w == "yes" || w == "true" || w == "on" || w == "enable")
        value = 1;
    else if (w == "no" || w == "false" || w == "off" || w == "disable")
        value = 0;
    else if (w == "inet" || w == "INET")
        value = 2;   // AF_INET
    else if (w == "inet6" || w == "INET6")
        value = 10;  // AF_INET6 on Linux
    else
        return nullptr;
    return p + n;
}

}  // namespace ser::parser
