#include "rtpproxy/session_match.hpp"

namespace ser::rtpp {

TagMatch compare_tags(std::string_view stored, std::string_view given) {
    if (stored.size() < given.size() || stored.compare(0, given.size(), given) != 0) return TagMatch::none;
    if (stored.size() == given.size()) return TagMatch::exact;
    return stored[given.size()] == ';' ? TagMatch::stream : TagMatch::none;
}

TagHit match_tags(std::string_view stored, std::string_view from_tag, std::optional<std::string_view> to_tag) {
    TagHit hit;
    hit.how = compare_tags(stored, from_tag);
    if (hit.how != TagMatch::none) return hit;
    if (to_tag) {
        hit.how = compare_tags(stored, *to_tag);
        hit.via_to_tag = hit.how != TagMatch::none;
    }
    return hit;
}

}  // namespace ser::rtpp
