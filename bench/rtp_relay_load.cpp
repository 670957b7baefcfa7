// Load for bench/rtpproxy_relay.sh: RTP "phones" on 127.0.0.1 driving a
// media relay, and the bare recvmmsg/sendmmsg echo loop it is compared to.
//
//   rtp_relay_load echo <first_port> <sockets>
//       UDP echo on first_port..first_port+sockets-1 (127.0.0.1), until SIGTERM.
//   rtp_relay_load load <relay|echo> <host:port> <streams> <realtime|flood> <inflight> <seconds> <pid>
//       relay: sets up <streams> calls over the rtpproxy control protocol
//              (UDP, "<cookie> U cid 127.0.0.1 <portA> ft;1" / "L ... ft;1 tt",
//              the media number rtpengine needs), phone A sends to the port
//              L returned, phone B to the port U returned;
//       echo:  <host:port> is the echo's first port, phone A of stream i
//              sends to port+2i, phone B to port+2i+1, and gets it back.
//       realtime: every phone sends one 172-byte packet (20 ms G.711) every
//              20 ms; flood: each phone keeps <inflight> packets circulating
//              (a packet that arrives is answered at once), topped up every
//              50 ms for losses.
//       The phones wake at most once per millisecond (see the loop).
//       After 1 s of warm-up it counts for <seconds> and prints one line:
//       packets through the middle, their rate, the CPU seconds of process
//       <pid> (utime+stime of all its threads), packets per CPU second, and
//       the loss: packets sent in the window (marked) that never arrived,
//       waiting 300 ms after the window for late ones.
// Bounded: every loop ends by its deadline.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr unsigned kBatch = 64;
constexpr size_t kPacket = 172;   // 12 bytes RTP header + 160 bytes G.711 (20 ms)

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

sockaddr_in loopback(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

int udp_socket(uint16_t port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int buf = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    sockaddr_in a = loopback(port);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        std::fprintf(stderr, "bind %u: %s\n", port, std::strerror(errno));
        std::exit(2);
    }
    return fd;
}

uint16_t local_port(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

void raise_nofile() {
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

double cpu_seconds(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)
        if (i == 14 || i == 15) ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// ---- the echo loop: what a relay costs at least on this machine ----

volatile sig_atomic_t g_stop = 0;

int run_echo(uint16_t first, int count) {
    raise_nofile();
    signal(SIGTERM, [](int) { g_stop = 1; });
    signal(SIGINT, [](int) { g_stop = 1; });
    int ep = epoll_create1(0);
    std::vector<int> fds;
    for (int i = 0; i < count; ++i) {
        int fd = udp_socket(static_cast<uint16_t>(first + i));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        fds.push_back(fd);
    }
    static uint8_t data[kBatch][2048];
    sockaddr_storage src[kBatch];
    iovec iov[kBatch];
    mmsghdr msgs[kBatch];
    std::memset(msgs, 0, sizeof msgs);
    for (unsigned i = 0; i < kBatch; ++i) {
        iov[i] = {data[i], sizeof data[i]};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &src[i];
    }
    std::printf("echo ready on %u-%u\n", first, first + count - 1);
    std::fflush(stdout);
    epoll_event events[256];
    while (!g_stop) {
        int n = epoll_wait(ep, events, 256, 200);
        for (int e = 0; e < n; ++e) {
            int fd = events[e].data.fd;
            for (unsigned i = 0; i < kBatch; ++i) {
                msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
                iov[i].iov_len = sizeof data[i];
            }
            int got = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
            if (got <= 0) continue;
            for (int i = 0; i < got; ++i) iov[i].iov_len = msgs[i].msg_len;
            sendmmsg(fd, msgs, static_cast<unsigned>(got), MSG_DONTWAIT);
        }
    }
    return 0;
}

// ---- the phones ----

struct Phone {
    int fd = -1;
    sockaddr_in target{};
    uint16_t seq = 0;
    int stream = 0;
};

// One control command over UDP with nathelper's retries; the reply after
// the cookie. Exits when a required command gets no answer.
std::optional<std::string> control(int fd, const sockaddr_in& to, const std::string& text, bool required = true) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        sendto(fd, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
        double deadline = now_s() + 1.0;
        char buf[2048];
        while (now_s() < deadline) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n > 0) {
                std::string reply(buf, static_cast<size_t>(n));
                std::string cookie = text.substr(0, text.find(' '));
                if (reply.size() > cookie.size() && reply.compare(0, cookie.size(), cookie) == 0 &&
                    (reply[cookie.size()] == ' ' || reply[cookie.size()] == '\n'))
                    return reply.substr(cookie.size() + 1);
            } else {
                usleep(1000);
            }
        }
    }
    std::fprintf(stderr, "no reply to: %s\n", text.c_str());
    if (required) std::exit(3);
    return std::nullopt;
}

