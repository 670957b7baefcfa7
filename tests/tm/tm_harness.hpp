// In-process tm scenarios: the real parser, loader, engine, core and tm
// (and sl/rr/textops when loaded) with a recording transport and a manual
// clock, so timers (RFC 3261 A/B/E/F/G/H/D/K) are stepped exactly.
#pragma once

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/script/harness.hpp"

namespace ser::test {

// The checklist's phones (modules.md conformance conventions).
inline constexpr uint16_t kUac = 5080, kUas1 = 5070, kUas2 = 5071;

inline std::string tm_cfg(const std::string& routes, const std::string& head = "") {
    return "listen=udp:127.0.0.1:5060\nloadmodule \"sl.so\"\nloadmodule \"tm.so\"\nloadmodule \"textops.so\"\n" +
           head + routes;
}

inline std::string inv(const std::string& branch = "z9hG4bK-1", const std::string& ruri = "sip:bob@127.0.0.1:5070",
                       const std::string& extra = "", const std::string& method = "INVITE",
                       const std::string& to_tag = "") {
    std::string body = method == "INVITE" ? "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n" : "";
    return method + " " + ruri + " SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=" + branch + "\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:alice@example.com>;tag=ft1\r\n"
           "To: <sip:bob@example.com>" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n"
           "Call-ID: c1\r\n"
           "CSeq: 1 " + (method == "ACK" || method == "CANCEL" ? std::string(method) : method) + "\r\n"
           "Contact: <sip:alice@10.0.0.5:5060>\r\n" + extra +
           (body.empty() ? "" : "Content-Type: application/sdp\r\n") +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class TmHarness : public Harness {
public:
    size_t seen = 0;   // tx.sent entries already looked at

    void advance(uint64_t ms) { server.timer_wheel().advance(ms); }

    // Messages sent since the last call.
    std::vector<Sent> fresh() {
        std::vector<Sent> out(tx.sent.begin() + long(seen), tx.sent.end());
        seen = tx.sent.size();
        return out;
    }
    std::vector<Sent> fresh_to(uint16_t port) {
        std::vector<Sent> out;
        for (auto& s : fresh())
            if (s.to_port == port) out.push_back(s);
        return out;
    }

    // A reply from a UAS to a request we forwarded: Vias copied, To tag added.
    static std::string reply_to(const std::string& req, int code, const std::string& reason,
                                const std::string& to_tag = "tt1", const std::string& extra = "") {
        std::string out = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
        size_t pos = req.find("\r\n") + 2;
        while (pos < req.size()) {
            size_t e = req.find("\r\n", pos);
            std::string line = req.substr(pos, e - pos);
            pos = e + 2;
            if (line.empty()) break;
            std::string name = line.substr(0, line.find(':'));
            if (name == "Via" || name == "From" || name == "Call-ID" || name == "CSeq" || name == "Record-Route")
                out += line + "\r\n";
            else if (name == "To")
                out += line + (code > 100 && line.find(";tag=") == std::string::npos ? ";tag=" + to_tag : "") + "\r\n";
        }
        return out + extra + "Content-Length: 0\r\n\r\n";
    }

    void from_uas(const std::string& req, int code, const std::string& reason, uint16_t port = kUas1,
                  const std::string& tag = "tt1") {
        receive(reply_to(req, code, reason, tag), "127.0.0.1", port);
    }
};

inline std::string first_line(const std::string& m) { return m.substr(0, m.find("\r\n")); }

inline std::vector<std::string> hdrs(const std::string& m, const std::string& name) {
    std::vector<std::string> out;
    size_t pos = m.find("\r\n") + 2;
    while (pos < m.size()) {
        size_t e = m.find("\r\n", pos);
        if (e == pos) break;
        std::string line = m.substr(pos, e - pos);
        auto c = line.find(':');
        if (c != std::string::npos && line.substr(0, c) == name) {
            size_t v = c + 1;
            while (v < line.size() && line[v] == ' ') ++v;
            out.push_back(line.substr(v));
        }
        pos = e + 2;
    }
    return out;
}

}  // namespace ser::test
