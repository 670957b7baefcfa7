// auth_db's module glue: parameters, start-up and script functions (modules.md §9.1-9.2).
#include "modules/auth_db/auth_db.hpp"
#include "modules/auth/auth_metrics.hpp"

#include <memory>

#include "ser/api.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/params.hpp"

namespace ser::mod::auth_db {

namespace {

constexpr int kSubscriberVersion = 3;

// SER's parse_token_list: '|'-separated names; an empty text is no name,
// a separator at the very end adds none, two in a row add an empty one.
std::vector<std::string> split_columns(std::string_view s) {
    std::vector<std::string> out;
    size_t p = 0;
    while (p < s.size()) {
        size_t e = s.find('|', p);
        if (e == std::string_view::npos) e = s.size();
        out.emplace_back(s.substr(p, e - p));
        p = e + 1;
    }
    return out;
}

}  // namespace

bool AuthDb::init(Core& core) {
    core_ = &core;
    if (load_credentials_set) {
        int_cols_.clear();
        str_cols_ = split_columns(load_credentials);
    } else {
        int_cols_ = split_columns(avps_column_int);
        str_cols_ = split_columns(avps_column_str);
    }
    rpid_index_ = -1;
    for (size_t i = 0; i < str_cols_.size(); ++i)
        if (str_cols_[i] == "rpid") rpid_index_ = int(i);   // the last one, as SER's loop
    cols_ = {password_column};
    cols_2_ = {password_column_2};
    for (auto* v : {&cols_, &cols_2_}) {
        for (const auto& c : int_cols_) v->push_back(c);
        for (const auto& c : str_cols_) v->push_back(c);
    }

    std::string err;
    if (!db_.init(core, db_url, "auth_db", err)) {
        SER_ERR("{}", err);
        return false;
    }
    auth_ = import_api<api::AuthApi>(core);
    if (!auth_) {
        SER_ERR("auth_db:mod_init(): This module requires auth module");
        return false;
    }
    sl_ = import_api<api::SlApi>(core);
    if (!sl_) {
        SER_ERR("auth_db:mod_init(): This module requires sl module");
        return false;
    }
    unknown_user_ = auth::failure_counter(core.metrics(), "unknown_user");
    wrong_password_ = auth::failure_counter(core.metrics(), "wrong_password");
    db_error_ = auth::failure_counter(core.metrics(), "db_error");
    return true;
}

bool AuthDb::check_table(std::string_view table, std::string& error) {
    if (core().check_only()) return true;   // `ser -c` opens no connection
    std::unique_ptr<db::Connection> c = db::connect(core(), db_url, error);
    if (!c) {
        error = "auth_db: cannot check the version of table '" + std::string(table) + "': " + error;
        return false;
    }
    int ver = db::table_version(*c, table);
    if (ver < 0) {
        error = "auth_db:str_fixup(): Error while querying table version";
        return false;
    }
    if (ver < kSubscriberVersion) {
        error = fmt::format("auth_db:str_fixup(): Invalid table version of table '{}' ({}, {} needed; "
                            "use ser_mysql.sh reinstall)", table, ver, kSubscriberVersion);
        return false;
    }
    return true;
}

namespace {

bool fixup_authorize(Module& self, CallArg& arg, int index, std::string& error) {
    if (index != 1) return true;
    return self_as<AuthDb>(self).check_table(arg.text, error);
}

int w_www_authorize(Module& m, sip::Msg& msg, const CallArg* a) {
    return self_as<AuthDb>(m).authorize(msg, a[0].text, a[1].text, sip::HdrType::Authorization);
}
int w_proxy_authorize(Module& m, sip::Msg& msg, const CallArg* a) {
    return self_as<AuthDb>(m).authorize(msg, a[0].text, a[1].text, sip::HdrType::ProxyAuthorization);
}

bool set_load_credentials(Module& self, const ParamValue& v, std::string&) {
    auto& a = self_as<AuthDb>(self);
    a.load_credentials = std::string(v.text);
    a.load_credentials_set = true;
    return true;
}

const CmdExport cmds[] = {
    {"www_authorize", 2, w_www_authorize, fixup_authorize, kRequestRoute},
    {"proxy_authorize", 2, w_proxy_authorize, fixup_authorize, kRequestRoute},
};

const ParamExport params[] = {
    {"db_url", ParamType::Str, set_str<&AuthDb::db_url>},
    {"user_column", ParamType::Str, set_str<&AuthDb::user_column>},
    {"domain_column", ParamType::Str, set_str<&AuthDb::domain_column>},
    {"password_column", ParamType::Str, set_str<&AuthDb::password_column>},
    {"password_column_2", ParamType::Str, set_str<&AuthDb::password_column_2>},
    {"avps_column_int", ParamType::Str, set_str<&AuthDb::avps_column_int>},
    {"avps_column_str", ParamType::Str, set_str<&AuthDb::avps_column_str>},
    {"load_credentials", ParamType::Str, set_load_credentials},
    {"calculate_ha1", ParamType::Int, set_bool<&AuthDb::calculate_ha1>},
    {"use_domain", ParamType::Int, set_bool<&AuthDb::use_domain>},
};

}  // namespace
}  // namespace ser::mod::auth_db

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "auth_db", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::auth_db::AuthDb; },
    ::ser::mod::auth_db::cmds, SER_COUNT(::ser::mod::auth_db::cmds),
    ::ser::mod::auth_db::params, SER_COUNT(::ser::mod::auth_db::params),
    nullptr, 0, nullptr, 0, 0}))
