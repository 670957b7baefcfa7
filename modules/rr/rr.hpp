// rr: Record-Route and loose routing (modules.md §4; RFC 3261 §16.4,
// §16.6 step 4, §16.12).
#pragma once

#include <string>
#include <string_view>

#include "ser/module.hpp"
#include "ser/sip/lump.hpp"

namespace ser::mod::rr {

class Rr : public Module {
public:
    // modparams
    bool enable_full_lr = false;
    bool append_fromtag = true;
    bool enable_double_rr = true;
    bool add_username = false;

    bool init(Core& core) override;

    int record_route(sip::Msg& msg);
    int record_route_preset(sip::Msg& msg, std::string_view addr);
    int loose_route(sip::Msg& msg);

private:
    int slot_ = -1;   // Msg::slots: set once record_route() ran on the message
};

// What a Record-Route line is made of, fixed when record_route() runs.
struct RrParts {
    std::string user;     // "" = none
    std::string ftag;     // "" = none
    bool full_lr = false;
    bool double_rr = true;
    // The socket the request came in on (sockets live as long as the
    // server); a build without a send context still gets the inbound entry.
    const SocketInfo* recv = nullptr;
};

// Appends one Record-Route line for `sock` to `out` (address, port unless
// 5060, transport unless UDP); `adv_*` replace the address/port when not empty.
void append_rr_line(std::string& out, const RrParts& p, const SocketInfo& sock, bool r2,
                    std::string_view adv_address = {}, std::string_view adv_port = {});

// The send-time text of record_route(): one line for the receiving socket,
// or, when the request leaves through another socket or transport and
// double RR is on, a line for the sending socket above it, both with r2=on.
void rr_lump_text(const sip::SendContext& ctx, const void* parts, std::string& out);

}  // namespace ser::mod::rr
