// The three things `ser` can do once the config is loaded.
#pragma once

#include "runtime/cli/options.hpp"
#include "runtime/core/server.hpp"

namespace ser::app {

int ser_main(int argc, char** argv);
// Serves until SIGTERM/SIGINT.
int run_server(rt::Server& server, const cli::Options& o);
// The offline tracer (--trace).
int run_trace(rt::Server& server, const cli::Options& o);

}  // namespace ser::app
