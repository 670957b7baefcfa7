// Rewriting parts of a SIP URI the way SER's core actions do (cfg-language
// §10.4): the script's sethost/setuser/prefix/strip family, and modules that
// must produce the same result (textops subst_user).
#pragma once

#include <string>
#include <string_view>

namespace ser::sip {

enum class UriEdit { Host, HostPort, User, UserPass, Port, Prefix, Strip, StripTail };

// Applies one edit to `current` and writes the rebuilt URI to `out`: always
// "sip:" [quirk], password kept (except UserPass), '@' only when a user or a
// password remains. `count` is for Strip/StripTail. Returns 1, or -1 when
// `current` does not parse or the result exceeds 1023 bytes.
int rewrite_uri(std::string_view current, UriEdit edit, std::string_view text, long count, std::string& out);

}  // namespace ser::sip
