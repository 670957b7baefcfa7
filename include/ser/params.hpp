// Stock modparam setters: a module declares its parameters as a table of
// (name, type, setter) rows whose setters store into public members of the
// module instance, with range checks, instead of writing one function each:
//
//   const ParamExport params[] = {
//       {"fr_timer", ParamType::Int, set_int<&Tm::fr_timer_s, 1, 86400>},
//       {"uac_from", ParamType::Str, set_str<&Tm::uac_from>},
//       {"enable_full_lr", ParamType::Int, set_bool<&Rr::enable_full_lr>},
//   };
#pragma once

#include <climits>
#include <string>

#include <fmt/format.h>

#include "ser/module.hpp"

namespace ser {

namespace param_detail {
template <class M> struct member_of;
template <class C, class T> struct member_of<T C::*> {
    using cls = C;
    using type = T;
};
}  // namespace param_detail

// An integer member (int, long, unsigned ...) within [Min, Max].
template <auto Member, long Min = LONG_MIN, long Max = LONG_MAX>
bool set_int(Module& self, const ParamValue& v, std::string& error) {
    using C = typename param_detail::member_of<decltype(Member)>::cls;
    using T = typename param_detail::member_of<decltype(Member)>::type;
    if (v.number < Min || v.number > Max) {
        error = fmt::format("value {} out of range {}..{}", v.number, Min, Max);
        return false;
    }
    static_cast<C&>(self).*Member = static_cast<T>(v.number);
    return true;
}

// A bool member set from a number: 0 = false, anything else = true (SER's
// int flags).
template <auto Member>
bool set_bool(Module& self, const ParamValue& v, std::string&) {
    using C = typename param_detail::member_of<decltype(Member)>::cls;
    static_cast<C&>(self).*Member = v.number != 0;
    return true;
}

// A std::string member.
template <auto Member>
bool set_str(Module& self, const ParamValue& v, std::string&) {
    using C = typename param_detail::member_of<decltype(Member)>::cls;
    static_cast<C&>(self).*Member = std::string(v.text);
    return true;
}

}  // namespace ser
