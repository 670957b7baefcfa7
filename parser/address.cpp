#include "parser/address_def.hpp"

namespace ser::parser {
BOOST_SPIRIT_INSTANTIATE(ipnet_type, iterator_type, context_type)
BOOST_SPIRIT_INSTANTIATE(sockspec_type, iterator_type, context_type)
BOOST_SPIRIT_INSTANTIATE(address_type, iterator_type, context_type)
}  // namespace ser::parser
