// Which session a command names and which side of it (spec
// rtpproxy-protocol §4.2). Pure functions over tags; the session table
// applies them to its list.
#pragma once

#include <optional>
#include <string_view>

#include "rtpproxy/command.hpp"

namespace ser::rtpp {

enum class TagMatch {
    none,
    exact,    // the stored tag equals the command's tag
    stream,   // the command's tag is the stored tag up to its ";<n>" media suffix
};

// `stored`: the tag of the U that created the session; `given`: a tag of
// the command. The given tag must be a prefix of the stored one that ends
// where the stored tag ends or at its ';'.
TagMatch compare_tags(std::string_view stored, std::string_view given);

struct TagHit {
    TagMatch how = TagMatch::none;
    bool via_to_tag = false;   // matched by the command's to-tag, not its from-tag
};

// From-tag first, then the to-tag.
TagHit match_tags(std::string_view stored, std::string_view from_tag, std::optional<std::string_view> to_tag);

// Side index of the party that will receive the SDP: its port is returned
// (side 1 = the party that sent the creating offer, 0 = the other). U via
// from-tag -> 0, U via to-tag -> 1, every other command the other way round.
// The address of the SDP's sender is pre-filled on the other side (1 - it).
inline int reply_side(Verb verb, bool via_to_tag) {
    bool update = verb == Verb::update;
    return (update != via_to_tag) ? 0 : 1;
}

}  // namespace ser::rtpp
