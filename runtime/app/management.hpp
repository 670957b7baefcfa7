// The management interfaces of a running server: the command table (core,
// modules, DB), the FIFO server and the unix-socket server, with the
// threads they run on.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "runtime/app/thread_table.hpp"
#include "runtime/cli/options.hpp"
#include "runtime/core/server.hpp"
#include "runtime/mgmt/command_table.hpp"
#include "runtime/mgmt/fifo_server.hpp"
#include "runtime/mgmt/unix_sock_server.hpp"

namespace ser::app {

class Management {
public:
    Management(rt::Server& server, const cli::Options& options, ThreadTable& threads);
    ~Management();

    // Threads the interfaces of `s` need (each has a worker rank).
    static int thread_count(const Settings& s);

    // Registers the commands and creates the FIFO / socket files (before
    // privileges are dropped, so that sock_user/sock_group can be set).
    bool open(std::string& error);
    // Starts the interfaces' threads with ranks from `first_rank`; each runs
    // `worker_init(rank)` first. Returns once they all ran it: false if one failed.
    bool start(int first_rank, const std::function<bool(int rank)>& worker_init);
    void stop();

private:
    rt::Server& server_;
    const cli::Options& options_;
    ThreadTable& threads_;
    rt::mgmt::CommandTable commands_;
    std::unique_ptr<rt::mgmt::FifoServer> fifo_;
    std::unique_ptr<rt::mgmt::UnixSockServer> unix_;
};

}  // namespace ser::app
