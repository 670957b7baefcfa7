// The whole file (cfg-language §1, §3-6, §12): global assignments with
// per-name value kinds, loadmodule, modparam and route blocks, in any order
// and without separators.
#pragma once

#include <vector>

#include <boost/spirit/home/x3.hpp>

#include "parser/ast.hpp"
#include "parser/config.hpp"

namespace ser::parser {

struct config_class;
using config_type = x3::rule<config_class, std::vector<ast::Item>>;
BOOST_SPIRIT_DECLARE(config_type)

inline constexpr config_type config{"a config file"};

}  // namespace ser::parser
