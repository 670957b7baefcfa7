// Helpers shared by the request and reply builders. Internal.
#pragma once

#include <string>

#include "ser/sip/lump.hpp"
#include "ser/sip/msg.hpp"
#include "runtime/sip/lump_plan.hpp"

namespace ser::sip::detail {

// Adds to `b` the Content-Length edit for sending `m` (core-runtime §6.3):
// replace the value when the lumps changed the body; over a stream
// transport insert the header at the end of the headers when missing.
void fix_content_length(const Msg& m, EditList& b, bool stream_transport);

}  // namespace ser::sip::detail
