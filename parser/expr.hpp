// Conditions of `if` (cfg-language §8): NOT > AND > OR, left-associative;
// elements are fixed `operand op value` forms, commands, blocks or numbers.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "parser/ast.hpp"
#include "parser/config.hpp"

namespace ser::parser {

struct expr_class;
using expr_type = x3::rule<expr_class, ast::Expr>;
BOOST_SPIRIT_DECLARE(expr_type)

inline constexpr expr_type expr{"a condition"};

}  // namespace ser::parser
