// usrloc memory and lookup speed: loads usrloc.so (db_mode 0) through the
// real loader, stores N contacts (default 1,000,000, one per AOR) through the
// UsrlocApi as registrar would, and prints the resident memory they cost per
// contact and how many lookups (UsrlocApi::get of a random AOR, contacts
// copied out) one core does per second.
//
//   usrloc_bench [contacts] [--use-domain]
//
// A contact as typical phones register it: a 60-byte URI, a 30-byte
// Call-ID, a 20-byte User-Agent, the socket it came through, no received.
// Target: <= 300 bytes per contact at 1,000,000 contacts.
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "parser/parse.hpp"
#include "runtime/core/config_loader.hpp"
#include "runtime/core/server.hpp"
#include "ser/api.hpp"
#include "ser/api/usrloc.hpp"

#ifndef SER_MODULE_BUILD_DIR
#define SER_MODULE_BUILD_DIR "."
#endif

namespace {

long rss_bytes() {
    long pages = 0, resident = 0;
    FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

// The AOR of contact i, in `buf` (no allocation per call).
std::string_view aor_of(char* buf, size_t size, long i, bool use_domain) {
    int n = use_domain ? std::snprintf(buf, size, "user%07ld@example.com", i) : std::snprintf(buf, size, "user%07ld", i);
    return {buf, size_t(n)};
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    long n = 1'000'000;
    bool use_domain = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--use-domain") == 0)
            use_domain = true;
        else
            n = std::atol(argv[i]);
    }
    if (n <= 0) {
        std::fprintf(stderr, "usage: %s [contacts] [--use-domain]\n", argv[0]);
        return 2;
    }

    ser::rt::Server server{ser::rt::TimerWheel::Clock::Manual};
    server.modules().add_dir_front(SER_MODULE_BUILD_DIR);
    ser::parser::Diagnostics diag;
    std::string cfg = "listen=udp:127.0.0.1:5060\nloadmodule \"usrloc.so\"\n";
    if (use_domain) cfg += "modparam(\"usrloc\", \"use_domain\", 1)\n";
    cfg += "route{ break; }\n";
    auto parsed = ser::parser::parse_text("usrloc_bench.cfg", cfg, diag);
    ser::rt::ConfigLoader loader(server, diag, {});
    std::string err;
    if (!parsed || !loader.load(*parsed) || !server.resolve_sockets(err) || !server.modules().init_all(server, err) ||
        !loader.fixup()) {
        for (const auto& d : diag.all()) std::fprintf(stderr, "%s", diag.format(d).c_str());
        std::fprintf(stderr, "start-up failed: %s\n", err.c_str());
        return 1;
    }
    auto* ul = ser::import_api<ser::api::UsrlocApi>(server);
    if (!ul) {
        std::fprintf(stderr, "usrloc API missing\n");
        return 1;
    }
    ser::api::UsrlocDomain* dom = ul->register_domain("location", err);
    if (!dom) {
        std::fprintf(stderr, "register_domain: %s\n", err.c_str());
        return 1;
    }

    const time_t now = time(nullptr);
    char aor_buf[64], uri_buf[96], cid_buf[48];
    ser::api::ContactInfo c;
    c.user_agent = "Softphone 1.2.3 (Li)";   // 20 bytes
    c.socket = "udp:192.0.2.10:5060";
    c.expires = now + 3600;
    c.cseq = 101;
    std::function<bool(ser::api::Record&)> save = [&c](ser::api::Record& r) { return r.insert(c); };

    malloc_trim(0);
    const long rss0 = rss_bytes();
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) {
        std::string_view aor = aor_of(aor_buf, sizeof aor_buf, i, use_domain);
        // 60 bytes: sip:user0000001@198.51.100.23:5060;transport=udp;line=0abc12
        int ul_len = std::snprintf(uri_buf, sizeof uri_buf, "sip:user%07ld@198.51.100.%ld:5060;transport=udp;line=%06lx",
                                   i, 1 + i % 250, i & 0xffffff);
        // 30 bytes: 9f2c4e81a0b3d5e7-0000001@pc.ex
        int cid_len = std::snprintf(cid_buf, sizeof cid_buf, "%016lx-%07ld@pc.ex", (unsigned long)(i * 2654435761u), i);
        c.uri = {uri_buf, size_t(ul_len)};
        c.callid = {cid_buf, size_t(cid_len)};
        if (!ul->edit(dom, aor, save, err)) {
            std::fprintf(stderr, "insert %ld failed: %s\n", i, err.c_str());
            return 1;
        }
    }
    const double insert_s = seconds_since(t0);
    const long rss1 = rss_bytes();

    // Lookups of random AORs, one thread; the key making is timed apart.
    const long lookups = std::max(n, 2'000'000L);
    std::mt19937_64 rng(42);
    std::vector<ser::api::Contact> out;
    out.reserve(4);
    long found = 0;
    t0 = std::chrono::steady_clock::now();
    for (long k = 0; k < lookups; ++k) {
        std::string_view aor = aor_of(aor_buf, sizeof aor_buf, long(rng() % uint64_t(n)), use_domain);
        out.clear();
        found += ul->get(dom, aor, now, out) && !out.empty();
    }
    const double lookup_s = seconds_since(t0);
    rng.seed(42);
    long sink = 0;
    t0 = std::chrono::steady_clock::now();
    for (long k = 0; k < lookups; ++k) sink += aor_of(aor_buf, sizeof aor_buf, long(rng() % uint64_t(n)), use_domain)[5];
    const double keys_s = seconds_since(t0);

    const double per_contact = double(rss1 - rss0) / double(n);
    std::printf("usrloc_bench: %ld contacts (one per AOR, %s AORs, 60-byte URI, 30-byte Call-ID, 20-byte UA)\n", n,
                use_domain ? "user@domain" : "user");
    std::printf("  inserts:        %.0f/s (%.2f s)\n", double(n) / insert_s, insert_s);
    std::printf("  RSS delta:      %.1f MB\n", double(rss1 - rss0) / 1e6);
    std::printf("  bytes/contact:  %.1f\n", per_contact);
    std::printf("  lookups/s:      %.0f (one core, %ld lookups, %ld found, key making %.0f ns each excluded)\n",
                double(lookups) / (lookup_s - keys_s), lookups, found, keys_s / double(lookups) * 1e9 + (sink & 0));
    if (found != lookups) {
        std::fprintf(stderr, "lookups missed contacts\n");
        return 1;
    }
    // usrloc's destroy runs with the server: the table is freed.
    return 0;
}
