// tm's management commands that act on transactions (modules.md §3.12):
// t_uac_dlg (send a request as a UAC, answer when it completes),
// t_uac_cancel and t_reply.
#pragma once

#include "ser/fifo.hpp"
#include "ser/module.hpp"

namespace ser::mod::tm {

int fifo_uac_dlg(Module& self, FifoRequest& req);
int fifo_uac_cancel(Module& self, FifoRequest& req);
int fifo_t_reply(Module& self, FifoRequest& req);

}  // namespace ser::mod::tm
