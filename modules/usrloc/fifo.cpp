#include "modules/usrloc/fifo.hpp"

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modules/usrloc/record_view.hpp"
#include "modules/usrloc/usrloc.hpp"
#include "ser/log.hpp"
#include "ser/sip/dset.hpp"
#include "ser/text.hpp"

namespace ser::mod::usrloc {

namespace {

// What ul_add gives a new contact ("dedicated to Douglas Adams").
constexpr std::string_view kFifoCallid = "The-Answer-To-The-Ultimate-Question-Of-Life-Universe-And-Everything";
constexpr uint32_t kFifoCseq = 42;
constexpr std::string_view kFifoUa = "SIP Express Router FIFO";

// The next argument line without trailing blanks, or nullopt when missing
// or empty (SER's read_line + len check).
std::optional<std::string> arg(FifoRequest& req) {
    auto l = req.read_line();
    if (!l) return std::nullopt;
    while (!l->empty() && (l->back() == ' ' || l->back() == '\t' || l->back() == '\r' || l->back() == '\n'))
        l->pop_back();
    if (l->empty()) return std::nullopt;
    return l;
}

// The AOR argument: lower-cased; without use_domain cut at '@'. `shown` is
// the line as SER printed it back: its AOR part lower-cased in place.
struct AorArg {
    std::string aor, shown;
};

bool aor_arg(const std::string& line, bool use_domain, AorArg& out) {
    size_t at = line.find('@');
    if (use_domain && at == std::string::npos) return false;
    size_t len = (!use_domain && at != std::string::npos) ? at : line.size();
    out.aor = to_lower(std::string_view(line).substr(0, len));
    out.shown = out.aor + line.substr(len);
    return true;
}

// SER's str2int: decimal digits only, no sign.
bool str2int(std::string_view s, uint32_t& out) {
    uint32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + uint32_t(c - '0');
    }
    out = v;
    return true;
}

// SER's str2q: "0", "1", "1.0", "0.5", ".25", up to three decimals used.
std::optional<int> str2q(std::string_view s) {
    enum { kStart, k0, k1, k0Pt, k1Pt, k1Pt0, k0PtN } st = kStart;
    int q = 0, order = 100, digits = 1;
    for (char c : s) {
        switch (st) {
        case kStart:
            if (c == ' ' || c == '\t') break;
            if (c == '0') q = 0, st = k0;
            else if (c == '1') q = 1000, st = k1;
            else if (c == '.') st = k0Pt;
            else return std::nullopt;
            break;
        case k0:
            if (c == '0') break;
            if (c == '.') st = k0Pt;
            else if (c == '1') q = 1000, st = k1;
            else return std::nullopt;
            break;
        case k1:
            if (c != '.') return std::nullopt;
            st = k1Pt;
            break;
        case k0Pt:
            if (c < '0' || c > '9') return std::nullopt;
            q = (c - '0') * order;
            order /= 10;
            st = k0PtN;
            break;
        case k1Pt:
        case k1Pt0:
            if (c != '0') return std::nullopt;
            st = k1Pt0;
            break;
        case k0PtN:
            if (c < '0' || c > '9') return std::nullopt;
            if (digits <= 3) {
                q += (c - '0') * order;
                order /= 10;
                ++digits;
            }
            break;
        }
    }
    if (st == kStart || st == k0Pt || st == k1Pt) return std::nullopt;
    return q;
}

std::string q_text(int q) { return q == api::kQUnspecified ? std::string() : sip::q_to_string(q); }

std::string ptr_text(const void* p) { return p ? fmt::format("{}", p) : std::string("(nil)"); }

Usrloc& ul_of(Module& self) { return self_as<Usrloc>(self); }

// The domains as the commands show them: the registered ones, or in db_mode
// 3 each read from its table into a domain of the command's own. False +
// the reply when a table cannot be read.
struct Shown {
    std::vector<Domain*> registered;
    std::vector<Domain*> domains;                // registered[i] as shown
    std::vector<std::unique_ptr<Domain>> read;   // db_mode 3
};

bool shown_domains(Usrloc& ul, Shown& out, std::string& failure) {
    out.registered = ul.domains();
    out.domains = out.registered;
    if (!ul.db_only()) return true;
    for (Domain*& d : out.domains) {
        auto copy = std::make_unique<Domain>(d->name());
        if (!ul.read_table(*d, *copy)) {
            failure = fmt::format("500 Error while reading table '{}'\n", d->name());
            return false;
        }
        d = copy.get();
        out.read.push_back(std::move(copy));
    }
    return true;
}

void dump_domain(Domain& d, FifoRequest& req, time_t now) {
    // d_ll: the records in the order they are printed.
    const Urecord* first = nullptr;
    const Urecord* last = nullptr;
    long n = 0;
    for (uint32_t i = 0; i < Domain::kSlots; ++i) {
        Shard& s = d.shard(i);
        std::lock_guard g(s.mu);
        d.for_each(s, [&](const Urecord& r) {
            if (!first) first = &r;
            last = &r;
            ++n;
        });
    }
    req.reply(fmt::format("---Domain---\nname : '{}'\nsize : {}\ntable: {}\nd_ll {{\n    n    : {}\n"
                          "    first: {}\n    last : {}\n}}\n",
                          d.name(), Domain::kSlots, ptr_text(&d.shard(0)), n, ptr_text(first), ptr_text(last)));
    if (n > 0) {
        req.reply("\n");
        for (uint32_t i = 0; i < Domain::kSlots; ++i) {
            Shard& s = d.shard(i);
            std::string out;
            {
                std::lock_guard g(s.mu);
                d.for_each(s, [&](const Urecord& r) {
                    out += fmt::format("...Record({})...\ndomain: '{}'\naor   : '{}'\n", ptr_text(&r), d.name(),
                                       r.aor());
                    const Ucontact* prev = nullptr;
                    for (const Ucontact* c = r.contacts; c; prev = c, c = c->next) {
                        std::string exp = now > c->expires ? fmt::format("-{}", uint32_t(now - c->expires))
                                                           : fmt::format("{}", uint32_t(c->expires - now));
                        out += fmt::format(
                            "~~~Contact({})~~~\ndomain    : '{}'\naor       : '{}'\nContact   : '{}'\n"
                            "Expires   : {}\nq         : {}\nCall-ID   : '{}'\nCSeq      : {}\n"
                            "replic    : {}\nUser-Agent: '{}'\nreceived  : '{}'\nState     : {}\n"
                            "Flags     : {}\nnext      : {}\nprev      : {}\n~~~/Contact~~~~\n",
                            ptr_text(c), d.name(), r.aor(), c->uri(), exp, q_text(c->q), c->callid(),
                            int32_t(c->cseq), uint32_t(c->replicate), c->user_agent(), c->received(),
                            state_name(c->state), c->flags, ptr_text(c->next), ptr_text(prev));
                    }
                    out += ".../Record...\n";
                });
            }
            if (!out.empty()) req.reply(out);
        }
        req.reply("\n");
    }
    req.reply("---/Domain---\n");
}

}  // namespace

