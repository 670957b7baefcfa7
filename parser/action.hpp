// Statements of route blocks (cfg-language §7, §10): commands ending in ';',
// if/else, null statements, and `{ ... }` blocks.
#pragma once

#include <vector>

#include <boost/spirit/home/x3.hpp>

#include "parser/ast.hpp"
#include "parser/config.hpp"

namespace ser::parser {

struct statement_class;
struct block_class;
struct if_stmt_class;
struct command_class;

using statement_type = x3::rule<statement_class, ast::Action>;
using block_type = x3::rule<block_class, std::vector<ast::Action>>;
using if_stmt_type = x3::rule<if_stmt_class, ast::If>;
// A core action or module function call, without its ';'.
using command_type = x3::rule<command_class, ast::Action>;

BOOST_SPIRIT_DECLARE(statement_type, block_type, if_stmt_type, command_type)

inline constexpr statement_type statement{"a statement"};
inline constexpr block_type block{"'{'"};
inline constexpr if_stmt_type if_stmt{"an if statement"};
inline constexpr command_type command{"a command"};

}  // namespace ser::parser
