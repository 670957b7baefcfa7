// nathelper's management commands: the RTP proxies' state, and taking one
// out of (or back into) service by hand for maintenance.
#pragma once

#include "ser/fifo.hpp"
#include "ser/module.hpp"

namespace ser::mod::nathelper {

// nh_show_rtpp: "200 ok", then per proxy
// "<rtpproxy_sock entry> weight=<w> <state>".
int fifo_show_rtpp(Module& self, FifoRequest& req);
// nh_enable_rtpp <entry> <0|1>: 0 disables it until re-enabled, 1 enables
// it (tested again before its next use).
int fifo_enable_rtpp(Module& self, FifoRequest& req);

}  // namespace ser::mod::nathelper
