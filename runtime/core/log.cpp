// Log sink: stderr with SER's " <idx>(<pid>) " prefix, or syslog.
#include "ser/log.hpp"

#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "runtime/core/log_sink.hpp"

namespace ser {
namespace log_detail {
std::atomic<int> g_level{L_NOTICE};
}

namespace {
std::atomic<bool> g_stderr{true};
std::atomic<int> g_facility{LOG_DAEMON};
thread_local int t_process_index = 0;

int syslog_priority(int level) {
    switch (level) {
    case L_ALERT: return LOG_ALERT;
    case L_CRIT: return LOG_CRIT;
    case L_ERR: return LOG_ERR;
    case L_WARN: return LOG_WARNING;
    case L_NOTICE: return LOG_NOTICE;
    case L_INFO: return LOG_INFO;
    case L_DBG: return LOG_DEBUG;
    default: return -1;  // levels 0 and >= 5 never reach syslog [quirk]
    }
}
}  // namespace

void log_detail::write(int level, std::string_view text) {
    if (g_stderr.load(std::memory_order_relaxed)) {
        char prefix[32];
        int n = std::snprintf(prefix, sizeof prefix, "%2d(%d) ", t_process_index, int(getpid()));
        // One write per message keeps lines from different workers whole.
        std::string line;
        line.reserve(size_t(n) + text.size());
        line.append(prefix, size_t(n)).append(text);
        ssize_t ignored = ::write(2, line.data(), line.size());
        (void)ignored;
        return;
    }
    int prio = syslog_priority(level);
    if (prio < 0) return;
    ::syslog(prio | g_facility.load(), "%.*s", int(text.size()), text.data());
}

void set_log_level(int level) { log_detail::g_level.store(level, std::memory_order_relaxed); }
int log_level() { return log_detail::g_level.load(std::memory_order_relaxed); }
void set_log_stderr(bool on) { g_stderr = on; }
void set_log_facility(int facility) { g_facility = facility; }
void set_log_process_index(int idx) { t_process_index = idx; }
void open_syslog(const char* ident) { ::openlog(ident, LOG_PID | LOG_CONS, g_facility.load()); }

}  // namespace ser
