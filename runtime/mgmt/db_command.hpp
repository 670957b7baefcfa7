// The FIFO `DB` command (core-runtime §11.5): select, insert, update,
// delete and raw queries on `fifo_db_url`, through the same DB API and
// drivers as the modules (values are typed and escaped by the driver).
#pragma once

#include <string>

#include "runtime/mgmt/command_table.hpp"
#include "ser/core.hpp"

namespace ser::rt::mgmt {

// Registers DB when the URL's driver module is loaded. Like SER, a URL with
// no driver only disables the command (warned); false + error for a
// malformed URL.
bool add_db_command(CommandTable& table, Core& core, const std::string& url, std::string& error);

}  // namespace ser::rt::mgmt
