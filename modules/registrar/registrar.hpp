// registrar (modules.md §7): REGISTER processing into usrloc and the
// look-up of registered contacts.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "ser/api/sl.hpp"
#include "ser/api/usrloc.hpp"
#include "ser/module.hpp"
#include "ser/sip/msg.hpp"

namespace ser::mod::registrar {

// The failures of save(), each with its reply (the table of §7.4).
enum class Err {
    None,
    Parse, NoTo, NoCallId, NoCseq, BadExpires, BadContact, StarExpires, StarMore, BadAor, AorTooLong,
    Unescape, BadQ, BadCseq, TooMany,
    UlDelete, UlGet, UlNew, UlInsert, UlRemove, UlUpdate,
};

class Registrar : public Module {
public:
    // Parameters (§7.1).
    int default_expires = 3600;
    int min_expires = 60;
    int max_expires = 0;
    int default_q = api::kQUnspecified;
    bool append_branches = true;
    bool case_sensitive = false;
    bool desc_time_order = false;
    int nat_flag = 4;
    std::string realm_prefix;
    bool use_domain = false;
    int received_avp = 42;
    std::string received_param = "received";
    int max_contacts = 0;
    int retry_after = 0;

    api::UsrlocApi* ul = nullptr;
    api::SlApi* sl = nullptr;

    bool init(Core& core) override;

    // The address of record of `uri` (§7.3); false + err on failure.
    bool aor_of(std::string_view uri, std::string& out, Err& err) const;

    // save/save_noreply/save_memory: 1 processed, 0 rejected, -1 no reply sent.
    int save(sip::Msg& msg, api::UsrlocDomain* d, bool reply, bool memory);
    int lookup(sip::Msg& msg, api::UsrlocDomain* d);
    int registered(sip::Msg& msg, api::UsrlocDomain* d);

    // "Contact: <c1>;q=..;expires=..;received=\"..\", <c2>...\r\n" of the
    // valid contacts, or "" when there are none.
    std::string contact_list(const std::vector<api::Contact>& contacts, time_t now) const;
    // Sends the reply for `err` (200 when None) with the bindings listed.
    int send_reply(sip::Msg& msg, Err err, const std::vector<api::Contact>* bindings, time_t now);
};

}  // namespace ser::mod::registrar
