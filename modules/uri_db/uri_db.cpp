// uri_db (modules.md §11): module glue and the three checks.
#include "modules/uri_db/uri_db.hpp"

#include <memory>

#include "ser/api.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/params.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/uri.hpp"
#include "ser/text.hpp"

namespace ser::mod::uri_db {

namespace {

constexpr int kUriVersion = 1;
constexpr int kSubscriberVersion = 3;

// SER 0.9's URI parser knows sip: and sips: only.
bool parse_sip_uri(std::string_view text, sip::Uri& u) {
    return sip::parse_uri(text, u) && (u.scheme == sip::Uri::Scheme::Sip || u.scheme == sip::Uri::Scheme::Sips);
}

}  // namespace

bool UriDb::check_version(db::Connection& c, std::string_view table, int required) {
    int ver = db::table_version(c, table);
    if (ver < 0) {
        SER_ERR("uri_db:mod_init(): Error while querying table version");
        return false;
    }
    if (ver < required) {
        SER_ERR("uri_db:mod_init(): Invalid table version of {} table ({}, {} needed; use ser_mysql.sh reinstall)",
                table, ver, required);
        return false;
    }
    return true;
}

bool UriDb::init(Core& core) {
    core_ = &core;
    std::string err;
    if (!db_.init(core, db_url, "uri_db", err)) {
        SER_ERR("ERROR: uri_db:mod_init(): No database module found: {}", err);
        return false;
    }
    if (core.check_only()) return true;   // `ser -c` opens no connection
    // Both versions are checked, also when the uri table is not used.
    std::unique_ptr<db::Connection> c = db::connect(core, db_url, err);
    if (!c) {
        SER_ERR("uri_db:mod_init(): cannot connect to the database to check table versions: {}", err);
        return false;
    }
    return check_version(*c, uri_table, kUriVersion) && check_version(*c, subscriber_table, kSubscriberVersion);
}

const api::AuthApi* UriDb::auth() {
    const api::AuthApi* a = auth_.load(std::memory_order_acquire);
    if (!a) {
        a = import_api<api::AuthApi>(core());
        if (a) auth_.store(a, std::memory_order_release);
    }
    return a;
}

int UriDb::check_username(sip::Msg& msg, std::string_view uri) {
    const api::AuthApi* a = auth();
    std::optional<api::AuthorizedCred> cred;
    if (a) cred = a->authorized(msg);
    if (!cred) {
        SER_ERR("check_username(): No authorized credentials found (error in scripts)");
        SER_ERR("check_username(): Call {{www,proxy}}_authorize before calling check_* function !");
        return -2;
    }
    sip::Uri u;
    if (!parse_sip_uri(uri, u)) {
        SER_ERR("check_username(): Error while parsing URI");
        return -3;
    }
    if (u.user.empty()) {
        SER_ERR("check_username(): Username not found in URI");
        return -4;
    }
    if (!use_uri_table) {
        // Digest username and URI user compared ignoring case.
        if (iequals(u.user, cred->user)) return 1;
        SER_DBG("check_username(): Digest username and URI username do NOT match");
        return -10;
    }
    // The uri table lists the URI users a digest user may appear as.
    std::string_view host = u.host_text();
    if (host.size() != cred->realm.size()) {
        SER_ERR("check_username(): Digest realm and URI domain do not match");
        return -5;
    }
    if (!iequals(host, cred->realm)) {
        SER_DBG("check_username(): Digest realm and URI domain do not match");
        return -6;
    }
    db::Connection* c = db_.get();
    if (!c) {
        SER_ERR("ERROR: check_username(): Error while trying to use uri table");
        return -7;
    }
    db::Where where[] = {{uri_user_column, db::Value::of_str(cred->user)},
                         {uri_domain_column, db::Value::of_str(cred->realm)},
                         {uri_uriuser_column, db::Value::of_str(u.user)}};
    std::string_view cols[] = {uri_user_column};
    db::Result res;
    if (!c->query({.table = uri_table, .where = where, .columns = cols, .purpose = "uri_db: may a user use a URI"},
                  res)) {
        SER_ERR("ERROR: check_username(): Error while querying database");
        return -8;
    }
    if (res.rows.empty()) {
        SER_DBG("check_username(): From/To user '{}' is spoofed", u.user);
        return -9;
    }
    return 1;
}

int UriDb::check_to(sip::Msg& msg) {
    const sip::NameAddr* to = msg.to();
    if (!to) {
        SER_ERR("check_to(): Error while parsing To header field");
        return -1;
    }
    return check_username(msg, to->uri);
}

int UriDb::check_from(sip::Msg& msg) {
    const sip::NameAddr* from = msg.from();
    if (!from) {
        SER_ERR("check_from(): Error while parsing From header field");
        return -1;
    }
    return check_username(msg, from->uri);
}

int UriDb::does_uri_exist(sip::Msg& msg) {
    const sip::Uri* u = msg.parsed_uri();
    if (!u || (u->scheme != sip::Uri::Scheme::Sip && u->scheme != sip::Uri::Scheme::Sips)) {
        SER_ERR("does_uri_exist(): Error while parsing URI");
        return -1;
    }
    db::Connection* c = db_.get();
    if (!c) {
        SER_ERR("ERROR: does_uri_exist(): Error while trying to use {} table",
                use_uri_table ? "uri" : "subscriber");
        return use_uri_table ? -2 : -3;
    }
    std::string_view table = use_uri_table ? std::string_view(uri_table) : std::string_view(subscriber_table);
    std::string_view user_col = use_uri_table ? std::string_view(uri_uriuser_column)
                                              : std::string_view(subscriber_user_column);
    std::string_view domain_col = use_uri_table ? std::string_view(uri_domain_column)
                                                : std::string_view(subscriber_domain_column);
    db::Where where[] = {{user_col, db::Value::of_str(u->user)}, {domain_col, db::Value::of_str(u->host_text())}};
    std::string_view cols[] = {user_col};
    db::Result res;
    db::Select q{.table = table,
                 .where = std::span<const db::Where>(where, use_domain ? 2 : 1),
                 .columns = cols,
                 .purpose = "uri_db: does a user exist"};
    if (!c->query(q, res)) {
        SER_ERR("does_uri_exist(): Error while querying database");
        return -4;
    }
    if (res.rows.empty()) {
        SER_DBG("does_uri_exit(): User in request uri does not exist");
        return -5;
    }
    return 1;
}

namespace {

int w_check_to(Module& m, sip::Msg& msg, const CallArg*) { return self_as<UriDb>(m).check_to(msg); }
int w_check_from(Module& m, sip::Msg& msg, const CallArg*) { return self_as<UriDb>(m).check_from(msg); }
int w_does_uri_exist(Module& m, sip::Msg& msg, const CallArg*) { return self_as<UriDb>(m).does_uri_exist(msg); }

const CmdExport cmds[] = {
    {"check_to", 0, w_check_to, nullptr, kRequestRoute},
    {"check_from", 0, w_check_from, nullptr, kRequestRoute},
    {"does_uri_exist", 0, w_does_uri_exist, nullptr, kRequestRoute},
};

const ParamExport params[] = {
    {"db_url", ParamType::Str, set_str<&UriDb::db_url>},
    {"uri_table", ParamType::Str, set_str<&UriDb::uri_table>},
    {"uri_user_column", ParamType::Str, set_str<&UriDb::uri_user_column>},
    {"uri_domain_column", ParamType::Str, set_str<&UriDb::uri_domain_column>},
    {"uri_uriuser_column", ParamType::Str, set_str<&UriDb::uri_uriuser_column>},
    {"subscriber_table", ParamType::Str, set_str<&UriDb::subscriber_table>},
    {"subscriber_user_column", ParamType::Str, set_str<&UriDb::subscriber_user_column>},
    {"subscriber_domain_column", ParamType::Str, set_str<&UriDb::subscriber_domain_column>},
    {"use_uri_table", ParamType::Int, set_bool<&UriDb::use_uri_table>},
    {"use_domain", ParamType::Int, set_bool<&UriDb::use_domain>},
};

}  // namespace
}  // namespace ser::mod::uri_db

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "uri_db", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::uri_db::UriDb; },
    ::ser::mod::uri_db::cmds, SER_COUNT(::ser::mod::uri_db::cmds),
    ::ser::mod::uri_db::params, SER_COUNT(::ser::mod::uri_db::params),
    nullptr, 0, nullptr, 0, 0}))
