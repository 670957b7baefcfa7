// Edits from several worker threads at once, with lookups, NAT pings, the
// timer and FIFO dumps running meanwhile (run under ASan/UBSan and TSan too).
#include <atomic>
#include <set>
#include <thread>

#include "runtime/core/server.hpp"
#include "tests/usrloc/ul_harness.hpp"

namespace ser::test {
namespace {

constexpr int kWorkers = 6;

// Each worker registers, refreshes and removes contacts of its own AORs and
// of a few AORs shared by all; readers and the timer run meanwhile.
void hammer(Ul& ul, api::UsrlocDomain* d, int rounds) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int w = 0; w < kWorkers; ++w) {
        threads.emplace_back([&, w] {
            rt::Server::set_worker_index(1 + w);
            for (int i = 0; i < rounds; ++i) {
                std::string own = "w" + std::to_string(w) + "-" + std::to_string(i % 50);
                std::string shared = "shared" + std::to_string(i % 4);
                std::string uri = "sip:w" + std::to_string(w) + "@10.0.0." + std::to_string(i % 7);
                api::ContactInfo c = contact(uri, (i * 37) % 1001, (i % 3) ? 3600 : 1, (i % 5) ? 0u : unsigned(api::kFlNat));
                if (!ul.put(d, own, c)) ++failures;
                if (!ul.put(d, shared, c)) ++failures;
                if (i % 3 == 0 && !ul.rm(d, own, uri)) ++failures;
                if (i % 11 == 0) {
                    std::string e;
                    ul.api->edit(d, shared, [](api::Record& r) { return r.remove_all(); }, e);
                }
            }
        });
    }
    threads.emplace_back([&] {   // lookups and NAT pings
        rt::Server::set_worker_index(kWorkers + 1);
        while (!stop) {
            for (int i = 0; i < 4; ++i) ul.get(d, "shared" + std::to_string(i));
            std::vector<api::PingTarget> t;
            ul.api->ping_targets(api::kFlNat, t);
        }
    });
    threads.emplace_back([&] {   // the timer and the FIFO
        rt::Server::set_worker_index(kWorkers + 2);
        while (!stop) {
            ul.tick(5);
            ul.fifo("ul_dump");
            ul.fifo("ul_stats");
        }
    });
    for (int w = 0; w < kWorkers; ++w) threads[size_t(w)].join();
    stop = true;
    for (size_t i = kWorkers; i < threads.size(); ++i) threads[i].join();
    EXPECT_EQ(failures.load(), 0);
}

void check_consistent(Ul& ul, api::UsrlocDomain* d) {
    // Every shared record holds each worker's URIs at most once, in order.
    for (int i = 0; i < 4; ++i) {
        auto all = ul.get(d, "shared" + std::to_string(i), false);
        std::set<std::string> seen;
        for (size_t k = 0; k < all.size(); ++k) {
            EXPECT_TRUE(seen.insert(all[k].uri).second) << all[k].uri;
            if (k > 0 && all[k].q != api::kQUnspecified) {
                EXPECT_GE(all[k - 1].q, all[k].q);
            }
        }
    }
}

TEST(UsrlocThreads, ConcurrentEditsMemory) {
    LogLevelGuard quiet{L_WARN};
    Ul ul;
    ASSERT_TRUE(ul.load("", "", kWorkers + 3)) << ul.errors();
    auto* d = ul.domain("location");
    hammer(ul, d, 3000);
    check_consistent(ul, d);
}

TEST(UsrlocThreads, ConcurrentEditsDescTimeOrder) {
    LogLevelGuard quiet{L_WARN};
    Ul ul;
    ASSERT_TRUE(ul.load("modparam(\"usrloc\", \"desc_time_order\", 1)\n", "", kWorkers + 3)) << ul.errors();
    auto* d = ul.domain("location");
    hammer(ul, d, 1000);
}

}  // namespace
}  // namespace ser::test
