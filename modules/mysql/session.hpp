// One connection to a MySQL/MariaDB server, used by one thread: connecting
// (short timeouts, utf8mb4 or a latin1 database's latin1, SER's non-strict
// sql_mode), running statements with the retry of modules.md §1.1 and
// logging failures once per burst.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <mysql.h>

#include "modules/mysql/options.hpp"
#include "modules/mysql/sql.hpp"
#include "ser/db.hpp"

namespace ser::mod::mysql {

// A non-owning reference to a callable, for a callback run before run()
// returns (no allocation per statement).
template <class F> class FunctionRef;
template <class R, class... A> class FunctionRef<R(A...)> {
public:
    template <class F>
    FunctionRef(F&& f)   // NOLINT: implicit on purpose
        : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* o, A... a) -> R { return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<A>(a)...); }) {}
    R operator()(A... a) const { return call_(obj_, std::forward<A>(a)...); }

private:
    void* obj_;
    R (*call_)(void*, A...);
};

// Writes a statement's text for the connection in use (called again after
// a reconnect: escaping depends on the server's sql_mode).
using Render = FunctionRef<bool(std::string& sql, std::string& error)>;

class Session final : public Escaper {
public:
    using Clock = std::chrono::steady_clock;
    // Connect, read and write timeouts: a dead server must not stall a worker.
    static constexpr unsigned kConnectTimeoutS = 2;
    static constexpr unsigned kReadTimeoutS = 5;
    static constexpr unsigned kWriteTimeoutS = 5;
    // After a failed reconnect, statements fail at once for this long.
    static constexpr auto kReconnectPause = std::chrono::seconds(1);
    // No further try of a statement once it has taken this long (a timeout).
    static constexpr auto kRetryBudget = std::chrono::seconds(2);

    Session(const db::Url& url, Options opts);
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // The first connect; false + error.
    bool open(std::string& error);

    // Renders and runs one statement; with `out`, its rows. On a lost
    // connection it reconnects and tries again (3 tries in all with
    // auto_reconnect). False when it failed (logged with purpose and table).
    bool run(std::string_view purpose, std::string_view table, Render render, db::Result* out);

    void append_escaped(std::string& out, std::string_view s) const override;
    std::string escape(std::string_view s) const;
    const std::string& last_error() const { return last_error_; }
    // user@host[:port]/database, for messages.
    const std::string& label() const { return label_; }
    bool connected() const { return my_ != nullptr; }

private:
    bool connect(std::string& error);
    bool reconnect(std::string& error);
    void drop();
    void keepalive(Clock::time_point now);
    // 0 = ok; else the client error number, or -1 for a result that could not be typed.
    int execute(const std::string& sql, db::Result* out, std::string& error);
    std::string error_text() const;

    bool refused(std::string_view purpose, std::string_view table, const std::string& error);
    bool lost(std::string_view purpose, std::string_view table, const std::string& error);
    void working();

    const db::Url url_;
    const Options opts_;
    const std::string label_;
    MYSQL* my_ = nullptr;
    std::string last_error_;
    Clock::time_point last_used_{};
    Clock::time_point retry_at_{};   // no reconnect before (the last one failed)
    bool failing_ = false;           // in a burst of failures for lack of a connection
    uint64_t failed_ = 0;            // statements failed in the current burst
};

// Errors that mean the connection is gone (not the statement's fault).
bool connection_lost(unsigned code);

}  // namespace ser::mod::mysql
