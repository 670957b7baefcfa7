// A block of UDP ports on 127.0.0.1 that is free right now, so that tests
// running in parallel (and other programs) do not meet in one range.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace rtpp_test {

inline int bind_udp(uint16_t port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// An even first port of `count` consecutive free ports (bounded search).
inline uint16_t free_block(int count) {
    uint16_t base = static_cast<uint16_t>(20000 + (getpid() % 997) * 30);
    for (int attempt = 0; attempt < 200; ++attempt, base = static_cast<uint16_t>(base + 2 * count)) {
        if (base < 20000 || base > 60000) base = 20000;
        base &= static_cast<uint16_t>(~1u);
        bool free = true;
        for (int i = 0; i < count && free; ++i) {
            int fd = bind_udp(static_cast<uint16_t>(base + i));
            if (fd < 0) free = false;
            else close(fd);
        }
        if (free) return base;
    }
    return 0;
}

}  // namespace rtpp_test
