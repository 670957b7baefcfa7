#include "parser/qvalue.hpp"

namespace ser::parser {

std::optional<int> parse_q(std::string_view s) {
    // States of SER's str2q(); see qvalue.c.
    enum { Start, Zero, One, ZeroPoint, OnePoint, OnePointZero, ZeroPointN } state = Start;
    int q = 0;
    int digits = 1;
    int order = 100;
    constexpr int kMaxDigits = 3;
    for (char c : s) {
        switch (state) {
        case Start:
            if (c == ' ' || c == '\t')
                break;
            if (c == '0') { q = 0; state = Zero; break; }
            if (c == '1') { q = 1000; state = One; break; }
            if (c == '.') { state = ZeroPoint; break; }
            return std::nullopt;
        case Zero:
            if (c == '0') break;
            if (c == '.') { state = ZeroPoint; break; }
            return std::nullopt;
        case One:
            if (c == '.') { state = OnePoint; break; }
            return std::nullopt;
        case ZeroPoint:
            if (c < '0' || c > '9')
                return std::nullopt;
            q = (c - '0') * order;
            order /= 10;
            state = ZeroPointN;
            break;
        case OnePoint:
            if (c != '0')
                return std::nullopt;
            state = OnePointZero;
            break;
        case OnePointZero:
            if (c != '0' || ++digits > kMaxDigits)
                return std::nullopt;
            break;
        case ZeroPointN:
            if (c < '0' || c > '9' || ++digits > kMaxDigits)
                return std::nullopt;
            q += (c - '0') * order;
            order /= 10;
            break;
        }
    }
    if (state == Start || state == ZeroPoint || state == OnePoint)
        return std::nullopt;
    return q;
}

}  // namespace ser::parser
