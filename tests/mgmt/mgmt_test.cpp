// The management interfaces in process: the command table, the reply FIFO
// safety checks and the FIFO / unix-socket servers on real files.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "runtime/mgmt/command_table.hpp"
#include "runtime/mgmt/core_commands.hpp"
#include "runtime/mgmt/fifo_server.hpp"
#include "runtime/mgmt/reply_fifo.hpp"
#include "runtime/mgmt/unix_sock_server.hpp"

namespace fs = std::filesystem;
using namespace ser;
using namespace ser::rt::mgmt;

namespace {

class TempDir {
public:
    TempDir() {
        char t[] = "/tmp/ser-mgmt-XXXXXX";
        path = mkdtemp(t);
    }
    ~TempDir() { fs::remove_all(path); }
    std::string path;
};

// Reads a reply FIFO the way serctl does: until the server closes it.
std::string read_reply(int fd, int timeout_ms = 3000) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool got = false;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        poll(&p, 1, 50);
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, size_t(n));
            got = true;
        } else if (n == 0 && got) {
            break;
        }
    }
    return out;
}

TEST(CommandTable, NamesAreCaseInsensitiveUniqueAndListedNewestFirst) {
    CommandTable t;
    std::string e;
    ASSERT_TRUE(t.add("first", [](FifoRequest&) { return 1; }, e));
    ASSERT_TRUE(t.add("Second", [](FifoRequest&) { return 2; }, e));
    EXPECT_FALSE(t.add("SECOND", [](FifoRequest&) { return 3; }, e));
    EXPECT_NE(e.find("registered twice"), std::string::npos);
    EXPECT_NE(t.find("second"), nullptr);
    EXPECT_EQ(t.find("third"), nullptr);
    EXPECT_EQ(t.names_newest_first(), (std::vector<std::string>{"Second", "first"}));
}

TEST(ReplyFifo, NamesThatLeaveTheDirectoryAreRefused) {
    EXPECT_EQ(reply_fifo_path("/tmp/", "ok_name"), "/tmp/ok_name");
    EXPECT_EQ(reply_fifo_path("/tmp/", "../etc"), "");
    EXPECT_EQ(reply_fifo_path("/tmp/", "a/b"), "");
    EXPECT_EQ(reply_fifo_path("/tmp/", "a.b"), "");
    EXPECT_EQ(reply_fifo_path("/tmp/", "a\\b"), "");
}

TEST(ReplyFifo, OnlyAPlainFifoWithAReaderGetsTheReply) {
    TempDir d;
    std::string fifo = d.path + "/r", target = d.path + "/target", link = d.path + "/link",
                hard = d.path + "/hard", plain = d.path + "/plain";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(write_reply_fifo(fifo, "200 ok\n", 1000));
    EXPECT_EQ(read_reply(fd), "200 ok\n");
    close(fd);

    // No reader: given up after the retries, not blocked.
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(write_reply_fifo(fifo, "x", 1000));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_GE(ms, 300);
    EXPECT_LT(ms, 1500);

    // A symbolic link to a FIFO that has a reader: nothing written into it.
    ASSERT_EQ(mkfifo(target.c_str(), 0600), 0);
    ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
    int tfd = open(target.c_str(), O_RDONLY | O_NONBLOCK);
    EXPECT_FALSE(write_reply_fifo(link, "stolen", 500));
    char c;
    EXPECT_LE(read(tfd, &c, 1), 0);
    // A hard link to it: refused as well.
    ASSERT_EQ(::link(target.c_str(), hard.c_str()), 0);
    EXPECT_FALSE(write_reply_fifo(hard, "stolen", 500));
    EXPECT_LE(read(tfd, &c, 1), 0);
    close(tfd);
    // A regular file is not a FIFO.
    { FILE* f = fopen(plain.c_str(), "w"); fclose(f); }
    EXPECT_FALSE(write_reply_fifo(plain, "x", 500));
    EXPECT_EQ(fs::file_size(plain), 0u);
}

class FifoServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        s.fifo = d.path + "/ser_fifo";
        s.fifo_dir = d.path + "/";
        s.fifo_mode = 0600;
        s.unix_sock = d.path + "/ser_sock";
        std::string e;
        ASSERT_TRUE(add_core_commands(table, {{"ser", "-f", "x.cfg"}, time(nullptr), "Server: test", nullptr, nullptr}, e));
        ASSERT_TRUE(table.add("echo2", [](FifoRequest& r) {
            auto a = r.read_line(), b = a ? r.read_line() : std::nullopt;
            r.reply("200 ok\n" + a.value_or("-") + "|" + b.value_or("-") + "\n");
            return 1;
        }, e));
        ASSERT_TRUE(table.add("later", [](FifoRequest& r) {
            std::shared_ptr<FifoLateReply> l = r.reply_later();
            std::thread([l] {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                l->send("200 late\n");
            }).detach();
            return 1;
        }, e));
    }

    std::string ask(const std::string& request, const std::string& name = "rpl") {
        std::string path = d.path + "/" + name;
        mkfifo(path.c_str(), 0600);
        int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK);
        int w = open(s.fifo.c_str(), O_WRONLY | O_NONBLOCK);
        EXPECT_GE(w, 0);
        EXPECT_EQ(write(w, request.data(), request.size()), ssize_t(request.size()));
        close(w);
        std::string out = read_reply(fd);
        close(fd);
        unlink(path.c_str());
        return out;
    }

    TempDir d;
    Settings s;
    CommandTable table;
};

TEST_F(FifoServerTest, ServesRequestsAndRemovesTheFifo) {
    FifoServer server(s, table);
    std::string e;
    ASSERT_TRUE(server.open(e)) << e;
    struct stat st {};
    ASSERT_EQ(stat(s.fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    server.start(nullptr);
    EXPECT_EQ(ask(":print:rpl\nhello world\n\n"), "200 ok\nhello world\n");
    EXPECT_EQ(ask(":VERSION:rpl\n\n"), "200 ok\nServer: test\r\n");
    EXPECT_EQ(ask(":nosuch:rpl\n\n"), "500 command 'nosuch' not available\n");
    EXPECT_EQ(ask(":echo2:rpl\na\nb\n\n"), "200 ok\na|b\n");
    EXPECT_EQ(ask(":later:rpl\n\n"), "200 late\n");
    // A first line over 511 bytes is refused; the next request is served.
    EXPECT_EQ(ask(":print:rpl" + std::string(600, 'x') + "\nignored\n\n", "none"), "");
    EXPECT_EQ(ask(":print:rpl\nstill here\n\n"), "200 ok\nstill here\n");
    // A request that never ends is given up after the line timeout.
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(ask(":echo2:rpl\nonly-one\n"), "200 ok\nonly-one|-\n");
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(FifoServer::kLineTimeoutMs - 200));
    EXPECT_EQ(ask(":print:rpl\nafter\n\n"), "200 ok\nafter\n");
    server.stop();
    EXPECT_FALSE(fs::exists(s.fifo));
}

TEST_F(FifoServerTest, UnixSocketAnswersEachDatagram) {
    UnixSockServer server(s, table);
    std::string e;
    ASSERT_TRUE(server.open(e)) << e;
    server.start(nullptr);
    int c = socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un me{}, srv{};
    me.sun_family = srv.sun_family = AF_UNIX;
    std::string mine = d.path + "/client";
    strcpy(me.sun_path, mine.c_str());
    strcpy(srv.sun_path, s.unix_sock.c_str());
    ASSERT_EQ(bind(c, reinterpret_cast<sockaddr*>(&me), sizeof me), 0);
    auto ask_dgram = [&](const std::string& m) {
        sendto(c, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&srv), sizeof srv);
        pollfd p{c, POLLIN, 0};
        if (poll(&p, 1, 2000) <= 0) return std::string("(none)");
        char buf[4096];
        ssize_t n = recv(c, buf, sizeof buf, 0);
        return std::string(buf, size_t(n > 0 ? n : 0));
    };
    EXPECT_EQ(ask_dgram(":print:\nhi\n"), "200 OK\nhi\n");
    EXPECT_EQ(ask_dgram(":echo2:\nx\ny\n"), "200 OK\nx|y\n");
    EXPECT_EQ(ask_dgram("print\n"), "400 First line malformed\n");
    EXPECT_EQ(ask_dgram(":nope:\n"), "500 Command nope not found\n");
    EXPECT_EQ(ask_dgram(":later:\n"), "200 late\n");
    close(c);
    server.stop();
    EXPECT_FALSE(fs::exists(s.unix_sock));
}

}  // namespace
