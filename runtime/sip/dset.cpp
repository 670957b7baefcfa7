// The destination set as a Contact header (core-runtime §5), for the
// redirects sl and tm send.
#include "ser/sip/dset.hpp"

#include "ser/sip/msg.hpp"

namespace ser::sip {

int append_branch(Msg& msg, std::string_view uri, std::string_view dst_uri, int q) {
    if (msg.branches.size() >= kMaxAppendedBranches) return -12;   // E_TOO_MANY_BRANCHES
    Msg::Branch b;
    b.uri = std::string(uri);
    b.dst_uri = std::string(dst_uri);
    b.q = q;
    msg.branches.push_back(std::move(b));
    return 1;
}

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
