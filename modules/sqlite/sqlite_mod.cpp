// sqlite.so: the embedded database driver (db_url sqlite:///path/to.db), so
// that ser runs with no database server. Exports a db::Driver as "db:sqlite".
#include "modules/sqlite/connection.hpp"
#include "ser/core.hpp"
#include "ser/module.hpp"
#include "ser/params.hpp"

namespace ser::mod::sqlite {

class Sqlite : public Module, public db::Driver {
public:
    Options options;

    bool init(Core& core) override {
        core_ = &core;
        return core.register_api(db::driver_api_name("sqlite"), db::Driver::kVersion, static_cast<db::Driver*>(this));
    }

    std::unique_ptr<db::Connection> connect(const db::Url& url, std::string& error) override {
        if (url.rest.empty() || url.rest[0] != '/') {
            error = "sqlite db_url must be sqlite:///absolute/path, not sqlite://" + url.rest;
            return nullptr;
        }
        return SqliteConnection::open(url.rest, options, error);
    }
};

const ParamExport params[] = {
    {"busy_timeout", ParamType::Int, [](Module& m, const ParamValue& v, std::string& e) {
         if (v.number < 0 || v.number > 600000) {
             e = "busy_timeout out of range 0..600000 ms";
             return false;
         }
         self_as<Sqlite>(m).options.busy_timeout_ms = int(v.number);
         return true;
     }},
};

}  // namespace ser::mod::sqlite

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "sqlite", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::sqlite::Sqlite; },
    nullptr, 0,
    ::ser::mod::sqlite::params, SER_COUNT(::ser::mod::sqlite::params),
    nullptr, 0, nullptr, 0, 0}))
