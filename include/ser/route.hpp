// Route block kinds (cfg-language §6): what a module function sees of the
// block it is called from, and what a module asks the core to run.
#pragma once

#include <cstdint>

namespace ser {

enum class RouteKind : uint8_t {
    Request,   // route, route[n]
    Failure,   // failure_route[n]
    OnReply,   // onreply_route[n]
};

inline constexpr int kMaxRouteBlocks = 20;   // route[0..19] and friends

}  // namespace ser
