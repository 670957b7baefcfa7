// The destination set (new URI + appended branches) printed as the Contact
// header of a redirect (core-runtime §5); sl and tm use it for 3xx replies.
#pragma once

#include <string>

namespace ser::sip {

class Msg;

// "Contact: " + new URI (if rewritten) + branches, ", "-separated, CRLF
// terminated; an entry with a q value is written <uri>;q=0.5. "" when the
// set is empty.
std::string print_dset(const Msg& msg);
// SER's q2str: 1000 -> "1", 0 -> "0", 500 -> "0.5", 125 -> "0.125".
std::string q_to_string(int q);

}  // namespace ser::sip
