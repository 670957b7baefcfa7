// name-addr / addr-spec entries of To, From, Contact, Route, Record-Route
// (RFC 3261 §20.10, §20.20, §20.39; §25.1 name-addr grammar).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ser::sip {

struct NameAddr {
    std::string_view display;      // as written (quotes kept), may be empty
    std::string_view uri;          // without <>; "*" for a Contact star
    std::string_view params;       // header params after the URI, without the leading ';'
    std::optional<std::string_view> tag;   // tag= value
    uint32_t uri_offset = 0;       // offset of `uri` in the text given to the parser
    uint32_t offset = 0, length = 0;       // this entry in that text (trimmed)
    bool angle = false;            // URI was written in <>

    bool is_star() const { return uri == "*"; }
};

// One entry filling the whole text (To, From). Rejects unterminated quotes,
// non-token display names, LWS inside <>, an addr-spec with '?' or without a
// scheme, empty params, and several comma-separated values.
bool parse_name_addr(std::string_view text, NameAddr& out);

// Comma-separated entries (Contact, Route, Record-Route). A lone "*" is
// accepted as one entry (Contact). Appends to `out`; false on a syntax error.
bool parse_name_addr_list(std::string_view text, std::vector<NameAddr>& out);

// Parses one entry at text[pos]; `pos` moves past the following comma.
// `allow_star` accepts "*". Used by both functions above.
bool parse_name_addr_at(std::string_view text, size_t& pos, NameAddr& out, bool allow_star);

}  // namespace ser::sip
