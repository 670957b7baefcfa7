// Challenges and consume_credentials (modules.md §8.4, §8.6).
#include <string>

#include "modules/auth/auth.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"

namespace ser::mod::auth {

int Auth::challenge(sip::Msg& msg, std::string_view realm, bool qop, int code) {
    const bool www = code == 401;
    const sip::HdrType type = www ? sip::HdrType::Authorization : sip::HdrType::ProxyAuthorization;
    // stale=true when the preceding *_authorize found these credentials
    // correct but their nonce expired.
    const bool stale = authorized_stale(msg, type);
    if (realm.empty() && !derive_realm(msg, type, realm)) {
        SER_ERR("challenge(): Error while extracting URI");
        if (sl_->send_reply(msg, 400, "Bad Request") < 0) {
            SER_ERR("challenge(): Error while sending response");
            return -1;
        }
        return 0;
    }
    std::string nonce = new_nonce();
    if (nonce.empty()) {
        SER_ERR("challenge(): cannot compute a nonce");
        return -1;
    }
    std::string hf;
    hf.reserve(64 + realm.size());
    hf.append(www ? "WWW-Authenticate" : "Proxy-Authenticate")
        .append(": Digest realm=\"")
        .append(realm)
        .append("\", nonce=\"")
        .append(nonce)
        .append("\"");
    if (qop) hf.append(", qop=\"auth\"");
    if (stale) hf.append(", stale=true");
    hf.append("\r\n");
    // Like SER's add_lump_rpl: the header stays with the request.
    msg.reply_lumps.push_back(std::move(hf));
    (www ? challenges_401_ : challenges_407_).inc();
    if (sl_->send_reply(msg, code, www ? "Unauthorized" : "Proxy Authentication Required") < 0) {
        SER_ERR("challenge(): Error while sending response");
        return -1;
    }
    return 0;
}

int Auth::consume_credentials(sip::Msg& msg) {
    const sip::HeaderField* h = any_authorized_header(msg);
    if (!h) {
        if (msg.method_id() != sip::Method::Ack && msg.method_id() != sip::Method::Cancel)
            SER_ERR("consume_credentials(): No authorized credentials found (error in scripts)");
        return -1;
    }
    msg.lumps.remove(h->offset, h->length);
    return 1;
}

}  // namespace ser::mod::auth
