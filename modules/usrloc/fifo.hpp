// usrloc's management commands (modules.md §6.5), with SER's reply texts.
#pragma once

#include "ser/fifo.hpp"
#include "ser/module.hpp"

namespace ser::mod::usrloc {

int fifo_ul_stats(Module& self, FifoRequest& req);
int fifo_ul_dump(Module& self, FifoRequest& req);
int fifo_ul_flush(Module& self, FifoRequest& req);
int fifo_ul_show_contact(Module& self, FifoRequest& req);
int fifo_ul_add(Module& self, FifoRequest& req);
int fifo_ul_rm(Module& self, FifoRequest& req);
int fifo_ul_rm_contact(Module& self, FifoRequest& req);

}  // namespace ser::mod::usrloc
