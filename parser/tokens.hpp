// Token-level primitives: keywords, identifiers, operators and punctuation
// (cfg-language §2.3-2.5, §2.10, §2.12). Each one pre-skips with the
// context's skipper and reads one whole token, so longest-match holds:
// `forward_udp` is one keyword, `forwarded` and `route1` are identifiers.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

#include <boost/spirit/home/x3.hpp>

#include "parser/ast.hpp"
#include "parser/config.hpp"

namespace ser::parser {

inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_id_char(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }

// Length of the word `[A-Za-z][A-Za-z0-9_]*` at p, 0 if none.
size_t word_length(char const* p, char const* end);
// Keywords of §2.12 (case-sensitive).
bool is_reserved(std::string_view word);

// Symbolic operators (§2.10). Word forms `not`/`and`/`or` are keywords.
enum class Op : uint8_t { None, Eq, Ne, Match, Gt, Lt, Ge, Le, Assign, Not, And, Or };
// Longest symbolic operator at p; returns its length (0 = none).
size_t scan_op(char const* p, char const* end, Op& op);

// Bit sets of comparison operators (§8.3).
enum OpSet : unsigned {
    kEqOps = (1u << unsigned(Op::Eq)) | (1u << unsigned(Op::Ne)),
    kStrOps = kEqOps | (1u << unsigned(Op::Match)),
    kIntOps = kEqOps | (1u << unsigned(Op::Gt)) | (1u << unsigned(Op::Lt)) |
              (1u << unsigned(Op::Ge)) | (1u << unsigned(Op::Le)),
};

ast::CmpOp to_cmp(Op op);

// ---- primitives -------------------------------------------------------------

// Base for primitives: pre-skip, then scan from a plain pointer.
template <class Derived, class Attribute>
struct token_parser : x3::parser<Derived> {
    using attribute_type = Attribute;
    static bool const has_attribute = !std::is_same_v<Attribute, x3::unused_type>;

    template <class It, class Ctx, class RCtx, class Attr>
    bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr& attr) const {
        x3::skip_over(first, last, ctx);
        Attribute value{};
        char const* p = static_cast<Derived const&>(*this).scan(first, last, ctx, value);
        if (!p)
            return false;
        first = p;
        if constexpr (has_attribute)
            x3::traits::move_to(std::move(value), attr);
        return true;
    }
};

// The position of the next token, consuming nothing but separators.
struct here_parser : token_parser<here_parser, ast::Pos> {
    template <class Ctx>
    char const* scan(char const* p, char const*, Ctx const& ctx, ast::Pos& pos) const {
        pos = get_state(ctx).pos(p);
        return p;
    }
};
inline constexpr here_parser here{};

// One keyword; attribute: its position.
struct kw_parser : token_parser<kw_parser, ast::Pos> {
    constexpr explicit kw_parser(char const* w) : word(w), len(std::char_traits<char>::length(w)) {}
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, ast::Pos& pos) const {
        if (word_length(p, end) != len || std::memcmp(p, word, len) != 0)
            return nullptr;
        pos = get_state(ctx).pos(p);
        return p + len;
    }
    char const* word;
    size_t len;
};
constexpr kw_parser kw(char const* w) { return kw_parser(w); }

// A keyword written with a colon (`uri:host`, `uri:port`, `msg:len`): one
// token without inner spaces (§2.12).
struct colon_kw_parser : token_parser<colon_kw_parser, ast::Pos> {
    constexpr explicit colon_kw_parser(char const* w) : word(w), len(std::char_traits<char>::length(w)) {}
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, ast::Pos& pos) const {
        if (static_cast<size_t>(end - p) < len || std::memcmp(p, word, len) != 0)
            return nullptr;
        if (p + len < end && is_id_char(p[len]))
            return nullptr;
        pos = get_state(ctx).pos(p);
        return p + len;
    }
    char const* word;
    size_t len;
};
constexpr colon_kw_parser colon_kw(char const* w) { return colon_kw_parser(w); }

// Single-character punctuation. '*' does not match the start of "*/".
struct punct_parser : token_parser<punct_parser, x3::unused_type> {
    constexpr explicit punct_parser(char c) : ch(c) {}
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const&, x3::unused_type&) const {
        if (p == end || *p != ch)
            return nullptr;
        if (ch == '*' && p + 1 < end && p[1] == '/')
            return nullptr;
        return p + 1;
    }
    char ch;
};
// Same, with the position as attribute.
struct punct_pos_parser : token_parser<punct_pos_parser, ast::Pos> {
    constexpr explicit punct_pos_parser(char c) : ch(c) {}
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, ast::Pos& pos) const {
        if (p == end || *p != ch)
            return nullptr;
        if (ch == '*' && p + 1 < end && p[1] == '/')
            return nullptr;
        pos = get_state(ctx).pos(p);
        return p + 1;
    }
    char ch;
};
inline constexpr punct_pos_parser semi_pos{';'}, star_pos{'*'}, lbrace_pos{'{'};

