// Applies a parsed config to a Server in file order (cfg-language §1):
// assignments take effect at once, loadmodule loads, modparam sets, route
// blocks are compiled against the modules loaded so far.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "parser/ast.hpp"
#include "parser/diagnostics.hpp"
#include "runtime/core/server.hpp"
#include "runtime/script/compiler.hpp"

namespace ser::rt {

// Command-line settings that replace the config's (our extension: -l, -p).
struct CliOverrides {
    std::vector<ListenSpec> listen;   // -l: replaces every listen= of the file
    std::optional<int> port;          // -p: replaces port=
};

class ConfigLoader {
public:
    ConfigLoader(Server& server, parser::Diagnostics& diag, CliOverrides cli)
        : server_(server), diag_(diag), cli_(std::move(cli)),
          compiler_(server.program(), server.modules(), diag) {}

    // Processes every item; false when errors were reported.
    bool load(const ast::Config& cfg);
    // Start-up checks that need the sockets (regexes, hosts, sockets, module fix-ups).
    bool fixup();

private:
    void assign(const ast::Assign& a);
    void listen_list(const std::vector<ast::SockSpec>& list, bool alias);

    Server& server_;
    parser::Diagnostics& diag_;
    CliOverrides cli_;
    script::Compiler compiler_;
    bool port_seen_ = false;
    int failed_modules_ = 0;
};

}  // namespace ser::rt
