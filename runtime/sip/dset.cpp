// The destination set as a Contact header (core-runtime §5), for the
// redirects sl and tm send.
#include "ser/sip/dset.hpp"

#include "ser/sip/msg.hpp"

namespace ser::sip {

std::string q_to_string(int q) {
    if (q >= 1000) return "1";
    if (q <= 0) return "0";
    std::string s = "0.";
    s += char('0' + q / 100);
    q %= 100;
    if (!q) return s;
    s += char('0' + q / 10);
    q %= 10;
    if (!q) return s;
    s += char('0' + q);
    return s;
}

std::string print_dset(const sip::Msg& msg) {
    std::string out;
    auto add = [&](std::string_view uri, int q) {
        out += out.empty() ? "Contact: " : ", ";
        if (q < 0) {
            out += uri;
        } else {
            out += '<';
            out += uri;
            out += ">;q=";
            out += q_to_string(q);
        }
    };
    // The new URI carries no q value in this implementation (SER's ruri_q is
    // never set by the 0.9 core actions).
    if (!msg.new_uri.empty()) add(msg.new_uri, -1);
    for (const auto& b : msg.branches) add(b.uri, b.q);
    if (!out.empty()) out += "\r\n";
    return out;
}

}  // namespace ser::sip
