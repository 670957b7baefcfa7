// The three things `ser` can do once the config is loaded.
#pragma once

#include "runtime/cli/options.hpp"
#include "runtime/core/server.hpp"

namespace ser::app {

int ser_main(int argc, char** argv);
// fork=yes: detaches (double fork, new session, pid files) and returns in
// the daemon; the original process waits until the daemon writes its
// start-up status to `ready_fd` and exits with it (0 ready, 255 failed), so
// errors found after detaching still fail the command that started ser.
// fork=no: ready_fd = -1, nothing else. False = could not detach.
bool daemonize_for_start(const Settings& s, int& ready_fd);
// Indexes of the threads that run module code: 0 main, 1 module timer
// thread, 2 protocol timers, then the UDP receivers, then the TCP readers.
inline constexpr int kRankModuleTimers = 1;
inline constexpr int kRankProtocolTimers = 2;
inline constexpr int kFirstReceiverRank = 3;
int worker_count_for(const rt::Server& server);
// Opens the sockets, starts the workers (failure of any worker's init
// stops start-up) and serves until SIGTERM/SIGINT. Modules are initialised
// and the script fixed up before.
int run_server(rt::Server& server, const cli::Options& o, int ready_fd);
// The offline tracer (--trace).
int run_trace(rt::Server& server, const cli::Options& o);

}  // namespace ser::app
