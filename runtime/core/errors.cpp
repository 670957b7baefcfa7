#include "ser/errors.hpp"

#include "ser/core.hpp"

namespace ser {

ErrorText error_text(int e) {
    switch (e) {
    case E_SEND: return {477, "Unfortunately error on sending to next hop occurred"};
    case E_BAD_ADDRESS_RESOLVE: return {478, "Unresolvable destination"};
    case E_BAD_REQ: return {400, "Bad Request"};
    case E_BAD_URI: return {479, "Regretfully, we were not able to process the URI"};
    case E_BAD_TUPEL: return {400, "Transaction tuple incomplete"};
    case E_BAD_TO: return {400, "Bad To"};
    case E_EXEC: return {500, "Error in external logic"};
    case E_TOO_MANY_BRANCHES: return {500, "Forking capacity exceeded"};
    case E_Q_INV_CHAR: return {400, "Invalid character in q parameter"};
    case E_Q_EMPTY: return {400, "Empty q parameter"};
    case E_Q_TOO_BIG: return {400, "q parameter too big"};
    case E_Q_DEC_MISSING: return {400, "Decimal part missing in q"};
    default: return {500, "I'm terribly sorry, server error occurred"};
    }
}

}  // namespace ser
