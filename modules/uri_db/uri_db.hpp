// uri_db: URI checks against the database (modules.md §11): From/To user
// against the authorized digest user (check_from / check_to), and whether
// the Request-URI's user exists (does_uri_exist).
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "ser/api/auth.hpp"
#include "ser/db.hpp"
#include "ser/module.hpp"

namespace ser::mod::uri_db {

class UriDb : public Module {
public:
    // ---- parameters (§11.1)
    std::string db_url = "mysql://serro:47serro11@localhost/ser";
    std::string uri_table = "uri";
    std::string uri_user_column = "username";
    std::string uri_domain_column = "domain";
    std::string uri_uriuser_column = "uri_user";
    std::string subscriber_table = "subscriber";
    std::string subscriber_user_column = "username";
    std::string subscriber_domain_column = "domain";
    bool use_uri_table = false;
    bool use_domain = false;

    bool init(Core& core) override;

    int check_to(sip::Msg& msg);
    int check_from(sip::Msg& msg);
    int does_uri_exist(sip::Msg& msg);

private:
    // §11.3 for the URI of To or From.
    int check_username(sip::Msg& msg, std::string_view uri);
    bool check_version(db::Connection& c, std::string_view table, int required);
    // The auth API, looked up on first use: uri_db does not depend on auth's
    // load order (without auth nothing is ever authorized).
    const api::AuthApi* auth();

    db::PerWorker db_;
    std::atomic<const api::AuthApi*> auth_{nullptr};
};

}  // namespace ser::mod::uri_db
