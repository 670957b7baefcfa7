// Iterator, per-parse state and context types shared by every grammar area
// (STYLE.md §3). Each rule is instantiated for exactly this context, so the
// grammar areas can live in separate translation units.
#pragma once

#include <type_traits>

#include <cstdint>
#include <string>
#include <vector>

#include <boost/spirit/home/x3.hpp>

#include "parser/ast.hpp"
#include "parser/skipper.hpp"

namespace ser::parser {

namespace x3 = boost::spirit::x3;

using iterator_type = char const*;

// Everything a parse needs besides the grammar: the text, a line table for
// turning iterators into Pos, and what the skipper noticed on the way.
class ParseState {
public:
    ParseState(char const* begin, char const* end, uint32_t file);

    char const* begin() const { return begin_; }
    char const* end() const { return end_; }
    ast::Pos pos(char const* it) const;
    // Byte offset of a position returned by pos().
    uint32_t offset(ast::Pos p) const { return line_starts_[p.line - 1] + p.col - 1; }

    // An unknown character skipped outside strings (cfg-language §2.11).
    void note_unknown(char const* at) { unknown_.push_back(static_cast<uint32_t>(at - begin_)); }
    // A lexical error found by the skipper (unclosed comment, stray "*/").
    // The skipper cannot stop the parse, so the first one is kept and
    // reported after it.
    void lexical_error(char const* at, std::string message);
    // A warning raised by a grammar action (e.g. a corrected netmask).
    void warning(ast::Pos pos, std::string message);

    bool has_lexical_error() const { return has_lex_error_; }
    ast::Pos lexical_error_pos() const { return lex_error_pos_; }
    std::string const& lexical_error_message() const { return lex_error_; }
    // Sorted, without duplicates (backtracking may skip a place twice).
    std::vector<uint32_t> unknown_offsets() const;
    std::vector<std::pair<ast::Pos, std::string>> const& warnings() const { return warnings_; }

private:
    char const* begin_;
    char const* end_;
    uint32_t file_;
    std::vector<uint32_t> line_starts_;
    std::vector<uint32_t> unknown_;
    std::vector<std::pair<ast::Pos, std::string>> warnings_;
    bool has_lex_error_ = false;
    ast::Pos lex_error_pos_;
    std::string lex_error_;
};

struct state_tag;

using skipper_type = Skipper;
using phrase_context_type = x3::phrase_parse_context<skipper_type>::type;
using context_type = x3::context<state_tag, ParseState, phrase_context_type>;

template <class Context>
inline ParseState& get_state(Context const& ctx) {
    return x3::get<state_tag>(ctx);
}

// Semantic actions shared by the grammar areas.
// The attribute becomes the rule's value.
inline auto const take = [](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); };
// A node with a `pos` becomes the rule's holder (ast::Action or ast::Expr)
// at the same place.
inline auto const wrap_node = [](auto& ctx) {
    auto& node = x3::_attr(ctx);
    ast::Pos pos = node.pos;
    using Holder = std::decay_t<decltype(x3::_val(ctx))>;
    x3::_val(ctx) = Holder{pos, std::move(node)};
};

}  // namespace ser::parser
