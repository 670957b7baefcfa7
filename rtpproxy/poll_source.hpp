// What an epoll event's data pointer points to: every registered object
// starts with its kind, so the loop dispatches without any lookup.
#pragma once

#include <cstdint>

namespace ser::rtpp {

struct PollSource {
    enum class Kind : uint8_t { media, unix_listener, unix_connection, udp_control, tick, player_tick, signal };
    explicit PollSource(Kind k) : kind(k) {}
    Kind kind;
};

}  // namespace ser::rtpp
