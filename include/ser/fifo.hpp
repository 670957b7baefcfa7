// A management request (FIFO / unix socket) as a module command sees it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ser {

class FifoRequest {
public:
    virtual ~FifoRequest() = default;
    // One input line (without newline); nullopt at end of input.
    virtual std::optional<std::string> read_line() = 0;
    // Appends reply text; the first line must be "<code> <reason>".
    virtual void reply(std::string_view text) = 0;
};

}  // namespace ser
