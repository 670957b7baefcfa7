// exec("cmd") (cfg-language §10): runs `cmd` with `shell -c`, waits for it,
// and returns 1 whatever its exit status (SER's behaviour; a failed fork is
// -1). The command starts with every signal unblocked and SIGPIPE and the
// server's signals at their default disposition, not the worker's.
#pragma once

#include <string>

namespace ser::script {

int run_exec(const std::string& cmd, const char* shell = "/bin/sh");

}  // namespace ser::script
