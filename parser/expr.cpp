#include "parser/expr_def.hpp"

namespace ser::parser {
BOOST_SPIRIT_INSTANTIATE(expr_type, iterator_type, context_type)
}  // namespace ser::parser
