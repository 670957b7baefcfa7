// Workers are threads: several of them authorizing at once, each with its
// own database connection (db::PerWorker) and its own messages, must give
// every request its own verdict (no authorization state leaks between
// messages or threads).
#include <atomic>
#include <map>
#include <ctime>
#include <mutex>
#include <thread>

#include "tests/auth/auth_fixture.hpp"
#include "tests/auth/backends.hpp"

namespace ser::test::auth {
namespace {

// Counts replies by status; safe for several sending threads.
class CountingTransport : public rt::Transport {
public:
    std::mutex mu;
    std::map<int, int> by_status;
    std::map<std::string, int> by_reason;
    int send(const SocketInfo*, const Destination&, std::string_view data) override {
        std::string m(data);
        std::lock_guard<std::mutex> l(mu);
        ++by_status[status_of(m)];
        std::string first = m.substr(0, m.find("\r\n"));
        ++by_reason[first.substr(first.find(' ', 8) + 1)];
        return 1;
    }
};

class AuthThreads : public ::testing::TestWithParam<const char*>, public DbFixture {
protected:
    void SetUp() override {
        std::string err;
        db = make_backend(GetParam(), err);
        if (!db) GTEST_SKIP() << err;
        ASSERT_TRUE(add_default_users());
    }
};

TEST_P(AuthThreads, ParallelWorkersKeepTheirOwnVerdicts) {
    constexpr int kThreads = 4, kEach = 150;
    h = std::make_unique<Harness>();
    h->server.set_worker_count(kThreads + 1);
    // 200 "alice": authorized as alice; 200 "bob": as bob; 403: not authorized;
    // is_user tells which credentials this message authorized.
    const std::string route =
        "if (!www_authorize(\"\", \"subscriber\")) { sl_send_reply(\"403\", \"no\"); break; };\n"
        "if (is_user(\"alice\")) { sl_send_reply(\"200\", \"alice\"); break; };\n"
        "if (is_user(\"bob\")) { sl_send_reply(\"200\", \"bob\"); break; };\n"
        "sl_send_reply(\"500\", \"who\");";
    ASSERT_TRUE(h->load(config(route))) << h->errors;
    CountingTransport tx;
    h->server.set_transport(&tx);

    const std::string nonce = make_nonce(uint32_t(std::time(nullptr) + 3600), kSecret);
    Digest alice, bob, wrong;
    alice.nonce = bob.nonce = wrong.nonce = nonce;
    bob.username = "bob";
    bob.password = "pw";
    wrong.password = "nope";
    const std::string msgs[3] = {reg_with(alice), reg_with(bob), reg_with(wrong)};

    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            rt::Server::set_worker_index(t + 1);
            for (int i = 0; i < kEach; ++i) {
                std::string m = msgs[(i + t) % 3];
                sip::RecvInfo rcv;
                IpAddr::parse("127.0.0.1", rcv.src_ip);
                rcv.src_port = 5096;
                rcv.socket = &h->server.sockets()[0];
                h->server.receive(m.data(), m.size(), rcv);
            }
        });
    for (auto& th : threads) th.join();
    rt::Server::set_worker_index(0);

    int total = kThreads * kEach;
    EXPECT_EQ(tx.by_reason["alice"] + tx.by_reason["bob"] + tx.by_reason["no"], total);
    EXPECT_EQ(tx.by_reason["alice"], total / 3);
    EXPECT_EQ(tx.by_reason["bob"], total / 3);
    EXPECT_EQ(tx.by_reason["no"], total / 3);
    EXPECT_EQ(tx.by_status[500], 0);
    h->server.set_transport(&h->tx);
}

INSTANTIATE_TEST_SUITE_P(Db, AuthThreads, ::testing::Values("sqlite", "mysql"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace ser::test::auth
