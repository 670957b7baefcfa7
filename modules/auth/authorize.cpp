// The authorization steps every backend shares (modules.md §8.5) and the
// per-message record of the credentials they authorized.
#include <ctime>

#include "modules/auth/auth.hpp"
#include "modules/auth/nonce.hpp"
#include "modules/auth/rpid.hpp"
#include "modules/auth/username.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/uri.hpp"
#include "ser/text.hpp"

namespace ser::mod::auth {

namespace {

// The message slot holds, without any allocation, per header kind the index
// + 1 of the authorized header (SER's auth_body_t.authorized, kept on the
// first header of the kind) and that credential's stale flag (SER's
// auth_body_t.stale): Authorization in bits 0-15, Proxy-Authorization in
// bits 16-31; in each half bit 15 is the stale flag.
constexpr uintptr_t kIndexMask = 0x7fff;
constexpr uintptr_t kStaleBit = 0x8000;
static_assert(sip::kMaxHeaders < kIndexMask);

unsigned shift_of(sip::HdrType t) { return t == sip::HdrType::ProxyAuthorization ? 16 : 0; }

bool is_ack_or_cancel(const sip::Msg& msg) {
    return msg.method_id() == sip::Method::Ack || msg.method_id() == sip::Method::Cancel;
}

// What SER's parse_digest_cred makes of a header value before parsing the
// parameters: anything shorter than "Digest " or not starting with "Digest"
// and a white space or comma is an unknown scheme, skipped by the search.
bool digest_scheme(std::string_view v) {
    v = trim_ws(v);   // SER trims only the leading side; the length test below is the same
    if (v.size() < 7) return false;
    if (!iequals(v.substr(0, 6), "Digest")) return false;
    char c = v[6];
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',';
}

bool present(std::string_view v) { return v.data() != nullptr; }

// SER's check_dig_cred (§8.5 step 4).
bool complete(const sip::Credentials& c, std::string_view domain) {
    if (!present(c.username) || !present(c.realm) || !present(c.nonce) || !present(c.uri) ||
        !present(c.response))
        return false;
    if (!domain.empty() && !iequals(domain, c.realm)) return false;
    std::string_view qop = trim_ws(c.qop);
    if (iequals(qop, "auth") || iequals(qop, "auth-int"))
        if (!present(c.cnonce) || !present(c.nc)) return false;
    return true;
}

}  // namespace

// ---- per-message state --------------------------------------------------------

const sip::HeaderField* Auth::authorized_header(const sip::Msg& msg, sip::HdrType t) const {
    if (slot_ < 0) return nullptr;
    auto v = reinterpret_cast<uintptr_t>(msg.slots[size_t(slot_)]);
    size_t idx = (v >> shift_of(t)) & kIndexMask;
    if (idx == 0 || idx > msg.headers().size()) return nullptr;
    const sip::HeaderField* h = &msg.headers()[idx - 1];
    return h->type == t ? h : nullptr;
}

const sip::HeaderField* Auth::any_authorized_header(const sip::Msg& msg) const {
    const sip::HeaderField* h = authorized_header(msg, sip::HdrType::Authorization);
    return h ? h : authorized_header(msg, sip::HdrType::ProxyAuthorization);
}

bool Auth::authorized_stale(const sip::Msg& msg, sip::HdrType t) const {
    if (!authorized_header(msg, t)) return false;
    auto v = reinterpret_cast<uintptr_t>(msg.slots[size_t(slot_)]);
    return ((v >> shift_of(t)) & kStaleBit) != 0;
}

void Auth::mark_authorized(sip::Msg& msg, const sip::HeaderField* h, bool stale) const {
    auto v = reinterpret_cast<uintptr_t>(msg.slots[size_t(slot_)]);
    unsigned s = shift_of(h->type);
    uintptr_t idx = uintptr_t(h - msg.headers().data()) + 1;
    v &= ~((kIndexMask | kStaleBit) << s);
    v |= (idx | (stale ? kStaleBit : 0)) << s;
    msg.slots[size_t(slot_)] = reinterpret_cast<void*>(v);
}

std::optional<api::AuthorizedCred> Auth::authorized(const sip::Msg& msg) const {
    const sip::HeaderField* h = any_authorized_header(msg);
    if (!h) return std::nullopt;
    sip::Credentials c;
    if (!sip::parse_credentials(h->value, c)) return std::nullopt;   // it parsed when it was authorized
    api::AuthorizedCred out;
    out.username = c.username;
    std::string_view domain;
    split_username(c.username, out.user, domain);
    out.realm = c.realm;
    return out;
}

std::optional<std::string_view> Auth::authorized_user(const sip::Msg& msg) const {
    auto c = authorized(msg);
    if (!c) return std::nullopt;
    return c->user;
}

// ---- realm (§8.3) ----------------------------------------------------------------

bool Auth::derive_realm(const sip::Msg& msg, sip::HdrType t, std::string_view& realm) const {
    const bool to = msg.method() == "REGISTER" && t == sip::HdrType::Authorization;
    const sip::NameAddr* na = to ? msg.to() : msg.from();
    if (!na) {
        SER_ERR("get_realm(): Error while parsing headers");
        return false;
    }
    sip::Uri u;
    if (!sip::parse_uri(na->uri, u) || u.scheme == sip::Uri::Scheme::Other) {
        SER_ERR("get_realm(): Error while parsing URI");
        return false;
    }
    realm = u.host_text();
    if (!realm_prefix.empty() && realm_prefix.size() <= realm.size() &&
        realm.substr(0, realm_prefix.size()) == realm_prefix)
        realm.remove_prefix(realm_prefix.size());
    return true;
}

// ---- pre_auth / post_auth --------------------------------------------------------

api::AuthResult Auth::pre_auth(sip::Msg& msg, std::string_view realm, sip::HdrType hf_type,
                               api::AuthCheck& out) {
    // ACK and CANCEL cannot be challenged: always authorized.
    if (is_ack_or_cancel(msg)) return api::AuthResult::Authorized;
    if (hf_type != sip::HdrType::ProxyAuthorization) hf_type = sip::HdrType::Authorization;

    if (realm.empty() && !derive_realm(msg, hf_type, realm)) {
        SER_ERR("pre_auth(): Error while extracting realm");
        malformed_.inc();
        send(msg, 400, "Bad Request");
        return api::AuthResult::Error;
    }

    // The first Digest credentials of this realm.
    const sip::HeaderField* found = nullptr;
    sip::Credentials cred;
    for (const sip::HeaderField* h = msg.header(hf_type); h; h = msg.next_header(h)) {
        if (!digest_scheme(h->value)) continue;
        if (!sip::parse_credentials(h->value, cred)) {
            SER_ERR("find_credentials(): Error while parsing credentials");
            malformed_.inc();
            send(msg, 400, "Bad Request");
            return api::AuthResult::Error;
        }
        if (iequals(cred.realm, realm)) {
            found = h;
            break;
        }
    }
    if (!found) {
        SER_DBG("pre_auth(): Credentials with given realm not found");
        return api::AuthResult::NotAuthorized;
    }

    std::string_view user, domain;
    split_username(cred.username, user, domain);
    if (!complete(cred, domain)) {
        SER_ERR("pre_auth(): Credentials received are not filled properly");
        malformed_.inc();
        send(msg, 400, "Bad Request");
        return api::AuthResult::Error;
    }
    if (!nonce_valid(cred.nonce, secret, md5_.get())) {
        SER_DBG("pre_auth(): Invalid nonce value received");
        bad_nonce_.inc();
        return api::AuthResult::NotAuthorized;
    }
    out.hf_type = hf_type;
    out.header = found;
    out.cred = cred;
    out.realm = realm;
    out.user = user;
    out.domain = domain;
    return api::AuthResult::DoAuthorization;
}

api::AuthResult Auth::post_auth(sip::Msg& msg, const api::AuthCheck& check, std::string_view rpid) {
    api::AuthResult res = api::AuthResult::Authorized;
    bool stale = false;
    if (nonce_stale(check.cred.nonce, std::time(nullptr)) && !is_ack_or_cancel(msg)) {
        SER_DBG("post_auth(): Response is OK, but nonce is stale");
        stale = true;
        res = api::AuthResult::NotAuthorized;
        stale_.inc();
    }
    if (!check.header || check.header < msg.headers().data() ||
        check.header >= msg.headers().data() + msg.headers().size()) {
        SER_ERR("post_auth(): Error while marking parsed credentials");
        send(msg, 500, "Server Internal Error");
        return api::AuthResult::Error;
    }
    mark_authorized(msg, check.header, stale);
    store_rpid(msg, rpid_avp_name, rpid);
    if (res == api::AuthResult::Authorized) authorized_.inc();
    return res;
}

}  // namespace ser::mod::auth
