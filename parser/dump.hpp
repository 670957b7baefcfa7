// A stable, indented text form of the AST, for tests and `ser --dump-ast`
// style debugging. Every node line ends with its position `@line:col`.
#pragma once

#include <string>

#include "parser/ast.hpp"

namespace ser::parser {

std::string dump(const ast::Config& cfg);
std::string dump(const ast::Expr& expr, int indent = 0);
std::string dump(const ast::Action& action, int indent = 0);

// A string literal with C escapes, as it appears in dumps: "a\tb\x01".
std::string quote(const std::string& s);

}  // namespace ser::parser
