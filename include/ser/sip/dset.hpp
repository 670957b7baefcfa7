// The destination set (core-runtime §5): the new URI plus up to
// kMaxAppendedBranches appended branches. The core's append_branch action,
// registrar's lookup() and tm's forking all go through these helpers;
// print_dset() writes the set as the Contact header of a redirect.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ser::sip {

class Msg;

// SER's MAX_BRANCHES - 1: branch 0 is the Request-URI itself.
inline constexpr size_t kMaxAppendedBranches = 11;

// Appends a branch (q: 0..1000, -1 = none). 1, or E_TOO_MANY_BRANCHES
// (-12) when the set is full (nothing appended).
int append_branch(Msg& msg, std::string_view uri, std::string_view dst_uri = {}, int q = -1);

// "Contact: " + new URI (if rewritten) + branches, ", "-separated, CRLF
// terminated; an entry with a q value is written <uri>;q=0.5. "" when the
// set is empty.
std::string print_dset(const Msg& msg);
// SER's q2str: 1000 -> "1", 0 -> "0", 500 -> "0.5", 125 -> "0.125".
std::string q_to_string(int q);

}  // namespace ser::sip
