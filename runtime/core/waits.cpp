#include "ser/wait.hpp"

namespace ser {

namespace {
thread_local uint64_t t_wait_ns = 0;
}

uint64_t thread_wait_ns() { return t_wait_ns; }
void add_thread_wait_ns(uint64_t ns) { t_wait_ns += ns; }

}  // namespace ser
