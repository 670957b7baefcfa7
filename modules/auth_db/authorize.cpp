// www_authorize / proxy_authorize (modules.md §9.3).
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "modules/auth/md5.hpp"
#include "modules/auth_db/auth_db.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/text.hpp"

namespace ser::mod::auth_db {

using auth::kMd5HexLen;
using auth::md5_hex;

namespace {

// A result value as text (string columns as stored; NULL is empty).
std::string text_of(const db::Value& v) {
    if (v.null) return {};
    switch (v.type) {
    case db::Type::String:
    case db::Type::Blob: return std::string(v.s);
    case db::Type::Int:
    case db::Type::Bitmap: return std::to_string(v.i);
    case db::Type::Double: return fmt::format("{}", v.d);
    case db::Type::DateTime: return std::to_string(int64_t(v.t));
    }
    return {};
}

int64_t int_of(const db::Value& v) {
    switch (v.type) {
    case db::Type::Int:
    case db::Type::Bitmap: return v.i;
    case db::Type::Double: return int64_t(v.d);
    case db::Type::DateTime: return int64_t(v.t);
    case db::Type::String:
    case db::Type::Blob: return std::strtoll(std::string(v.s).c_str(), nullptr, 10);
    }
    return 0;
}

// RFC 2617 §3.2.2.1 request-digest for qop absent / "auth" (SER's
// calc_response). `qop` as sent: a non-empty one adds nc:cnonce:qop.
bool response_ok(const sip::Credentials& c, std::string_view method, std::string_view ha1, const EVP_MD* md5) {
    if (c.response.size() != kMd5HexLen) {
        SER_DBG("check_response(): Receive response len != 32");
        return false;
    }
    // [quirk] auth-int: the original hashes an entity digest it never
    // computed, so such credentials never verify (§9.3 step 4).
    if (iequals(trim_ws(c.qop), "auth-int")) return false;
    char ha2[kMd5HexLen], resp[kMd5HexLen];
    if (!md5_hex({method, ":", c.uri}, ha2, md5)) return false;
    std::string_view h2(ha2, kMd5HexLen);
    bool ok = c.qop.empty() ? md5_hex({ha1, ":", c.nonce, ":", h2}, resp, md5)
                            : md5_hex({ha1, ":", c.nonce, ":", c.nc, ":", c.cnonce, ":", c.qop, ":", h2}, resp, md5);
    return ok && std::string_view(resp, kMd5HexLen) == c.response;   // case-sensitive, as SER's memcmp
}

}  // namespace

int AuthDb::get_ha1(const api::AuthCheck& c, std::string_view table, std::string& ha1, db::Result& res) {
    db::Connection* conn = db_.get();
    if (!conn) return -1;
    // ha1b (MD5 of user@domain:realm:password) when the username carries a domain.
    const bool col2 = !c.domain.empty() && !calculate_ha1;
    db::Where where[] = {{user_column, db::Value::of_str(c.user)}, {domain_column, db::Value::of_str(c.realm)}};
    db::Select q;
    q.table = table;
    q.where = std::span<const db::Where>(where, use_domain ? 2 : 1);
    q.columns = col2 ? cols_2_ : cols_;
    q.purpose = "auth_db: credentials of a user";
    if (!conn->query(q, res)) {
        SER_ERR("get_ha1(): Error while querying database");
        return -1;
    }
    if (res.rows.empty() || res.rows[0].empty()) {
        SER_DBG("get_ha1(): no result for user '{}@{}'", c.user, use_domain ? c.realm : "");
        return 1;
    }
    std::string stored = text_of(res.rows[0][0]);
    if (calculate_ha1) {
        // The column holds the plain password: HA1 = MD5(username:realm:password)
        // with the whole digest username.
        ha1 = md5_hex({c.cred.username, ":", c.realm, ":", stored}, md5_.get());
        if (ha1.empty()) return -1;
    } else {
        ha1 = std::move(stored);
    }
    return 0;
}

void AuthDb::add_avps(sip::Msg& msg, const std::vector<db::Value>& row) const {
    const size_t ni = int_cols_.size();
    for (size_t i = 0; i < ni && 1 + i < row.size(); ++i) {
        const db::Value& v = row[1 + i];
        if (v.null) continue;
        sip::Avp a;
        a.name = int_cols_[i];
        a.i = int_of(v);
        msg.avps.push_back(std::move(a));
    }
    for (size_t i = 0; i < str_cols_.size() && 1 + ni + i < row.size(); ++i) {
        const db::Value& v = row[1 + ni + i];
        if (v.null) continue;
        // auth already keeps the RPID in an AVP of this name (post_auth).
        if (int(i) == rpid_index_ && str_cols_[i] == auth_->rpid_avp()) continue;
        sip::Avp a;
        a.name = str_cols_[i];
        a.is_str = true;
        a.s = text_of(v);
        msg.avps.push_back(std::move(a));
    }
}

int AuthDb::authorize(sip::Msg& msg, std::string_view realm, std::string_view table, sip::HdrType hf_type) {
    api::AuthCheck check;
    switch (auth_->pre_auth(msg, realm, hf_type, check)) {
    case api::AuthResult::Error: return 0;
    case api::AuthResult::NotAuthorized: return -1;
    case api::AuthResult::Authorized: return 1;
    case api::AuthResult::DoAuthorization: break;
    }

    db::Result res;
    std::string ha1;
    int r = get_ha1(check, table, ha1, res);
    if (r < 0) {
        db_error_.inc();
        if (sl_->send_reply(msg, 500, "Server Internal Error") < 0)
            SER_ERR("authorize(): Error while sending 500 reply");
        return 0;
    }
    if (r > 0) {
        unknown_user_.inc();
        return -1;   // no such user
    }

    if (!response_ok(check.cred, msg.method(), ha1, md5_.get())) {
        SER_DBG("check_response(): Authorization failed");
        wrong_password_.inc();
        return -1;
    }
    const std::vector<db::Value>& row = res.rows[0];
    std::string rpid;
    if (rpid_index_ >= 0 && size_t(1 + int_cols_.size() + size_t(rpid_index_)) < row.size())
        rpid = text_of(row[1 + int_cols_.size() + size_t(rpid_index_)]);
    switch (auth_->post_auth(msg, check, rpid)) {
    case api::AuthResult::Error: return 0;
    case api::AuthResult::Authorized:
        add_avps(msg, row);
        return 1;
    default: return -1;
    }
}

}  // namespace ser::mod::auth_db
