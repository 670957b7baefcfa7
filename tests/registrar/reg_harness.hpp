// registrar.so with sl.so and usrloc.so loaded by the real loader from a
// config (tests/script/harness.hpp): REGISTER and INVITE builders, the
// replies and forwarded requests they cause, and the stored bindings read
// through the usrloc API.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "runtime/core/log_sink.hpp"
#include "ser/api.hpp"
#include "ser/api/usrloc.hpp"
#include "ser/log.hpp"
#include "tests/script/harness.hpp"

namespace ser::test::registrar {

// The checklist's base route (modules.md checklist 60-79), with a
// stateless forward instead of t_relay: the tests look at one request.
inline const char* kRoute =
    "if (method==\"REGISTER\") { save(\"location\"); break; };"
    " if (!lookup(\"location\")) { sl_send_reply(\"404\",\"Not Found\"); break; };"
    " forward(uri:host, uri:port);";

// A REGISTER from the UAC at 127.0.0.1:5080 for sip:alice@127.0.0.1.
// `headers`: header lines (CRLF-terminated), e.g. the Contact headers.
inline std::string reg(const std::string& headers, const std::string& callid = "r1", int cseq = 1,
                       const std::string& to = "<sip:alice@127.0.0.1>") {
    return "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-reg" + std::to_string(cseq) + "\r\n"
           "Max-Forwards: 70\r\n"
           "From: " + to + ";tag=ft1\r\n"
           "To: " + to + "\r\n"
           "Call-ID: " + callid + "\r\n"
           "CSeq: " + std::to_string(cseq) + " REGISTER\r\n" + headers +
           "Content-Length: 0\r\n\r\n";
}

// An INVITE (or another method) to `ruri` from the UAC, without a body.
inline std::string request(const std::string& ruri = "sip:alice@127.0.0.1", const std::string& method = "INVITE") {
    return method + " " + ruri + " SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-inv1\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:bob@127.0.0.1>;tag=ft2\r\n"
           "To: <" + ruri + ">\r\n"
           "Call-ID: i1\r\n"
           "CSeq: 1 " + method + "\r\n"
           "Contact: <sip:bob@127.0.0.1:5080>\r\n"
           "Content-Length: 0\r\n\r\n";
}

inline int status_of(const std::string& m) {
    if (m.rfind("SIP/2.0 ", 0) != 0) return 0;
    return std::atoi(m.c_str() + 8);
}

inline std::string first_line(const std::string& m) { return m.substr(0, m.find("\r\n")); }

// Every header line whose name is `name` (case-insensitive; without CRLF).
inline std::vector<std::string> headers_named(const std::string& m, const std::string& name) {
    std::vector<std::string> out;
    size_t p = m.find("\r\n");
    const size_t end = m.find("\r\n\r\n");
    while (p != std::string::npos && p < end) {
        p += 2;
        size_t e = m.find("\r\n", p);
        std::string line = m.substr(p, e - p);
        size_t colon = line.find(':');
        if (colon != std::string::npos && iequals(trim_ws(std::string_view(line).substr(0, colon)), name)) out.push_back(line);
        p = e;
    }
    return out;
}

// The body of the only header `name`, "<none>" when absent, "<many>" when repeated.
inline std::string header(const std::string& m, const std::string& name) {
    auto all = headers_named(m, name);
    if (all.empty()) return "<none>";
    if (all.size() > 1) return "<many>";
    std::string v = all[0].substr(all[0].find(':') + 1);
    return v.substr(v.find_first_not_of(' '));
}

// The entries of a 200's Contact header, split at ", ".
inline std::vector<std::string> contact_entries(const std::string& m) {
    std::vector<std::string> out;
    std::string v = header(m, "Contact");
    if (v == "<none>") return out;
    size_t p = 0;
    for (size_t q; (q = v.find(", ", p)) != std::string::npos; p = q + 2) out.push_back(v.substr(p, q - p));
    out.push_back(v.substr(p));
    return out;
}

// The seconds of ";expires=N" in one contact entry, or -1.
inline long expires_of(const std::string& entry) {
    size_t p = entry.find(";expires=");
    return p == std::string::npos ? -1 : std::atol(entry.c_str() + p + 9);
}

// An entry without its ";expires=N" (the seconds left depend on the clock).
inline std::string without_expires(const std::string& entry) {
    size_t p = entry.find(";expires=");
    if (p == std::string::npos) return entry;
    size_t e = entry.find(';', p + 1);
    return entry.substr(0, p) + (e == std::string::npos ? "" : entry.substr(e));
}

// The entry of a 200's Contact header when exactly one is expected.
inline std::string only_entry(const std::string& reply) {
    auto e = contact_entries(reply);
    EXPECT_EQ(e.size(), 1u) << reply;
    return e.empty() ? "" : e[0];
}

inline const char* kC5070 = "Contact: <sip:alice@127.0.0.1:5070>\r\n";
inline const char* kC5071 = "Contact: <sip:alice@127.0.0.1:5071>\r\n";

// Quiet logs below NOTICE (rejected REGISTERs log at INFO); restored after.
struct QuietLogs {
    int saved = log_level();
    QuietLogs() { set_log_level(L_NOTICE); }
    ~QuietLogs() { set_log_level(saved); }
};

class Reg {
public:
    std::unique_ptr<Harness> h = std::make_unique<Harness>();
    api::UsrlocApi* ul = nullptr;
    std::string errors;

