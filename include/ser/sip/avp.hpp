// Attribute-value pairs (SER's AVPs) attached to a message for one script
// run, and to a transaction for its failure and reply routes (tm copies
// them). Names are numeric ids (registrar's received_avp = 42) or strings;
// values integers or strings. nathelper's fix_nated_register() adds the
// received URI that registrar's save() stores.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ser::sip {

struct Avp {
    int id = 0;              // numeric name; 0 when named by `name`
    std::string name;        // string name; empty when numeric
    bool is_str = false;
    int64_t i = 0;
    std::string s;
};

using Avps = std::vector<Avp>;

// The most recently added AVP with numeric name `id`, or null.
inline const Avp* find_avp(const Avps& avps, int id) {
    for (auto it = avps.rbegin(); it != avps.rend(); ++it)
        if (it->name.empty() && it->id == id) return &*it;
    return nullptr;
}

inline void add_avp_str(Avps& avps, int id, std::string_view value) {
    Avp a;
    a.id = id;
    a.is_str = true;
    a.s = std::string(value);
    avps.push_back(std::move(a));
}

inline void add_avp_int(Avps& avps, int id, int64_t value) {
    Avp a;
    a.id = id;
    a.i = value;
    avps.push_back(std::move(a));
}

}  // namespace ser::sip
