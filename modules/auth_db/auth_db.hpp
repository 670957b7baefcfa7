// auth_db: digest authorization against a credentials table (modules.md §9).
// The shared steps come from auth (api::AuthApi); this module looks up the
// password, checks the response (RFC 2617) and loads the AVP columns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "modules/auth/md5.hpp"
#include "ser/api/auth.hpp"
#include "ser/api/sl.hpp"
#include "ser/db.hpp"
#include "ser/metrics.hpp"
#include "ser/module.hpp"
#include "ser/sip/header.hpp"

namespace ser::mod::auth_db {

class AuthDb : public Module {
public:
    // ---- parameters (§9.1)
    std::string db_url = "mysql://serro:47serro11@localhost/ser";
    std::string user_column = "username";
    std::string domain_column = "domain";
    std::string password_column = "ha1";
    std::string password_column_2 = "ha1b";
    bool calculate_ha1 = false;
    bool use_domain = false;
    std::string avps_column_int = "domn";
    std::string avps_column_str = "uuid|rpid";
    std::string load_credentials;   // [2005]: when set, the string AVP columns (no integer ones)
    bool load_credentials_set = false;

    bool init(Core& core) override;

    // www_authorize / proxy_authorize (§9.2): 1, -1, or 0 after a reply.
    int authorize(sip::Msg& msg, std::string_view realm, std::string_view table, sip::HdrType hf_type);
    // Start-up check of a credentials table: its version must be >= 3.
    bool check_table(std::string_view table, std::string& error);

private:
    // 0 found (`ha1` filled), 1 no such user, -1 database error.
    int get_ha1(const api::AuthCheck& c, std::string_view table, std::string& ha1, db::Result& res);
    void add_avps(sip::Msg& msg, const std::vector<db::Value>& row) const;

    api::AuthApi* auth_ = nullptr;
    api::SlApi* sl_ = nullptr;
    db::PerWorker db_;
    std::vector<std::string> int_cols_, str_cols_;
    // The columns queried: password (normal / _2), then the AVP columns.
    std::vector<std::string_view> cols_, cols_2_;
    int rpid_index_ = -1;   // in str_cols_: the column named "rpid"
    metrics::Counter unknown_user_, wrong_password_, db_error_;   // ser_auth_failures_total
    auth::Md5Method md5_;
};

}  // namespace ser::mod::auth_db
