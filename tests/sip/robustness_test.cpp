// Mutated network input: whatever the bytes, parsing and every accessor and
// builder stay inside the buffer (run under AddressSanitizer) and terminate.
#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ser/sip/build.hpp"
#include "ser/sip/digest.hpp"
#include "ser/sip/msg.hpp"

#ifndef SER_TESTDATA_DIR
#define SER_TESTDATA_DIR "tests/data/rfc4475"
#endif

namespace ser::sip {
namespace {

std::vector<std::string> corpus() {
    std::vector<std::string> out;
    if (DIR* d = opendir(SER_TESTDATA_DIR)) {
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.size() < 5 || n.substr(n.size() - 4) != ".dat") continue;
            std::ifstream f(std::string(SER_TESTDATA_DIR) + "/" + n, std::ios::binary);
            std::ostringstream ss;
            ss << f.rdbuf();
            out.push_back(ss.str());
        }
        closedir(d);
    }
    return out;
}

void exercise(Msg& m) {
    m.via1();
    m.via2();
    m.via_count();
    std::vector<ViaBody> v;
    m.vias(v);
    m.to();
    m.from();
    m.cseq();
    m.call_id();
    m.max_forwards_raw();
    m.parsed_uri();
    std::vector<NameAddr> c;
    m.contacts(c);
    for (const auto& h : m.headers()) {
        std::vector<NameAddr> l;
        if (h.type == HdrType::Route || h.type == HdrType::RecordRoute)
            parse_name_addr_list(h.value, l);
        Credentials cr;
        if (h.type == HdrType::Authorization) parse_credentials(h.value, cr);
    }
    IpAddr::parse("10.0.0.1", m.rcv.src_ip);
    m.rcv.src_port = 5060;
    m.force_rport = true;
    if (m.is_request()) {
        if (m.body_offset() < m.length()) m.lumps.replace(m.body_offset(), 1, "xy");
        m.lumps.insert(m.headers_end(), "X: y\r\n");
        build_request(m, {"UDP", "127.0.0.1", "5060", "0", ""}, received_info(m), true);
        build_local_reply(m, 200, "OK", {"tag", false, "", "s", "w", "b"});
    } else {
        build_reply_forward(m, true);
        std::string h, t;
        uint16_t p;
        reply_forward_dest(m, h, p, t);
    }
}

TEST(Robustness, RandomMutations) {
    auto msgs = corpus();
    ASSERT_FALSE(msgs.empty());
    std::mt19937 rng(4475);
    const char specials[] = {' ', '\t', '\r', '\n', ',', ';', ':', '"', '<', '>', '[', ']',
                             '\\', '\0', '\xff', '=', '%', '/', '@', '?', '*', '0', '9'};
    size_t parsed = 0;
    for (const auto& orig : msgs) {
        for (int round = 0; round < 150; ++round) {
            std::string s = orig;
            int edits = 1 + int(rng() % 4);
            for (int e = 0; e < edits && !s.empty(); ++e) {
                size_t at = rng() % s.size();
                char c = specials[rng() % sizeof specials];
                switch (rng() % 3) {
                case 0: s[at] = c; break;
                case 1: s.insert(s.begin() + long(at), c); break;
                default: s.erase(at, 1 + rng() % 8); break;
                }
            }
            std::vector<char> b(s.begin(), s.end());   // exact-size heap buffer
            Msg m;
            if (m.parse(b.data(), b.size())) ++parsed;
            exercise(m);   // also after a failure: accessors must stay safe
        }
    }
    EXPECT_GT(parsed, 0u);
}

TEST(Robustness, RandomBytes) {
    std::mt19937 rng(1);
    for (int i = 0; i < 2000; ++i) {
        std::vector<char> b(rng() % 300);
        for (auto& c : b) c = char(rng() % 4 == 0 ? "\r\n :;,<>\""[rng() % 9] : rng());
        if (i % 2) {
            const char head[] = "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n";
            b.insert(b.begin(), head, head + sizeof head - 1);
        }
        Msg m;
        m.parse(b.data(), b.size());
        exercise(m);
    }
}

}  // namespace
}  // namespace ser::sip
