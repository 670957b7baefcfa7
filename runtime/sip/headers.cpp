// Header name -> kind lookup (runtime/sip/header_names.hpp) and back.
#include "ser/sip/header.hpp"

#include "runtime/sip/header_names.hpp"

namespace ser::sip {

using namespace detail;

HdrType header_type(std::string_view name) { return classify_header(name.data(), name.size()); }

std::string_view header_name(HdrType t) {
    for (const Name& n : kNames)
        if (n.type == t) return n.text;
    return {};
}

}  // namespace ser::sip
