// Via branch for stateless forwarding with syn_branch=no (core-runtime §6.3).
#pragma once

#include <string>

namespace ser::sip { class Msg; }

namespace ser::rt {

// z9hG4bK<hash of Call-ID and CSeq, hex, low digit first>.<md5 of the
// transaction fields>.0 — stable for retransmissions.
std::string stateless_branch(sip::Msg& msg);

}  // namespace ser::rt
