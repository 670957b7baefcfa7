// The set*/prefix/strip family of core actions (cfg-language §10.4).
#pragma once

#include <string>
#include <string_view>

namespace ser::script {

enum class UriEdit { Host, HostPort, User, UserPass, Port, Prefix, Strip, StripTail };

// Applies one edit to `current` and writes the rebuilt URI to `out`.
// Returns 1, or -1 when `current` cannot be parsed or the result is too long.
int rewrite_uri(std::string_view current, UriEdit edit, std::string_view text, long count, std::string& out);

}  // namespace ser::script
