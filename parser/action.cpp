#include "parser/action_def.hpp"

namespace ser::parser {
BOOST_SPIRIT_INSTANTIATE(statement_type, iterator_type, context_type)
BOOST_SPIRIT_INSTANTIATE(block_type, iterator_type, context_type)
BOOST_SPIRIT_INSTANTIATE(if_stmt_type, iterator_type, context_type)
BOOST_SPIRIT_INSTANTIATE(command_type, iterator_type, context_type)
}  // namespace ser::parser
