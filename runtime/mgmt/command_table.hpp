// The management commands served by the FIFO and the unix socket: the
// core's, every module's (ModuleExports::fifo) and DB. Filled at start-up
// before the servers run, read-only afterwards (no lock needed).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ser/fifo.hpp"

namespace ser::rt {
class ModuleLoader;
}

namespace ser::rt::mgmt {

// A command's result: < 0 = it failed (logged by the server; the command
// wrote its own error reply, if any).
using Handler = std::function<int(FifoRequest&)>;

class CommandTable {
public:
    // Names are unique, case-insensitively (SER refused a second one).
    bool add(std::string_view name, Handler handler, std::string& error);
    const Handler* find(std::string_view name) const;
    // Most recently registered first (what `which` lists).
    std::vector<std::string> names_newest_first() const;

private:
    struct Entry {
        std::string name;
        Handler handler;
    };
    std::vector<Entry> entries_;
};

// Registers every loaded module's commands, in load order.
bool add_module_commands(CommandTable& table, ModuleLoader& modules, std::string& error);

}  // namespace ser::rt::mgmt
