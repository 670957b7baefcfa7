// Digest user names "user" or "user@domain" (SER's parse_username).
#pragma once

#include <string_view>

namespace ser::mod::auth {

// Splits at the first '@'; no split when the whole name has at most two
// characters. `domain` is empty without an '@' (or with nothing after it).
void split_username(std::string_view whole, std::string_view& user, std::string_view& domain);

}  // namespace ser::mod::auth
