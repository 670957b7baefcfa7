// textops: regular-expression and header operations on the message
// (modules.md §13). The module has no parameters and no state; the compiled
// regular expressions live in the fixed-up arguments.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "ser/module.hpp"

namespace ser::sip { class Msg; }

namespace ser::mod::textops {

class Textops : public Module {};

// Offset just after the first line (its CRLF included): where SER's
// get_header() starts every search except search().
uint32_t headers_start(const sip::Msg& msg);

// "Date: Www, DD Mon YYYY HH:MM:SS GMT\r\n" for `t` (UTC, English names,
// independent of the locale).
std::string date_header(std::time_t t);

// Fix-ups
bool fixup_regex(Module& self, CallArg& arg, int index, std::string& error);
bool fixup_subst(Module& self, CallArg& arg, int index, std::string& error);

// Script functions (regex_ops.cpp)
int search_f(Module& self, sip::Msg& msg, const CallArg* args);
int search_append_f(Module& self, sip::Msg& msg, const CallArg* args);
int replace_f(Module& self, sip::Msg& msg, const CallArg* args);
int replace_all_f(Module& self, sip::Msg& msg, const CallArg* args);
// (subst.cpp)
int subst_f(Module& self, sip::Msg& msg, const CallArg* args);
int subst_uri_f(Module& self, sip::Msg& msg, const CallArg* args);
int subst_user_f(Module& self, sip::Msg& msg, const CallArg* args);
// (headers.cpp)
int append_hf_f(Module& self, sip::Msg& msg, const CallArg* args);
int append_urihf_f(Module& self, sip::Msg& msg, const CallArg* args);
int remove_hf_f(Module& self, sip::Msg& msg, const CallArg* args);
int is_present_hf_f(Module& self, sip::Msg& msg, const CallArg* args);
// (textops.cpp)
int append_to_reply_f(Module& self, sip::Msg& msg, const CallArg* args);
int append_time_f(Module& self, sip::Msg& msg, const CallArg* args);

}  // namespace ser::mod::textops
