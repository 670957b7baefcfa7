// How the grammar reports errors. Two kinds reach parse_text():
//  * x3::expectation_failure from a '>' point: "expected <what>", where
//    <what> is the name given with named() or a rule name;
//  * SyntaxError, thrown by primitives and actions for errors that need a
//    message of their own ("route number 20 out of range (0..19)").
// Both stop the parse; the first error is the one reported.
#pragma once

#include <string>
#include <utility>

#include <boost/spirit/home/x3.hpp>

#include "parser/ast.hpp"
#include "parser/config.hpp"

namespace ser::parser {

struct SyntaxError {
    ast::Pos pos;
    std::string message;
};

[[noreturn]] inline void fail_at(ast::Pos pos, std::string message) {
    throw SyntaxError{pos, std::move(message)};
}

template <class Context>
[[noreturn]] void fail_at(Context const& ctx, char const* where, std::string message) {
    throw SyntaxError{get_state(ctx).pos(where), std::move(message)};
}

// named("a number", p): parses like p but tells expectation failures what was
// expected. Unlike an inline rule it changes neither the context nor the
// attribute, so it can wrap rules from other translation units and actions
// inside it still see the enclosing rule's _val.
template <class Subject>
struct named_directive : x3::unary_parser<Subject, named_directive<Subject>> {
    using base_type = x3::unary_parser<Subject, named_directive<Subject>>;
    static bool const is_pass_through_unary = true;
    static bool const handles_container = Subject::handles_container;

    constexpr named_directive(Subject const& subject, char const* name)
        : base_type(subject), name(name) {}

    template <class It, class Ctx, class RCtx, class Attr>
    bool parse(It& first, It const& last, Ctx const& ctx, RCtx& rctx, Attr& attr) const {
        return this->subject.parse(first, last, ctx, rctx, attr);
    }

    char const* name;
};

template <class Subject>
constexpr auto named(char const* name, Subject const& subject) {
    return named_directive<typename x3::extension::as_parser<Subject>::value_type>(
        x3::as_parser(subject), name);
}

}  // namespace ser::parser

namespace boost::spirit::x3 {
// An action does not change what a parser expects.
template <class Subject, class Action>
struct get_info<action<Subject, Action>> {
    using result_type = std::string;
    std::string operator()(action<Subject, Action> const& p) const { return what(p.subject); }
};

template <class Subject>
struct get_info<ser::parser::named_directive<Subject>> {
    using result_type = std::string;
    std::string operator()(ser::parser::named_directive<Subject> const& p) const { return p.name; }
};
}  // namespace boost::spirit::x3
