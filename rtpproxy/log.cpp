#include "rtpproxy/log.hpp"

#include <syslog.h>

#include <cstdio>
#include <string>

namespace ser::rtpp {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
        if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
        if (x != y) return false;
    }
    return true;
}

const char* level_name(LogLevel l) {
    switch (l) {
    case LogLevel::debug: return "DBUG";
    case LogLevel::info: return "INFO";
    case LogLevel::warn: return "WARN";
    case LogLevel::err: return "ERR";
    case LogLevel::crit: return "CRIT";
    }
    return "?";
}

int syslog_priority(LogLevel l) {
    switch (l) {
    case LogLevel::debug: return LOG_DEBUG;
    case LogLevel::info: return LOG_INFO;
    case LogLevel::warn: return LOG_WARNING;
    case LogLevel::err: return LOG_ERR;
    case LogLevel::crit: return LOG_CRIT;
    }
    return LOG_INFO;
}

}  // namespace

std::optional<LogSpec> parse_log_spec(std::string_view text) {
    LogSpec spec;
    std::string_view level = text, facility;
    if (auto colon = text.find(':'); colon != std::string_view::npos) {
        level = text.substr(0, colon);
        facility = text.substr(colon + 1);
    }
    struct Name { const char* name; LogLevel level; };
    static constexpr Name kLevels[] = {
        {"DBUG", LogLevel::debug}, {"DEBUG", LogLevel::debug}, {"INFO", LogLevel::info},
        {"WARN", LogLevel::warn}, {"WARNING", LogLevel::warn}, {"ERR", LogLevel::err},
        {"ERROR", LogLevel::err}, {"CRIT", LogLevel::crit},
    };
    bool found = false;
    for (const auto& n : kLevels)
        if (iequals(level, n.name)) {
            spec.level = n.level;
            found = true;
        }
    if (!found) return std::nullopt;
    if (!facility.empty()) {
        struct Fac { const char* name; int value; };
        static constexpr Fac kFacilities[] = {
            {"daemon", LOG_DAEMON}, {"user", LOG_USER}, {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
            {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
            {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
        };
        found = false;
        for (const auto& f : kFacilities)
            if (iequals(facility, f.name)) {
                spec.facility = f.value;
                found = true;
            }
        if (!found) return std::nullopt;
    }
    return spec;
}

Logger::~Logger() {
    if (syslog_) closelog();
}

void Logger::use_syslog() {
    if (syslog_) return;
    openlog("rtpproxy", LOG_PID | LOG_NDELAY, spec_.facility ? spec_.facility : LOG_DAEMON);
    syslog_ = true;
}

void Logger::write(LogLevel l, std::string_view context, const std::string& text) {
    std::string_view ctx = context.empty() ? std::string_view("GLOBAL") : context;
    if (syslog_) {
        syslog(syslog_priority(l), "%s:%.*s: %s", level_name(l), static_cast<int>(ctx.size()), ctx.data(),
               text.c_str());
        return;
    }
    std::string line = fmt::format("{}:{}: {}\n", level_name(l), ctx, text);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace ser::rtpp
