// t_write_req / t_write_unix (modules.md §3.11): hand a request to an
// external application (voicemail, ...) as SER 0.9's "0.3" line format over
// a FIFO or a unix datagram socket; the transaction waits on a blind branch
// until the application answers with the management command t_reply, or
// fr_timer expires (408).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ser::sip { class Msg; }

namespace ser::mod::tm {

class Tm;
struct Transaction;

// One tw_append definition: "name: [title=]avp[spec]; [title=]hdr[Name];
// title=msg[body]".
struct TwAppend {
    struct Element {
        enum class Kind { Avp, Hdr };
        Kind kind = Kind::Hdr;
        std::string title;
        std::string name;   // header name, or the AVP's string name
        int avp_id = 0;     // numeric AVP name (0 = by string)
    };
    std::string name;
    std::vector<Element> elements;
    bool add_body = false;
};

bool parse_tw_append(std::string_view text, TwAppend& out, std::string& error);

// The function's second argument "action[/append]", fixed up.
struct TwInfo {
    std::string action;
    const TwAppend* append = nullptr;
};

// The 20 lines SER wrote (each ends in "\n"); empty + logged when the
// request lacks what they need.
std::string assemble_twrite(const sip::Msg& msg, const Transaction& t, const TwInfo& info);

// Writes to a FIFO without blocking (nobody reading = failure) or sends one
// datagram to a unix socket within `timeout_ms`. False + logged.
bool write_to_fifo(const std::string& path, std::string_view data);
bool write_to_unix(const std::string& path, std::string_view data, int timeout_ms);

}  // namespace ser::mod::tm