    // Loads sl, usrloc (db_mode 0 unless `params` says otherwise) and
    // registrar; `params`: modparam lines; `head`: lines before the modules
    // (a database driver).
    bool load(const std::string& params = "", const std::string& route = kRoute, const std::string& head = "") {
        const std::string cfg = "listen=udp:127.0.0.1:5060\n" + head +
                                "loadmodule \"sl.so\"\nloadmodule \"usrloc.so\"\nloadmodule \"registrar.so\"\n" +
                                params + "route{ " + route + " }\n";
        const bool ok = h->load(cfg);
        errors = h->errors;
        if (!ok) return false;
        ul = import_api<api::UsrlocApi>(h->server);
        return ul != nullptr;
    }

    // Delivers `msg` from the UAC and returns what ser sent because of it.
    std::vector<Sent> send(const std::string& msg, uint16_t src_port = 5080) {
        const size_t before = h->tx.sent.size();
        h->receive(msg, "127.0.0.1", src_port);
        return {h->tx.sent.begin() + long(before), h->tx.sent.end()};
    }

    // The single reply `msg` caused ("" and a failure otherwise).
    std::string reply(const std::string& msg) {
        auto out = send(msg);
        if (out.size() != 1) {
            ADD_FAILURE() << out.size() << " messages sent instead of one reply";
            return {};
        }
        return out[0].data;
    }

    // Runs `text` through the server like receive() but on a message the
    // test keeps: its routing state (new URI, destination URI, branches,
    // flags) can be read afterwards. `prepare` may change it first (AVPs).
    template <typename F>
    std::unique_ptr<sip::Msg> process(const std::string& text, F prepare) {
        buffers_.push_back(text);
        std::string& buf = buffers_.back();
        auto m = std::make_unique<sip::Msg>();
        m->rcv.proto = PROTO_UDP;
        IpAddr::parse("127.0.0.1", m->rcv.src_ip);
        m->rcv.src_port = 5080;
        for (const auto& s : h->server.sockets())
            if (s.proto == PROTO_UDP) {
                m->rcv.socket = &s;
                m->rcv.dst_ip = s.address;
                m->rcv.dst_port = s.port;
                break;
            }
        if (!m->parse(buf.data(), buf.size())) {
            ADD_FAILURE() << "test message does not parse: " << m->error();
            return m;
        }
        prepare(*m);
        h->server.process(*m);
        return m;
    }
    std::unique_ptr<sip::Msg> process(const std::string& text) {
        return process(text, [](sip::Msg&) {});
    }

    api::UsrlocDomain* domain(const std::string& table = "location") {
        std::string e;
        api::UsrlocDomain* d = ul->register_domain(table, e);
        EXPECT_NE(d, nullptr) << e;
        return d;
    }

    // The stored contacts of `aor` in record order (valid ones only, or all).
    std::vector<api::Contact> contacts(const std::string& aor, const std::string& table = "location",
                                       bool valid_only = true) {
        std::vector<api::Contact> out;
        ul->get(domain(table), aor, time(nullptr), out, valid_only);
        return out;
    }
    std::vector<std::string> uris(const std::string& aor, const std::string& table = "location") {
        std::vector<std::string> out;
        for (const auto& c : contacts(aor, table)) out.push_back(c.uri);
        return out;
    }
    bool known(const std::string& aor, const std::string& table = "location") {
        std::vector<api::Contact> out;
        return ul->get(domain(table), aor, time(nullptr), out, false);
    }

    // Stores one contact directly (FIFO ul_add's way into the table).
    bool put(const std::string& aor, const std::string& uri, const std::string& table = "location",
             int q = api::kQUnspecified, long expires_in = 3600, unsigned flags = 0,
             const std::string& received = "") {
        api::ContactInfo c;
        c.uri = uri;
        c.received = received;
        c.callid = "put@test";
        c.user_agent = "test";
        c.expires = time(nullptr) + expires_in;
        c.q = q;
        c.cseq = 1;
        c.flags = flags;
        std::string e;
        const bool ok = ul->edit(domain(table), aor, [&](api::Record& r) { return r.insert(c); }, e);
        EXPECT_TRUE(ok) << e;
        return ok;
    }

private:
    std::deque<std::string> buffers_;   // received messages outlive the call (the engine keeps views)
};

}  // namespace ser::test::registrar

// Loads the config of Reg::load (its arguments) or fails the test.
#define LOAD(r, ...) ASSERT_TRUE((r).load(__VA_ARGS__)) << (r).errors
