// The Remote-Party-ID a backend found for the authorized user, kept as a
// string AVP of the message ([2005] rpid_avp, modules.md §8.7) so that it
// belongs to one request and one worker.
#pragma once

#include <string_view>

#include "ser/sip/avp.hpp"

namespace ser::sip { class Msg; }

namespace ser::mod::auth {

// The most recent string AVP named `name`, or null.
const sip::Avp* find_named_avp(const sip::Avps& avps, std::string_view name);

// Replaces the stored RPID: removes every AVP named `name`, then adds
// `rpid` unless it is empty (SER's save_rpid at every authorization).
void store_rpid(sip::Msg& msg, std::string_view name, std::string_view rpid);

// SER's is_e164: '+' followed by 2..15 more characters. [quirk] the
// original's digit test can never fail, so any characters pass.
bool is_e164(std::string_view user);

// The user an RPID names (§8.7): the URI inside <> if there is an unquoted
// '<', then the user part of a sip: URI, else the whole text. False when
// the name-addr or the URI does not parse.
bool rpid_user(std::string_view rpid, std::string_view& user);

}  // namespace ser::mod::auth