int fifo_ul_stats(Module& self, FifoRequest& req) {
    Shown shown;
    std::string failure;
    if (!shown_domains(ul_of(self), shown, failure)) {
        req.reply(failure);
        return 1;
    }
    std::string out = "200 ok\nDomain Registered Expired\n";
    // Expired: counted by this instance's timer (db_mode 3: rows it deleted).
    for (size_t i = 0; i < shown.domains.size(); ++i)
        out += fmt::format("'{}' {} {}\n", shown.domains[i]->name(), shown.domains[i]->records(),
                           shown.registered[i]->expired.load());
    req.reply(out);
    return 1;
}

int fifo_ul_dump(Module& self, FifoRequest& req) {
    Shown shown;
    std::string failure;
    if (!shown_domains(ul_of(self), shown, failure)) {
        req.reply(failure);
        return 1;
    }
    req.reply("200 ok\n===Domain list===\n");
    const time_t now = time(nullptr);
    for (Domain* d : shown.domains) dump_domain(*d, req, now);
    req.reply("===/Domain list===\n");
    return 1;
}

int fifo_ul_flush(Module& self, FifoRequest& req) {
    ul_of(self).synchronize(time(nullptr));
    req.reply("200 ul_flush completed\n");
    return 1;
}

int fifo_ul_show_contact(Module& self, FifoRequest& req) {
    Usrloc& ul = ul_of(self);
    auto table = arg(req);
    if (!table) {
        req.reply("400 ul_show_contact: table name expected\n");
        SER_ERR("ERROR: ul_show_contact: table name expected");
        return 1;
    }
    auto user = arg(req);
    if (!user) {
        req.reply("400 ul_show_contact: user name expected\n");
        SER_ERR("ERROR: ul_show_contact: user name expected");
        return 1;
    }
    AorArg a;
    if (!aor_arg(*user, ul.use_domain(), a)) {
        req.reply("400 ul_show_contact: user@domain expected\n");
        SER_ERR("ERROR: ul_show_contact: Domain missing");
        return 1;
    }
    Domain* d = ul.find_domain(*table);
    if (!d) {
        req.reply(fmt::format("400 table ({}) not found\n", *table));
        return 1;
    }
    const time_t now = time(nullptr);
    auto show = [&](const Urecord* r) {
        if (!r) return fmt::format("404 Username {} in table {} not found\n", a.shown, *table);
        std::string out;
        for (const Ucontact* c = r->contacts; c; c = c->next) {
            if (!c->valid(now)) continue;
            if (out.empty()) out = "200 OK\n";
            // [quirk] an unspecified q prints as ";q=;"
            out += fmt::format("<{}>;q={};expires={}\n", c->uri(), q_text(c->q), int(c->expires - now));
        }
        return out.empty() ? std::string("404 No registered contacts found\n") : out;
    };
    AorHash h = hash_aor(a.aor);
    if (ul.db_only()) {
        RecordPtr r;
        req.reply(ul.read_record(*d, a.aor, h.high, r) ? show(r.get())
                                                       : fmt::format("500 Error while reading table '{}'\n", *table));
        return 1;
    }
    Shard& s = d->shard(h.shard);
    std::string out;
    {
        std::lock_guard g(s.mu);
        out = show(d->find(s, a.aor, h.high));
    }
    req.reply(out);
    return 1;
}

