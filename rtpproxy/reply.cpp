#include "rtpproxy/reply.hpp"

namespace ser::rtpp {

namespace {

std::string with_cookie(std::string_view cookie) {
    std::string out;
    if (!cookie.empty()) {
        out.reserve(cookie.size() + 24);
        out.append(cookie);
        out.push_back(' ');
    }
    return out;
}

}  // namespace

std::string reply_error(std::string_view cookie, Error e) {
    std::string out = with_cookie(cookie);
    out.push_back('E');
    out += std::to_string(static_cast<int>(e));
    out.push_back('\n');
    return out;
}

std::string reply_ok(std::string_view cookie) {
    if (cookie.empty()) return "0\n";
    std::string out(cookie);
    out.push_back('\n');
    return out;
}

std::string reply_port(std::string_view cookie, uint16_t port, std::string_view host, bool ipv6) {
    std::string out = with_cookie(cookie);
    out += std::to_string(port);
    if (!host.empty()) {
        out.push_back(' ');
        out.append(host);
        if (ipv6) out += " 6";
    }
    out.push_back('\n');
    return out;
}

std::string reply_text(std::string_view cookie, std::string_view text) {
    std::string out = with_cookie(cookie);
    out.append(text);
    out.push_back('\n');
    return out;
}

}  // namespace ser::rtpp
