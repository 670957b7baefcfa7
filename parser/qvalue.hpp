// q values of append_branch(uri, "q") (cfg-language §10.5): a decimal 0..1
// with at most three decimals, parsed like SER's str2q().
#pragma once

#include <optional>
#include <string_view>

namespace ser::parser {

// The q value in thousandths (0..1000), or nullopt if the text is invalid.
// Accepts leading blanks, "0", "1", "1.0", "0.5", ".25", "0.125".
std::optional<int> parse_q(std::string_view text);

}  // namespace ser::parser
