#include "parser/toplevel_def.hpp"

namespace ser::parser {
BOOST_SPIRIT_INSTANTIATE(config_type, iterator_type, context_type)
}  // namespace ser::parser
