// Per-contact values of a REGISTER (modules.md §7.4 step 4): expires, q and
// received, from the contact's parameters and the request.
#pragma once

#include <optional>
#include <string_view>

#include "modules/registrar/registrar.hpp"
#include "ser/sip/name_addr.hpp"

namespace ser::mod::registrar {

// The Expires header as registrar reads it: nullopt when absent; false on an
// empty body. A non-numeric value (a date) counts as default_expires.
bool expires_header(const sip::Msg& msg, const Registrar& r, std::optional<int>& out);

// Relative expires of one contact (0 = remove), clamped to min/max.
int contact_expires(const sip::NameAddr& c, std::optional<int> header, const Registrar& r);

// q of one contact in thousandths, or default_q; false on a malformed or > 1 value.
bool contact_q(const sip::NameAddr& c, const Registrar& r, int& q);

// The contact's own received parameter, else the received AVP, else "".
std::string_view contact_received(const sip::NameAddr& c, const sip::Msg& msg, const Registrar& r);

}  // namespace ser::mod::registrar
