// loose_route() (modules.md §4.4; RFC 3261 §16.4, §16.12): our own Route
// entries are removed, a loose next hop becomes the destination URI, a
// strict one the Request-URI.
#include <vector>

#include <boost/container/small_vector.hpp>

#include "modules/rr/rr.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/params.hpp"

namespace ser::mod::rr {

namespace {

// One Route entry with where it lies in the buffer.
struct RouteEntry {
    std::string_view uri;
    const sip::HeaderField* hdr = nullptr;
    uint32_t off = 0, len = 0;        // the entry (trimmed)
    uint32_t cut_off = 0, cut_len = 0;   // what removing it takes out (the line, or the entry and a comma)
    bool removed = false;
};

// A request's Route entries: inline for the usual few, no allocation.
using Routes = boost::container::small_vector<RouteEntry, 4>;

// Lumps for the removed entries: a header whose entries all go is removed
// as a whole line, otherwise each entry with one comma.
void apply_removals(sip::Msg& msg, const Routes& routes) {
    for (size_t i = 0; i < routes.size();) {
        size_t j = i;
        bool all = true, any = false;
        while (j < routes.size() && routes[j].hdr == routes[i].hdr) {
            all = all && routes[j].removed;
            any = any || routes[j].removed;
            ++j;
        }
        if (all) {
            msg.lumps.remove(routes[i].hdr->offset, routes[i].hdr->length);
        } else if (any) {
            for (size_t k = i; k < j; ++k)
                if (routes[k].removed) msg.lumps.remove(routes[k].cut_off, routes[k].cut_len);
        }
        i = j;
    }
}

bool collect_routes(const sip::Msg& msg, Routes& out) {
    std::vector<sip::NameAddr> list;   // one buffer for every Route line
    for (const sip::HeaderField* h = msg.header(sip::HdrType::Route); h; h = msg.next_header(h)) {
        list.clear();
        if (!sip::parse_name_addr_list(h->value, list) || list.empty()) return false;
        const uint32_t base = msg.offset_of(h->value);
        for (size_t i = 0; i < list.size(); ++i) {
            RouteEntry e;
            e.uri = list[i].uri;
            e.hdr = h;
            e.off = base + list[i].offset;
            e.len = list[i].length;
            if (list.size() == 1) {
                e.cut_off = h->offset;
                e.cut_len = h->length;
            } else if (i + 1 < list.size()) {
                e.cut_off = e.off;   // up to the next entry: takes the comma along
                e.cut_len = base + list[i + 1].offset - e.off;
            } else {
                const uint32_t prev_end = base + list[i - 1].offset + list[i - 1].length;
                e.cut_off = prev_end;   // from the previous entry's end: the comma before
                e.cut_len = e.off + e.len - prev_end;
            }
            out.push_back(e);
        }
    }
    return true;
}

bool is_loose(const sip::Uri& u) { return sip::find_param(u.params, "lr").has_value(); }

// The decision of §4.4 over the parsed entries; removals are marked.
int route_request(Core& core, bool enable_double_rr, sip::Msg& msg, const sip::Uri& ruri_in,
                  Routes& routes) {
    const sip::Uri* ruri = &ruri_in;
    // Host and port against every socket and alias, any transport (SER's
    // check_self(host, port, 0); core-runtime §2).
    auto myself = [&](const sip::Uri& u) { return core.is_myself(u.host, u.port, PROTO_NONE); };
    auto remove = [](RouteEntry& e) { e.removed = true; };
    auto set_ruri = [&](std::string_view uri) {
        msg.new_uri = std::string(uri);
        msg.uri_changed();
    };
    // The To tag is the only in-dialog test; an empty tag counts as none
    // (SER's is_preloaded()).
    const sip::NameAddr* to = msg.to();
    if (!to) return -1;
    const bool in_dialog = to->tag && !to->tag->empty();
    size_t i = 0;
    sip::Uri u;
    if (!sip::parse_uri(routes[0].uri, u)) return -1;

    if (in_dialog && myself(*ruri)) {
        // The previous hop was a strict router and put our URI into the
        // Request-URI: the real target is the last Route (after-strict).
        if (myself(u)) {
            remove(routes[0]);
            if (routes.size() < 2) return -1;
            i = 1;
            if (!sip::parse_uri(routes[1].uri, u)) return -1;
        }
        if (!is_loose(u)) {
            set_ruri(routes[i].uri);
            remove(routes[i]);
            return 1;
        }
        msg.dst_uri = std::string(routes[i].uri);
        if (routes.size() <= i + 1) return -1;
        RouteEntry& last = routes.back();
        set_ruri(last.uri);
        remove(last);
        return 1;
    }

    // after-loose (in dialog, or a pre-loaded route on an initial request).
    if (myself(u)) {
        remove(routes[0]);
        i = 1;
        // With r2 the next entry is our second one (a change of interface or
        // transport); like SER it goes without a check of its own.
        if (enable_double_rr && sip::find_param(u.params, "r2") && routes.size() > 1) {
            remove(routes[1]);
            i = 2;
        }
        // Nothing further: in a dialog the request goes to its R-URI (the
        // 2005 fix returns 1 here also after a double RR).
        if (routes.size() <= i) return in_dialog ? 1 : -1;
        if (!sip::parse_uri(routes[i].uri, u)) return -1;
    }
    if (is_loose(u)) {
        msg.dst_uri = std::string(routes[i].uri);
        return 1;
    }
    // A strict next hop: it becomes the Request-URI, the original target
    // goes to the end of the route set (RFC 3261 §16.6 step 6).
    // The request line as received (SER's save_ruri), even if the script
    // rewrote the R-URI before.
    msg.lumps.insert(msg.headers_end(), "Route: <" + std::string(msg.ruri()) + ">\r\n");
    set_ruri(routes[i].uri);
    remove(routes[i]);
    return 1;
}


}  // namespace

int Rr::loose_route(sip::Msg& msg) {
    if (!msg.is_request() || !msg.header(sip::HdrType::Route)) return -1;
    const sip::Uri* ruri = msg.parsed_uri();
    if (!ruri) return -1;
    Routes routes;
    if (!collect_routes(msg, routes)) {
        SER_DBG("rr: unparsable Route header");
        return -1;
    }
    const int r = route_request(core(), enable_double_rr, msg, *ruri, routes);
    apply_removals(msg, routes);
    return r;
}

}  // namespace ser::mod::rr
