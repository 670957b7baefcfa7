// Opening connections: per-thread sharing of identical URLs, connect
// failures logged once per outage.
#include "modules/mysql/driver.hpp"

#include <functional>
#include <thread>

#include "modules/mysql/connection.hpp"
#include "modules/mysql/session.hpp"
#include "ser/log.hpp"

namespace ser::mod::mysql {

namespace {

std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return r;
}

// SER compares user, password, host (case-insensitive), port and database.
std::string pool_key(const db::Url& u) {
    std::string k = std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
    for (std::string_view part : {std::string_view(u.user), std::string_view(u.password)}) {
        k.push_back('\0');
        k.append(part);
    }
    k.push_back('\0');
    k.append(lower(u.host));
    k.push_back('\0');
    k.append(std::to_string(u.port));
    k.push_back('\0');
    k.append(u.database);
    return k;
}

}  // namespace

std::unique_ptr<db::Connection> MysqlDriver::connect(const db::Url& url, std::string& error) {
    if (url.host.empty() || url.database.empty()) {
        error = "mysql: db_url '" + url.scheme + "://" + url.rest + "' needs a host and a database";
        SER_ERR("{}", error);
        return nullptr;
    }
    const std::string key = pool_key(url);
    {
        std::lock_guard lk(mu_);
        for (auto it = pool_.begin(); it != pool_.end();) it = it->second.expired() ? pool_.erase(it) : std::next(it);
        auto it = pool_.find(key);
        if (it != pool_.end())
            if (auto s = it->second.lock()) return std::make_unique<MysqlConnection>(std::move(s));
    }
    // Only this thread makes sessions under its key: connect without the lock.
    auto s = std::make_shared<Session>(url, opts_);
    std::string e;
    const bool ok = s->open(e);
    std::lock_guard lk(mu_);
    if (!ok) {
        error = "mysql: cannot connect to " + s->label() + ": " + e;
        if (down_.insert(s->label()).second)
            SER_ERR("{}", error);
        else
            SER_DBG("{}", error);
        return nullptr;
    }
    if (down_.erase(s->label())) SER_NOTICE("mysql: connected to {} again", s->label());
    pool_[key] = s;
    return std::make_unique<MysqlConnection>(std::move(s));
}

}  // namespace ser::mod::mysql
