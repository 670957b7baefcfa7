// The kernel's share of a relayed call, measured: a "proxy" that does the
// socket work of a stateful proxy on bench/e2e_stateful.sh's call flow and
// no SIP work at all. Every datagram from one sipp port is sent on to the
// other one, unchanged; an INVITE from the caller is also answered with a
// 100 Trying (the headers a UAC matches on, copied), as a proxy's tm does.
// Each worker thread reads its own SO_REUSEPORT socket with a blocking
// recvfrom, as Kamailio's UDP workers do. What this costs per call is the
// floor under any proxy's CPU per call on the same run: the sends, the
// receives and the wake-ups of the peers they cause (on loopback the
// receiver's wake-up is charged to the sender).
//
//   relay_floor PORT CALLER_PORT CALLEE_PORT [threads]   (127.0.0.1 only)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "floor_sip.hpp"

namespace {

void serve(uint16_t port, uint16_t caller, uint16_t callee) {
    const int fd = floor_sip::worker_socket(port);
    std::vector<char> m(65536);
    for (;;) {
        sockaddr_in from{};
        socklen_t fl = sizeof from;
        const ssize_t n = recvfrom(fd, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n <= 0) continue;
        const uint16_t src = ntohs(from.sin_port);
        sockaddr_in to = from;
        to.sin_port = htons(src == caller ? callee : caller);
        const std::string_view msg(m.data(), size_t(n));
        if (src == caller && msg.starts_with("INVITE ")) {
            const std::string t = floor_sip::reply_to(msg, "100 Trying", "");
            sendto(fd, t.data(), t.size(), 0, reinterpret_cast<sockaddr*>(&from), sizeof from);
        }
        sendto(fd, m.data(), size_t(n), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: relay_floor PORT CALLER_PORT CALLEE_PORT [threads]\n");
        return 2;
    }
    const auto port = uint16_t(std::atoi(argv[1])), caller = uint16_t(std::atoi(argv[2])),
               callee = uint16_t(std::atoi(argv[3]));
    const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
    std::vector<std::thread> ts;
    for (int i = 0; i < threads; ++i) ts.emplace_back(serve, port, caller, callee);
    for (auto& t : ts) t.join();
}
