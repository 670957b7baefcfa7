// usrloc.so loaded by the real loader from a config (tests/script/harness.hpp),
// with helpers for its API, its timer and its FIFO commands.
#pragma once

#include <gtest/gtest.h>

#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/core/log_sink.hpp"
#include "ser/api.hpp"
#include "ser/api/usrloc.hpp"
#include "ser/db.hpp"
#include "ser/fifo.hpp"
#include "ser/log.hpp"
#include "tests/script/harness.hpp"

namespace ser::test {

// A FIFO request: its argument lines, then the reply text.
class FifoCall : public FifoRequest {
public:
    explicit FifoCall(std::vector<std::string> lines) : in_(lines.begin(), lines.end()) {}
    std::optional<std::string> read_line() override {
        if (in_.empty()) return std::nullopt;
        std::string l = std::move(in_.front());
        in_.pop_front();
        return l;
    }
    void reply(std::string_view text) override { out.append(text); }
    std::string out;

private:
    std::deque<std::string> in_;
};

class Ul {
public:
    std::unique_ptr<Harness> h = std::make_unique<Harness>();
    api::UsrlocApi* api = nullptr;
    rt::LoadedModule* mod = nullptr;

    // `head`: lines before loadmodule "usrloc.so" (a driver); `params`: after.
    bool load(const std::string& params, const std::string& head = "", int workers = 1) {
        h->server.set_worker_count(workers);
        std::string cfg = "listen=udp:127.0.0.1:5099\n" + head + "loadmodule \"usrloc.so\"\n" + params +
                          "route{ break; }\n";
        if (!h->load(cfg)) return false;
        api = import_api<api::UsrlocApi>(h->server);
        for (auto& m : h->server.modules().modules())
            if (m->name() == "usrloc") mod = m.get();
        return api && mod;
    }
    std::string errors() const { return h->errors; }

    api::UsrlocDomain* domain(const std::string& table) {
        std::string e;
        api::UsrlocDomain* d = api->register_domain(table, e);
        EXPECT_NE(d, nullptr) << e;
        return d;
    }

    // Runs the module's timer as if `ahead_s` seconds from now.
    void tick(long ahead_s = 0) {
        const TimerExport& t = mod->exports->timers[0];
        t.tick(*mod->instance, h->server.now_ms() + uint64_t(ahead_s * 1000));
    }
    unsigned timer_interval_ms() const { return mod->exports->timers[0].interval_ms(*mod->instance); }

    std::string fifo(const std::string& cmd, std::vector<std::string> lines = {}) {
        for (size_t i = 0; i < mod->exports->fifo_count; ++i) {
            if (cmd == mod->exports->fifo[i].name) {
                FifoCall f(std::move(lines));
                mod->exports->fifo[i].func(*mod->instance, f);
                return f.out;
            }
        }
        ADD_FAILURE() << "no FIFO command " << cmd;
        return {};
    }

    // Inserts (or refreshes) one contact.
    bool put(api::UsrlocDomain* d, const std::string& aor, const api::ContactInfo& c, std::string* error = nullptr) {
        std::string e;
        bool ok = api->edit(d, aor, [&](api::Record& r) { return r.has(c.uri) ? r.update(c, false) : r.insert(c); }, e);
        if (error) *error = e;
        return ok;
    }
    bool rm(api::UsrlocDomain* d, const std::string& aor, const std::string& uri) {
        std::string e;
        return api->edit(d, aor, [&](api::Record& r) { return r.remove(uri); }, e);
    }
    std::vector<api::Contact> get(api::UsrlocDomain* d, const std::string& aor, bool valid_only = true,
                                  time_t now = time(nullptr)) {
        std::vector<api::Contact> out;
        api->get(d, aor, now, out, valid_only);
        return out;
    }
    std::vector<std::string> uris(api::UsrlocDomain* d, const std::string& aor, bool valid_only = true) {
        std::vector<std::string> out;
        for (auto& c : get(d, aor, valid_only)) out.push_back(c.uri);
        return out;
    }
    bool exists(api::UsrlocDomain* d, const std::string& aor) {
        std::vector<api::Contact> out;
        return api->get(d, aor, time(nullptr), out, false);
    }

    // Unloads everything (usrloc's destroy runs: the shutdown flush).
    void shutdown() {
        api = nullptr;
        mod = nullptr;
        h.reset();
    }
};

inline api::ContactInfo contact(const std::string& uri, int q = api::kQUnspecified, long expires_in = 3600,
                                unsigned flags = 0) {
    api::ContactInfo c;
    // The views of ContactInfo must outlive the call: keep the URI alive.
    static thread_local std::deque<std::string> keep;
    keep.push_back(uri);
    if (keep.size() > 4096) keep.pop_front();
    c.uri = keep.back();
    c.callid = "cid-1@host";
    c.user_agent = "test UA";
    c.expires = time(nullptr) + expires_in;
    c.q = q;
    c.cseq = 1;
    c.flags = flags;
    return c;
}

// Quiet logs below NOTICE; restored at the end of the test.
struct LogLevelGuard {
    int saved = log_level();
    explicit LogLevelGuard(int level = L_NOTICE) { set_log_level(level); }
    ~LogLevelGuard() { set_log_level(saved); }
};

}  // namespace ser::test
