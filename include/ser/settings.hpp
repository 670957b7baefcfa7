// Global parameters of the config (cfg-language §4) that the core and the
// modules read at run time. Filled by the config loader, then read-only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ser/version.hpp"

namespace ser {

struct Settings {
    // logging and processes
    int debug = 2;
    bool fork = true;
    bool log_stderror = false;
    int log_facility = 3 << 3;  // LOG_DAEMON
    int memlog = 4;
    int children = 8;
    int tcp_children = 0;       // 0 = children
    std::string user, group, chroot, workdir;
    bool disable_core_dump = false;
    int open_files_limit = -1;
    std::string pid_file, pgid_file;

    // SIP behaviour
    bool check_via = false;
    bool syn_branch = true;
    bool dns = false;
    bool rev_dns = false;
    bool sip_warning = true;
    bool server_signature = true;
    bool reply_to_via = false;
    bool mhomed = false;
    int maxbuffer = 262144;
    std::string advertised_address;
    int advertised_port = 0;
    int max_len = 65535;        // SER's BUF_SIZE: requests longer than this are refused

    // sockets
    int port = 5060;

    // management
    std::string fifo, fifo_dir = "/tmp/", fifo_db_url;
    int fifo_mode = 0660;
    std::string fifo_user, fifo_group;
    std::string unix_sock;
    int unix_sock_children = 1;
    int unix_tx_timeout = 2000;

    // tcp
    bool disable_tcp = false;
    bool tcp_accept_aliases = false;
    int tcp_connect_timeout = 10;
    int tcp_send_timeout = 10;
    int tcp_idle_timeout = 120; // seconds an idle connection is kept (SER's TCP_CON_TIMEOUT)

    // multicast
    bool mcast_loopback = false;
    int mcast_ttl = -1;

    // "Server: " + what this server is (ser/version.hpp), as SER built its SERVER_HDR.
    std::string server_header = std::string("Server: ") + kServerName;

    // monitoring (our extension): "address:port" of the Prometheus metrics
    // listener (runtime/metrics); empty = off
    std::string metrics_listen;
};

}  // namespace ser
