// Address-shaped grammar pieces shared by conditions, actions and global
// assignments: networks (src_ip==10.0.0.0/8), socket specs
// ([proto:]addr[:port], cfg-language §4.3) and plain addresses
// (IP | "string" | host, used by forward(), send(), advertised_address).
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "parser/ast.hpp"
#include "parser/config.hpp"

namespace ser::parser {

struct ipnet_class;
struct sockspec_class;
struct address_class;

// Attribute of `address`: an Ip, String or Host (as a core-action argument).
using ipnet_type = x3::rule<ipnet_class, ast::Net>;
using sockspec_type = x3::rule<sockspec_class, ast::SockSpec>;
using address_type = x3::rule<address_class, ast::CoreArg>;

BOOST_SPIRIT_DECLARE(ipnet_type, sockspec_type, address_type)

inline constexpr ipnet_type ipnet{"an IP address or network"};
inline constexpr sockspec_type sockspec{"a socket ([proto:]address[:port])"};
inline constexpr address_type address{"an address (IP, quoted string or hostname)"};

}  // namespace ser::parser