inline constexpr punct_parser lparen{'('}, rparen{')'}, lbrace{'{'}, rbrace{'}'},
    lbrack{'['}, rbrack{']'}, comma{','}, semi{';'}, colon{':'}, dot{'.'}, slash{'/'},
    star{'*'};

// An identifier that is not a keyword (§2.5); attribute: name and position.
struct ident_parser : token_parser<ident_parser, ast::Host> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, ast::Host& id) const {
        size_t n = word_length(p, end);
        if (n == 0 || is_reserved(std::string_view(p, n)))
            return nullptr;
        id.pos = get_state(ctx).pos(p);
        id.name.assign(p, n);
        return p + n;
    }
};
inline constexpr ident_parser ident{};

// A comparison operator out of `allowed` (an OpSet); attribute: the CmpOp.
struct cmp_op_parser : token_parser<cmp_op_parser, ast::CmpOp> {
    constexpr explicit cmp_op_parser(unsigned set) : allowed(set) {}
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const&, ast::CmpOp& out) const {
        Op op;
        size_t n = scan_op(p, end, op);
        if (n == 0 || !(allowed & (1u << unsigned(op))))
            return nullptr;
        out = to_cmp(op);
        return p + n;
    }
    unsigned allowed;
};
inline constexpr cmp_op_parser eq_op{kEqOps}, str_op{kStrOps}, int_op{kIntOps};

// `=` of a global assignment (not `==` or `=~`).
struct assign_op_parser : token_parser<assign_op_parser, x3::unused_type> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const&, x3::unused_type&) const {
        Op op;
        size_t n = scan_op(p, end, op);
        return op == Op::Assign ? p + n : nullptr;
    }
};
inline constexpr assign_op_parser assign_op{};

// Logical operators: `!`/`not`, `&&`/`&`/`and`, `||`/`|`/`or` (§2.10);
// attribute: the position.
struct logic_op_parser : token_parser<logic_op_parser, ast::Pos> {
    constexpr logic_op_parser(Op o, char const* w) : op(o), word(w), len(std::char_traits<char>::length(w)) {}
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, ast::Pos& pos) const {
        Op found;
        size_t n = scan_op(p, end, found);
        if (n == 0 || found != op) {
            n = word_length(p, end);
            if (n != len || std::memcmp(p, word, len) != 0)
                return nullptr;
        }
        pos = get_state(ctx).pos(p);
        return p + n;
    }
    Op op;
    char const* word;
    size_t len;
};
inline constexpr logic_op_parser not_op{Op::Not, "not"}, and_op{Op::And, "and"}, or_op{Op::Or, "or"};

// A keyword out of a fixed table, e.g. all spellings of the URI rewrite
// actions; attribute: the table value, the spelling and its position.
template <class T>
struct Keyword {
    T value{};
    ast::Pos pos;
    std::string_view text;
};

template <class T>
struct KeywordEntry {
    char const* word;
    T value;
};

template <class T, size_t N>
struct keyword_table_parser : token_parser<keyword_table_parser<T, N>, Keyword<T>> {
    constexpr explicit keyword_table_parser(KeywordEntry<T> const (&e)[N]) : entries(e) {}

    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, Keyword<T>& out) const {
        size_t n = word_length(p, end);
        if (n == 0)
            return nullptr;
        std::string_view w(p, n);
        for (size_t i = 0; i < N; ++i) {
            auto const& e = entries[i];
            if (w == e.word) {
                out.value = e.value;
                out.pos = get_state(ctx).pos(p);
                out.text = w;
                return p + n;
            }
        }
        return nullptr;
    }
    KeywordEntry<T> const* entries;
};

template <class T, size_t N>
constexpr auto keywords(KeywordEntry<T> const (&e)[N]) {
    return keyword_table_parser<T, N>(e);
}

}  // namespace ser::parser

namespace boost::spirit::x3 {
template <>
struct get_info<ser::parser::punct_parser> {
    using result_type = std::string;
    std::string operator()(ser::parser::punct_parser const& p) const {
        return std::string("'") + p.ch + "'";
    }
};
template <>
struct get_info<ser::parser::kw_parser> {
    using result_type = std::string;
    std::string operator()(ser::parser::kw_parser const& p) const {
        return std::string("'") + p.word + "'";
    }
};
template <>
struct get_info<ser::parser::assign_op_parser> {
    using result_type = std::string;
    std::string operator()(ser::parser::assign_op_parser const&) const { return "'='"; }
};
}  // namespace boost::spirit::x3
