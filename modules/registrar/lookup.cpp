// lookup() and registered() (modules.md §7.5).
#include <ctime>

#include "modules/registrar/registrar.hpp"
#include "ser/sip/dset.hpp"

namespace ser::mod::registrar {

int Registrar::lookup(sip::Msg& msg, api::UsrlocDomain* d) {
    std::string aor;
    Err err = Err::None;
    if (!aor_of(msg.current_uri(), aor, err)) return -1;
    const time_t now = time(nullptr);
    std::vector<api::Contact> contacts;
    if (!ul->get(d, aor, now, contacts, true)) return -3;
    if (contacts.empty()) return -5;

    bool nat = false;
    const api::Contact& first = contacts.front();
    // The request line gets the registered contact; a NATed phone is
    // reached at its received address (the destination URI). Without one
    // the destination URI is left as it was (SER's set_dst_uri only then).
    msg.new_uri = first.uri;
    msg.uri_changed();
    if (!msg.parsed_uri()) return -4;
    if (!first.received.empty()) msg.dst_uri = first.received;
    nat |= (first.flags & api::kFlNat) != 0;
    if (append_branches) {
        for (size_t i = 1; i < contacts.size(); ++i) {
            const api::Contact& c = contacts[i];
            if (sip::append_branch(msg, c.uri, c.received, c.q) < 0) break;   // the set is full
            nat |= (c.flags & api::kFlNat) != 0;
        }
    }
    if (nat && nat_flag > 0 && nat_flag < 32) msg.flags |= 1u << nat_flag;
    return 1;
}

int Registrar::registered(sip::Msg& msg, api::UsrlocDomain* d) {
    std::string aor;
    Err err = Err::None;
    if (!aor_of(msg.current_uri(), aor, err)) return -1;
    std::vector<api::Contact> contacts;
    // The 2005 fix: a record whose contacts all expired is not registered.
    if (!ul->get(d, aor, time(nullptr), contacts, true) || contacts.empty()) return -1;
    return 1;
}

}  // namespace ser::mod::registrar
