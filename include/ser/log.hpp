// Logging with SER's levels (core-runtime §8). A message of level L is
// produced when the configured debug level >= L. Errors (< 0) always are.
#pragma once

#include <atomic>
#include <string_view>

#include <fmt/format.h>

namespace ser {

enum LogLevel : int {
    L_ALERT = -3,
    L_CRIT = -2,
    L_ERR = -1,
    L_WARN = 1,
    L_NOTICE = 2,
    L_INFO = 3,
    L_DBG = 4,
};

namespace log_detail {
// The `debug` setting. Atomic because a management command changes it at
// run time while workers log; relaxed is enough, since a message only needs
// to see the old or the new level. Same size and alignment as the plain
// int it replaced, so modules built before still read it correctly.
extern std::atomic<int> g_level;
static_assert(std::atomic<int>::is_always_lock_free && sizeof(std::atomic<int>) == sizeof(int));
void write(int level, std::string_view text);
}  // namespace log_detail

inline bool log_enabled(int level) { return level <= log_detail::g_level.load(std::memory_order_relaxed); }

// Writes `text` as is (no newline added), like the config's log().
inline void log_raw(int level, std::string_view text) {
    if (log_enabled(level)) log_detail::write(level, text);
}

template <class... A>
inline void log(int level, fmt::format_string<A...> f, A&&... a) {
    if (!log_enabled(level)) return;
    fmt::memory_buffer buf;
    fmt::format_to(std::back_inserter(buf), f, std::forward<A>(a)...);
    buf.push_back('\n');
    log_detail::write(level, std::string_view(buf.data(), buf.size()));
}

}  // namespace ser

#define SER_ERR(...) ::ser::log(::ser::L_ERR, __VA_ARGS__)
#define SER_WARN(...) ::ser::log(::ser::L_WARN, __VA_ARGS__)
#define SER_NOTICE(...) ::ser::log(::ser::L_NOTICE, __VA_ARGS__)
#define SER_INFO(...) ::ser::log(::ser::L_INFO, __VA_ARGS__)
#define SER_DBG(...) ::ser::log(::ser::L_DBG, __VA_ARGS__)
