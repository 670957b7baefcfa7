// Logging of the media relay: stderr in the foreground, syslog (ident
// "rtpproxy") when daemonised; lines below the -d level are skipped before
// they are formatted. Each line names its call (the Call-ID) or GLOBAL.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string_view>

namespace ser::rtpp {

enum class LogLevel { debug = 0, info, warn, err, crit };

// -d argument: DBUG, INFO, WARN, ERR or CRIT (case-insensitive; DEBUG,
// WARNING, ERROR accepted), optionally ":facility" (daemon, local0..7, user).
struct LogSpec {
    LogLevel level = LogLevel::info;
    int facility = 0;   // 0 = LOG_DAEMON
};
std::optional<LogSpec> parse_log_spec(std::string_view text);

class Logger {
public:
    explicit Logger(LogSpec spec = {}) : spec_(spec) {}
    ~Logger();

    // Switches from stderr to syslog (after daemonising).
    void use_syslog();
    bool enabled(LogLevel l) const { return l >= spec_.level; }

    template <class... A>
    void log(LogLevel l, std::string_view context, fmt::format_string<A...> f, A&&... args) {
        if (!enabled(l)) return;
        write(l, context, fmt::format(f, std::forward<A>(args)...));
    }
    template <class... A> void debug(std::string_view c, fmt::format_string<A...> f, A&&... a) { log(LogLevel::debug, c, f, std::forward<A>(a)...); }
    template <class... A> void info(std::string_view c, fmt::format_string<A...> f, A&&... a) { log(LogLevel::info, c, f, std::forward<A>(a)...); }
    template <class... A> void warn(std::string_view c, fmt::format_string<A...> f, A&&... a) { log(LogLevel::warn, c, f, std::forward<A>(a)...); }
    template <class... A> void error(std::string_view c, fmt::format_string<A...> f, A&&... a) { log(LogLevel::err, c, f, std::forward<A>(a)...); }
    template <class... A> void crit(std::string_view c, fmt::format_string<A...> f, A&&... a) { log(LogLevel::crit, c, f, std::forward<A>(a)...); }

private:
    void write(LogLevel l, std::string_view context, const std::string& text);

    LogSpec spec_;
    bool syslog_ = false;
};

}  // namespace ser::rtpp