int fifo_ul_add(Module& self, FifoRequest& req) {
    Usrloc& ul = ul_of(self);
    auto table = arg(req);
    if (!table) {
        req.reply("400 ul_add: table name expected\n");
        SER_ERR("ERROR: ul_add: table name expected");
        return 1;
    }
    auto user = arg(req);
    if (!user) {
        req.reply("400 ul_add: aor name expected\n");
        SER_ERR("ERROR: ul_add: aor expected");
        return 1;
    }
    AorArg a;
    if (!aor_arg(*user, ul.use_domain(), a)) {
        req.reply("400 ul_add: username@domain expected\n");
        SER_ERR("ERROR: ul_add: Domain missing");
        return 1;
    }
    const char* missing[] = {"contact", "expires", "q", "replicate", "flags"};
    std::string v[5];
    for (int i = 0; i < 5; ++i) {
        auto l = arg(req);
        if (!l) {
            req.reply(fmt::format("400 ul_add: {} expected\n", missing[i]));
            SER_ERR("ERROR: ul_add: {} expected", missing[i]);
            return 1;
        }
        v[i] = std::move(*l);
    }
    const std::string& contact = v[0];
    Domain* d = ul.find_domain(*table);
    if (!d) {
        req.reply(fmt::format("400 Table '{0}' not found in memory, use save(\"{0}\") or lookup(\"{0}\") in the "
                              "configuration script first\n",
                              *table));
        return 1;
    }
    uint32_t expires = 0, replicate = 0, flags = 0;
    if (!str2int(v[1], expires)) {
        req.reply("400 Invalid expires format\n");
        return 1;
    }
    auto q = str2q(v[2]);
    if (!q) {
        req.reply("400 Invalid q value\n");
        return 1;
    }
    if (!str2int(v[3], replicate)) {
        req.reply("400 Invalid replicate format\n");
        return 1;
    }
    if (!str2int(v[4], flags)) {
        req.reply("400 Invalid flags format\n");
        return 1;
    }

    bool ok = false;
    if (expires == 0 && !(flags & api::kFlPermanent)) {
        SER_ERR("fifo_add_contact(): expires == 0 and not persistent contact, giving up");
    } else {
        api::ContactInfo ci;
        ci.uri = contact;
        ci.callid = kFifoCallid;
        ci.user_agent = kFifoUa;
        ci.expires = time(nullptr) + time_t(expires);
        ci.q = *q;
        ci.cseq = kFifoCseq;
        ci.flags = flags;
        ci.replicate = int(replicate);
        RecordView rv(ul, *d, a.aor);
        const Ucontact* old = rv.find_any(contact);
        if (rv.error()) {
            ok = false;   // db_mode 3: the record could not be read
        } else if (old) {
            // An existing contact: new expires, q and replicate, flags OR-ed,
            // received cleared; the socket it registered through stays.
            ci.flags |= old->flags;
            ci.socket = old->socket();
            ok = rv.update_replicate(ci);
        } else {
            ok = rv.insert(ci);
        }
    }
    if (!ok) {
        SER_ERR("ul_add(): Error while adding contact ('{}','{}') in table '{}'", a.aor, contact, *table);
        req.reply(fmt::format("500 Error while adding contact\n ('{}','{}') in table '{}'\n", a.aor, contact, *table));
        return 1;
    }
    req.reply(fmt::format("200 Added to table\n('{}','{}') to '{}'\n", a.aor, contact, *table));
    return 1;
}

