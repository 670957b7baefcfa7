// Generic ";name=value" parameter lists as they appear in header fields
// (Via, To/From/Contact params) and URIs. Tolerates LWS (also folded line
// breaks) around ';' and '=' and quoted-string values.
#pragma once

#include <optional>
#include <string_view>

namespace ser::sip {

struct Param {
    std::string_view name;
    std::string_view value;     // without surrounding quotes; "" if valueless
    bool has_value = false;
    bool quoted = false;
};

// Iterates `list` (text after a leading ';', or the whole list) separated by
// `sep`. Usage: size_t pos = 0; Param p; while (next_param(list, pos, p, ';')) ...
// Returns false at the end or on a syntax error (then `pos` == npos).
bool next_param(std::string_view list, size_t& pos, Param& out, char sep = ';');

// First parameter named `name` (case-insensitive); "" for valueless.
std::optional<std::string_view> find_param(std::string_view list, std::string_view name,
                                           char sep = ';');

}  // namespace ser::sip
