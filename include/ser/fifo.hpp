// A management request (FIFO / unix socket) as a module command sees it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ser {

// Where a reply goes when it is written after the command returned (tm's
// t_uac_dlg answers when its transaction completes). Usable from any thread,
// once; a client that has gone away loses the reply, nothing else happens.
class FifoLateReply {
public:
    virtual ~FifoLateReply() = default;
    virtual void send(std::string_view whole_reply) = 0;
};

class FifoRequest {
public:
    enum class Interface { Fifo, UnixSocket, Internal };

    virtual ~FifoRequest() = default;
    // One input line (without newline, trailing blanks kept); nullopt at the
    // end of input, on an over-long line or when the client stops writing.
    virtual std::optional<std::string> read_line() = 0;
    // Appends reply text; the first line must be "<code> <reason>". It is
    // sent when the command returns.
    virtual void reply(std::string_view text) = 0;

    // Which interface the request came through (replies differ slightly:
    // the unix socket's status lines read "200 OK").
    virtual Interface interface() const { return Interface::Internal; }
    // Takes over the reply: nothing is sent when the command returns and the
    // returned object sends the whole reply later. Null when the request
    // named no reply destination (or the interface cannot answer later).
    virtual std::unique_ptr<FifoLateReply> reply_later() { return nullptr; }
};

}  // namespace ser