// `mark`: 1 for packets sent inside the measured window (the loss count
// follows them to their arrival, however late).
void fill_packet(uint8_t* p, Phone& ph, uint8_t mark) {
    p[0] = 0x80;
    p[1] = 0x00;   // PCMU
    uint16_t seq = htons(ph.seq++);
    uint32_t ts = htonl(static_cast<uint32_t>(ph.seq) * 160);
    uint32_t ssrc = htonl(0x10000000u + static_cast<uint32_t>(ph.stream * 2 + (ph.fd & 1)));
    std::memcpy(p + 2, &seq, 2);
    std::memcpy(p + 4, &ts, 4);
    std::memcpy(p + 8, &ssrc, 4);
    std::memset(p + 12, 0xd5, kPacket - 12);
    p[12] = mark;
}

int run_load(const std::string& mode, const std::string& hostport, int streams, const std::string& pace,
             int inflight, double seconds, int pid) {
    raise_nofile();
    uint16_t port = static_cast<uint16_t>(std::atoi(hostport.substr(hostport.rfind(':') + 1).c_str()));
    const bool flood = pace == "flood";
    std::vector<Phone> phones(2 * static_cast<size_t>(streams));
    for (int s = 0; s < streams; ++s)
        for (int k = 0; k < 2; ++k) {
            Phone& p = phones[2 * s + k];
            p.fd = udp_socket(0);
            p.stream = s;
        }
    int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in ctl_addr = loopback(port);
    std::string run = std::to_string(getpid());
    if (mode == "relay") {
        for (int s = 0; s < streams; ++s) {
            Phone& a = phones[2 * s];
            Phone& b = phones[2 * s + 1];
            std::string cid = "bench-" + run + "-" + std::to_string(s);
            std::string u = *control(ctl, ctl_addr, run + "_u" + std::to_string(s) + " U " + cid + " 127.0.0.1 " +
                                                       std::to_string(local_port(a.fd)) + " ft" + std::to_string(s) + ";1");
            std::string l = *control(ctl, ctl_addr, run + "_l" + std::to_string(s) + " L " + cid + " 127.0.0.1 " +
                                                       std::to_string(local_port(b.fd)) + " ft" + std::to_string(s) +
                                                       ";1 tt" + std::to_string(s));
            int to_b = std::atoi(u.c_str()), to_a = std::atoi(l.c_str());
            if (to_b <= 0 || to_a <= 0) {
                std::fprintf(stderr, "stream %d: U -> '%s', L -> '%s'\n", s, u.c_str(), l.c_str());
                return 3;
            }
            b.target = loopback(static_cast<uint16_t>(to_b));   // B sends to the port of the offer
            a.target = loopback(static_cast<uint16_t>(to_a));   // A to the port of the answer
        }
    } else {
        for (size_t i = 0; i < phones.size(); ++i) phones[i].target = loopback(static_cast<uint16_t>(port + i));
    }

    int ep = epoll_create1(0);
    for (size_t i = 0; i < phones.size(); ++i) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        epoll_ctl(ep, EPOLL_CTL_ADD, phones[i].fd, &ev);
    }
    int tick = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    itimerspec its{};
    its.it_interval.tv_nsec = flood ? 50'000'000 : 20'000'000;
    its.it_value = its.it_interval;
    timerfd_settime(tick, 0, &its, nullptr);
    epoll_event tev{};
    tev.events = EPOLLIN;
    tev.data.u64 = UINT64_MAX;
    epoll_ctl(ep, EPOLL_CTL_ADD, tick, &tev);

    static uint8_t rx[kBatch][2048];
    static uint8_t tx[kBatch][kPacket];
    iovec rx_iov[kBatch], tx_iov[kBatch];
    mmsghdr rx_msgs[kBatch], tx_msgs[kBatch];
    std::memset(rx_msgs, 0, sizeof rx_msgs);
    std::memset(tx_msgs, 0, sizeof tx_msgs);
    for (unsigned i = 0; i < kBatch; ++i) {
        rx_iov[i] = {rx[i], sizeof rx[i]};
        rx_msgs[i].msg_hdr.msg_iov = &rx_iov[i];
        rx_msgs[i].msg_hdr.msg_iovlen = 1;
        tx_iov[i] = {tx[i], kPacket};
        tx_msgs[i].msg_hdr.msg_iov = &tx_iov[i];
        tx_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    // Per stream: packets sent minus packets received (flood top-up).
    std::vector<int64_t> outstanding(static_cast<size_t>(streams), 0);
    uint8_t mark = 0;
    uint64_t marked_received = 0;
    auto count_marked = [&](int got) {
        for (int i = 0; i < got; ++i)
            if (rx_msgs[i].msg_len > 12 && rx[i][12] == 1) ++marked_received;
    };
    auto send_from = [&](Phone& p, unsigned count) {
        count = std::min(count, kBatch);
        for (unsigned i = 0; i < count; ++i) {
            fill_packet(tx[i], p, mark);
            tx_msgs[i].msg_hdr.msg_name = &p.target;
            tx_msgs[i].msg_hdr.msg_namelen = sizeof p.target;
        }
        int n = sendmmsg(p.fd, tx_msgs, count, MSG_DONTWAIT);
        return n > 0 ? static_cast<uint64_t>(n) : 0;
    };

    uint64_t sent = 0, received = 0, sent_at_start = 0, received_at_start = 0;
    double start = now_s(), window_start = start + 1.0, end = window_start + seconds;
    double cpu_start = 0, rusage_start = 0;
    bool counting = false;
    auto my_cpu = [] {
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    };
    if (flood)
        for (size_t i = 0; i < phones.size(); ++i) {
            uint64_t n = send_from(phones[i], static_cast<unsigned>(inflight));
            sent += n;
            outstanding[phones[i].stream] += static_cast<int64_t>(n);
        }
    epoll_event events[256];
    double last_wake = 0;
    int last_n = 0;
    while (true) {
        double t = now_s();
        if (!counting && t >= window_start) {
            counting = true;
            sent_at_start = sent;
            received_at_start = received;
            cpu_start = cpu_seconds(pid);
            rusage_start = my_cpu();
            window_start = t;
            mark = 1;
        }
        if (t >= end) break;
        // The phones wake at most once per millisecond (unless the last
        // wait came back full): real phones are other machines, and a
        // middle that had to wake a sleeping phone process for every
        // packet on loopback would be charged for the phones' wake-ups.
        if (last_n < 256 && t - last_wake < 0.001) {
            timespec pause{0, static_cast<long>((0.001 - (t - last_wake)) * 1e9)};
            nanosleep(&pause, nullptr);
        }
        int n = epoll_wait(ep, events, 256, 50);
        last_wake = now_s();
        last_n = n;
        for (int e = 0; e < n; ++e) {
            if (events[e].data.u64 == UINT64_MAX) {
                uint64_t x;
                if (read(tick, &x, sizeof x) < 0) continue;
                if (flood) {
                    for (int s = 0; s < streams; ++s)
                        if (outstanding[s] < 2 * inflight) {
                            uint64_t k = send_from(phones[2 * s], static_cast<unsigned>(2 * inflight - outstanding[s]));
                            sent += k;
                            outstanding[s] += static_cast<int64_t>(k);
                        }
                } else {
                    for (Phone& p : phones) sent += send_from(p, 1);
                }
                continue;
            }
            Phone& p = phones[events[e].data.u64];
            for (unsigned i = 0; i < kBatch; ++i) rx_iov[i].iov_len = sizeof rx[i];
            int got = recvmmsg(p.fd, rx_msgs, kBatch, MSG_DONTWAIT, nullptr);
            if (got <= 0) continue;
            received += static_cast<uint64_t>(got);
            count_marked(got);
            outstanding[p.stream] -= got;
            if (flood) {
                uint64_t k = send_from(p, static_cast<unsigned>(got));
                sent += k;
                outstanding[p.stream] += static_cast<int64_t>(k);
            }
        }
    }
    double window = now_s() - window_start;
    double cpu = cpu_seconds(pid) - cpu_start;
    double mine = my_cpu() - rusage_start;
    uint64_t through = received - received_at_start, offered = sent - sent_at_start;
    // What was sent in the window and is still on its way: 300 ms to arrive.
    for (double drain_end = now_s() + 0.3; now_s() < drain_end;) {
        int n = epoll_wait(ep, events, 256, 20);
        for (int e = 0; e < n; ++e) {
            if (events[e].data.u64 == UINT64_MAX) {   // the pacing timer: nothing more is sent
                uint64_t x;
                if (read(tick, &x, sizeof x) < 0) { /* drained next time */ }
                continue;
            }
            for (unsigned i = 0; i < kBatch; ++i) rx_iov[i].iov_len = sizeof rx[i];
            int got = recvmmsg(phones[events[e].data.u64].fd, rx_msgs, kBatch, MSG_DONTWAIT, nullptr);
            if (got > 0) count_marked(got);
        }
    }
    // The calls end, so that repeated runs do not fill the port range.
    if (mode == "relay") {
        for (int s = 0; s < streams; ++s) {
            auto r = control(ctl, ctl_addr,
                             run + "_d" + std::to_string(s) + " D bench-" + run + "-" + std::to_string(s) + " ft" +
                                 std::to_string(s) + " tt" + std::to_string(s),
                             false);
            if (!r) break;   // this middle does not delete: no point waiting for each
        }
    }
    close(ctl);
    double loss = offered > 0 ? 100.0 * (static_cast<double>(offered) - static_cast<double>(marked_received)) /
                                    static_cast<double>(offered)
                              : 0.0;
    std::printf("mode=%s streams=%d pace=%s inflight=%d window=%.2f packets=%llu pps=%.0f middle_cpu=%.2f "
                "middle_core=%.0f%% pps_per_core=%.0f loss=%.2f%% load_cpu=%.2f\n",
                mode.c_str(), streams, pace.c_str(), flood ? inflight : 0, window,
                static_cast<unsigned long long>(through), through / window, cpu, 100.0 * cpu / window,
                cpu > 0 ? through / cpu : 0.0, loss < 0 ? 0.0 : loss, mine);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 3 && a[0] == "echo") return run_echo(static_cast<uint16_t>(std::atoi(a[1].c_str())), std::atoi(a[2].c_str()));
    if (a.size() == 8 && a[0] == "load")
        return run_load(a[1], a[2], std::atoi(a[3].c_str()), a[4], std::atoi(a[5].c_str()), std::atof(a[6].c_str()),
                        std::atoi(a[7].c_str()));
    std::fprintf(stderr,
                 "usage: rtp_relay_load echo <first_port> <sockets>\n"
                 "       rtp_relay_load load <relay|echo> <host:port> <streams> <realtime|flood> <inflight> <seconds> <pid>\n");
    return 1;
}
