// The usrloc module's API (modules.md §6.6): the location table that
// registrar writes and reads and nathelper walks for its NAT pings.
// usrloc exports it at init:
//   export_api<ser::api::UsrlocApi>(core, this);
// users import it at init (usrloc must be loaded before them):
//   ser::api::UsrlocApi* ul = import_api<ser::api::UsrlocApi>(core);
//
// Every table name given to save()/lookup() ("location", "aliases") is a
// domain: register it once at start-up (fix-up time); the handle stays valid
// until shutdown. All calls are thread-safe; a record is edited under its
// own lock, never a table-wide one.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ser::api {

// Contact flags (SER's FL_*), stored with the contact and in the DB.
enum ContactFlags : unsigned {
    kFlNat = 1u << 0,         // registered from behind a NAT
    kFlPermanent = 1u << 7,   // never expires
    kFlMem = 1u << 8,         // never written to the database (save_memory)
};

constexpr int kQUnspecified = -1;   // q in thousandths (0..1000) or unspecified

// What a REGISTER writes for one contact. Views: the caller's memory, copied.
struct ContactInfo {
    std::string_view uri;          // the Contact URI exactly as received: the contact's identity
    std::string_view received;     // empty: none (nathelper's received URI)
    std::string_view callid;
    std::string_view user_agent;
    std::string_view socket;       // "proto:ip:port" it registered through; empty: unknown
    time_t expires = 0;            // absolute UNIX time
    int q = kQUnspecified;
    uint32_t cseq = 0;
    unsigned flags = 0;
    int replicate = 0;
};

// One stored contact, copied out.
struct Contact {
    std::string uri, received, callid, user_agent, socket;
    time_t expires = 0;
    int q = kQUnspecified;
    uint32_t cseq = 0;
    unsigned flags = 0;
    int replicate = 0;

    // Valid = not expired (or permanent); expired contacts wait for the timer.
    bool valid(time_t now) const { return expires > now || (flags & kFlPermanent); }
};

// A record (one AOR) while its lock is held: the edit callback of
// UsrlocApi::edit gets one. Contacts are matched by their exact URI.
class Record {
public:
    virtual ~Record() = default;
    virtual std::string_view aor() const = 0;
    // Contacts in record order (q descending, older first; see desc_time_order).
    // valid_only: skip expired ones (as lookups see the record).
    virtual void contacts(std::vector<Contact>& out, time_t now, bool valid_only) const = 0;
    // Number of valid contacts (registrar's max_contacts).
    virtual size_t valid_count(time_t now) const = 0;
    virtual bool has(std::string_view uri) const = 0;
    // Changes. false = usrloc failure (registrar answers 500 with the
    // matching P-Registrar-Error). In db_mode 1 a failed insert counts; a
    // failed update or delete is kept in memory and retried by the timer.
    // In db_mode 3 (database only) every failed write counts.
    virtual bool insert(const ContactInfo& c) = 0;
    // Updates expires, q, callid, cseq, user_agent, received, socket, flags
    // (replaced: the caller computes set/cleared bits). to_head: move first.
    virtual bool update(const ContactInfo& c, bool to_head) = 0;
    virtual bool remove(std::string_view uri) = 0;
    virtual bool remove_all() = 0;
};

class UsrlocDomain;   // opaque: a registered table

// A NATed contact for nathelper's pinger: where to send the ping.
struct PingTarget {
    std::string uri;      // received URI if stored, else the contact URI (no validity check, as SER)
    std::string socket;   // "proto:ip:port" it registered through, or empty (always in db_mode 3:
                          // the 0.9 table has no socket column)
};

class UsrlocApi {
public:
    static constexpr std::string_view kName = "usrloc";
    static constexpr uint32_t kVersion = 1;

    virtual ~UsrlocApi() = default;

    // Registers (or returns) the domain for `table`; in DB modes the first
    // registration checks the table version, and modes 1 and 2 load the
    // table into memory (mode 3 keeps nothing in memory). Start-up only
    // (fix-ups). Null + error on failure.
    virtual UsrlocDomain* register_domain(std::string_view table, std::string& error) = 0;
    virtual std::string_view domain_name(const UsrlocDomain* d) const = 0;
    // usrloc's use_domain (registrar must use the same).
    virtual bool use_domain() const = 0;

    // Runs `fn` on the record of `aor` under the record's lock; the record
    // is created if missing and dropped afterwards if left with no contact.
    // `fn` must not call back into usrloc. Returns what `fn` returned; false
    // also when usrloc itself failed (then `error` says which step).
    virtual bool edit(UsrlocDomain* d, std::string_view aor, const std::function<bool(Record&)>& fn,
                      std::string& error) = 0;

    // Copies the contacts of `aor` (valid ones only, or all). Returns false
    // when the AOR has no record (in db_mode 3 also when the database
    // cannot be read; usrloc logs that).
    virtual bool get(UsrlocDomain* d, std::string_view aor, time_t now, std::vector<Contact>& out,
                     bool valid_only = true) = 0;

    // Every contact of every domain whose flags contain all bits of `flags`
    // (nathelper: kFlNat).
    virtual void ping_targets(unsigned flags, std::vector<PingTarget>& out) = 0;
};

}  // namespace ser::api
