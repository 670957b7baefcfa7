#include <algorithm>
#include <cstring>

#include "parser/config.hpp"

namespace ser::parser {

ParseState::ParseState(char const* begin, char const* end, uint32_t file)
    : begin_(begin), end_(end), file_(file) {
    line_starts_.reserve(static_cast<size_t>(end - begin) / 24 + 1);
    line_starts_.push_back(0);
    for (char const* p = begin; p < end;) {
        void const* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        if (!nl)
            break;
        p = static_cast<char const*>(nl) + 1;
        line_starts_.push_back(static_cast<uint32_t>(p - begin));
    }
}

ast::Pos ParseState::pos(char const* it) const {
    auto off = static_cast<uint32_t>(it - begin_);
    auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
    auto line = static_cast<uint32_t>(next - line_starts_.begin());
    return ast::Pos{file_, line, off - line_starts_[line - 1] + 1};
}

void ParseState::lexical_error(char const* at, std::string message) {
    ast::Pos p = pos(at);
    if (has_lex_error_ && (lex_error_pos_.line < p.line ||
                           (lex_error_pos_.line == p.line && lex_error_pos_.col <= p.col)))
        return;
    has_lex_error_ = true;
    lex_error_pos_ = p;
    lex_error_ = std::move(message);
}

void ParseState::warning(ast::Pos pos, std::string message) {
    for (auto const& w : warnings_)
        if (w.first.line == pos.line && w.first.col == pos.col && w.second == message)
            return;
    warnings_.emplace_back(pos, std::move(message));
}

std::vector<uint32_t> ParseState::unknown_offsets() const {
    std::vector<uint32_t> v = unknown_;
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

}  // namespace ser::parser