int fifo_ul_rm(Module& self, FifoRequest& req) {
    Usrloc& ul = ul_of(self);
    auto table = arg(req);
    if (!table) {
        req.reply("400 ul_rm: table name expected\n");
        SER_ERR("ERROR: ul_rm: table name expected");
        return 1;
    }
    auto user = arg(req);
    if (!user) {
        req.reply("400 ul_rm: user name expected\n");
        SER_ERR("ERROR: ul_rm: user name expected");
        return 1;
    }
    AorArg a;
    if (!aor_arg(*user, ul.use_domain(), a)) {
        req.reply("400 ul_rm: username@domain expected\n");
        SER_ERR("ERROR: ul_rm: Domain missing");
        return 1;
    }
    Domain* d = ul.find_domain(*table);
    SER_INFO("INFO: deleting user-loc ({},{})", *table, a.shown);
    if (!d) {
        req.reply(fmt::format("400 table ({}) not found\n", *table));
        return 1;
    }
    bool ok;
    {
        RecordView rv(ul, *d, a.aor);
        ok = !rv.error() && rv.remove_all();
    }
    if (!ok) {
        SER_ERR("ul_rm(): Error while deleting user {}", a.shown);
        req.reply(fmt::format("500 Error while deleting user {}\n", a.shown));
        return 1;
    }
    req.reply(fmt::format("200 user ({}, {}) deleted\n", *table, a.shown));
    return 1;
}

int fifo_ul_rm_contact(Module& self, FifoRequest& req) {
    Usrloc& ul = ul_of(self);
    auto table = arg(req);
    if (!table) {
        req.reply("400 ul_rm_contact: table name expected\n");
        SER_ERR("ERROR: ul_rm_contact: table name expected");
        return 1;
    }
    auto user = arg(req);
    if (!user) {
        req.reply("400 ul_rm_contact: user name expected\n");
        SER_ERR("ERROR: ul_rm_contact: user name expected");
        return 1;
    }
    AorArg a;
    if (!aor_arg(*user, ul.use_domain(), a)) {
        req.reply("400 ul_rm_contact: user@domain expected\n");
        SER_ERR("ERROR: ul_rm_contact: Domain missing");
        return 1;
    }
    auto contact = arg(req);
    if (!contact) {
        req.reply("400 ul_rm_contact: contact expected\n");
        SER_ERR("ERROR: ul_rm_contact: contact expected");
        return 1;
    }
    Domain* d = ul.find_domain(*table);
    SER_INFO("INFO: deleting user-loc contact ({},{},{})", *table, a.shown, *contact);
    if (!d) {
        req.reply(fmt::format("400 table ({}) not found\n", *table));
        return 1;
    }
    std::string out;
    {
        RecordView rv(ul, *d, a.aor);
        if (rv.error())   // db_mode 3: the record could not be read
            out = fmt::format("500 ul_rm_contact: Error while deleting contact {}\n", *contact);
        else if (!rv.exists())
            out = fmt::format("404 Username {} in table {} not found\n", a.shown, *table);
        else if (!rv.find_any(*contact))
            out = fmt::format("404 Contact {} in table {} not found\n", *contact, *table);
        else if (!rv.remove_any(*contact))
            out = fmt::format("500 ul_rm_contact: Error while deleting contact {}\n", *contact);
        else
            out = fmt::format("200 Contact ({}, {}) deleted from table {}\n", a.shown, *contact, *table);
    }
    req.reply(out);
    return 1;
}

}  // namespace ser::mod::usrloc
