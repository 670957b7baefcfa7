// The core's management commands (core-runtime §11.4): which ps uptime
// version pwd arg print kill, and debug (the log level at run time).
#pragma once

#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "runtime/mgmt/command_table.hpp"

namespace ser::rt::mgmt {

struct ProcessRow {
    int index;
    long tid;   // the thread's id (the workers are threads, not processes)
    std::string description;
};

struct CoreCommandContext {
    std::vector<std::string> argv;
    time_t started = 0;
    std::string server_header;                         // "Server: ..." (version)
    std::function<std::vector<ProcessRow>()> processes;
    std::function<void()> shutdown;                    // kill: a clean stop, as on SIGTERM
};

// `debug` is registered before the module commands (listed last by which);
// the others after them, in SER's order, so `which` lists them first.
bool add_debug_command(CommandTable& table, std::string& error);
bool add_core_commands(CommandTable& table, CoreCommandContext ctx, std::string& error);

}  // namespace ser::rt::mgmt
