// The fixture of the auth suites: a database with users, and a harness
// running a config that loads the driver, sl, auth, auth_db, uri and uri_db.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/auth/auth_env.hpp"

namespace ser::test::auth {

inline constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";

// The main route of most tests (checklist 87-99): REGISTER with WWW
// credentials, everything else with proxy credentials; a result is shown
// as a reply (200 authorized, 403 not authorized; 0 leaves only the reply
// the module sent).
inline const char* kRoute =
    "if (method==\"REGISTER\") {\n"
    "  if (!www_authorize(\"\", \"subscriber\")) { www_challenge(\"\", \"0\"); break; };\n"
    "  sl_send_reply(\"200\", \"OK\"); break;\n"
    "};\n"
    "if (!proxy_authorize(\"\", \"subscriber\")) { proxy_challenge(\"\", \"1\"); break; };\n"
    "consume_credentials();\n"
    "forward(127.0.0.1, 5070);\n";

class DbFixture {
public:
    std::unique_ptr<Db> db;
    std::unique_ptr<Harness> h;
    size_t seen = 0;   // h->tx.sent already returned by run()

    virtual ~DbFixture() = default;

    // Users of every test: alice/secret and bob/pw in example.com.
    bool add_default_users() {
        return db->add_user({.username = "alice", .domain = "example.com", .password = "secret"}) &&
               db->add_user({.username = "bob", .domain = "example.com", .password = "pw"});
    }

    std::string config(const std::string& route, const std::string& params = "", bool secret = true) const {
        std::string c = "listen=udp:127.0.0.1:5060\n"
                        "loadmodule \"" + db->driver_module() + "\"\n"
                        "loadmodule \"sl.so\"\n"
                        "loadmodule \"auth.so\"\n"
                        "loadmodule \"auth_db.so\"\n"
                        "loadmodule \"uri.so\"\n"
                        "loadmodule \"uri_db.so\"\n"
                        "modparam(\"auth_db|uri_db\", \"db_url\", \"" + db->url() + "\")\n";
        if (secret) c += std::string("modparam(\"auth\", \"secret\", \"") + kSecret + "\")\n";
        return c + params + "route{\n" + route + "}\n";
    }

    // Loads a config into a fresh harness; false (errors in h->errors) on failure.
    bool load(const std::string& route = kRoute, const std::string& params = "", bool secret = true) {
        h = std::make_unique<Harness>();
        seen = 0;
        return h->load(config(route, params, secret));
    }

    // Delivers a request and returns what was sent because of it.
    std::vector<Sent> run(const std::string& msg) {
        h->receive(msg);
        std::vector<Sent> out(h->tx.sent.begin() + long(seen), h->tx.sent.end());
        seen = h->tx.sent.size();
        return out;
    }

    // The single message sent for `msg` ("" and a test failure otherwise).
    std::string one(const std::string& msg) {
        auto s = run(msg);
        if (s.size() != 1) {
            ADD_FAILURE() << s.size() << " messages sent instead of one";
            return {};
        }
        return s[0].data;
    }

    // A fresh challenge: the reply to `msg` without credentials.
    Challenge challenge(const std::string& msg) { return parse_challenge(one(msg)); }

    // A digest for REGISTER (www) with a nonce from a challenge.
    Digest reg_digest() {
        Digest d;
        d.nonce = challenge(register_req()).nonce;
        return d;
    }
    // A digest for a proxy-authenticated `method`.
    Digest proxy_digest(const std::string& method = "INVITE") {
        Digest d;
        d.method = method;
        d.uri = "sip:bob@example.com";
        d.nonce = challenge(request(method)).nonce;
        return d;
    }
    std::string reg_with(const Digest& d, const std::string& to = "sip:alice@example.com") {
        return register_req("Authorization: " + d.header_value() + "\r\n", to);
    }
    std::string req_with(const Digest& d, const std::string& from = "sip:alice@example.com") {
        return request(d.method, "Proxy-Authorization: " + d.header_value() + "\r\n", from);
    }
};

}  // namespace ser::test::auth
