// The parser's one entry point: config text -> AST, or diagnostics.
// Nothing outside parser/ includes Spirit.
#pragma once

#include <optional>
#include <string>

#include "parser/ast.hpp"
#include "parser/diagnostics.hpp"

namespace ser::parser {

// Parses a whole config. On a syntax error returns nullopt after reporting
// (at least) the first error into `diag` with its exact position.
// Grammar-level semantic checks that need no module (route numbers, value
// kinds of global parameters, IP ranges, netmask bits, append_branch q values,
// log_facility names, TLS-not-compiled) are reported here too.
std::optional<ast::Config> parse_text(const std::string& name, std::string text,
                                      Diagnostics& diag);
std::optional<ast::Config> parse_file(const std::string& path, Diagnostics& diag);

}  // namespace ser::parser
