// Remote-Party-ID helpers (modules.md §8.7).
#include "modules/auth/rpid.hpp"

#include <algorithm>
#include <string>

#include "modules/auth/auth.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/uri.hpp"
#include "ser/text.hpp"

namespace ser::mod::auth {

const sip::Avp* find_named_avp(const sip::Avps& avps, std::string_view name) {
    for (auto it = avps.rbegin(); it != avps.rend(); ++it)
        if (it->id == 0 && it->name == name) return &*it;
    return nullptr;
}

void store_rpid(sip::Msg& msg, std::string_view name, std::string_view rpid) {
    std::erase_if(msg.avps, [&](const sip::Avp& a) { return a.id == 0 && a.name == name; });
    if (rpid.empty()) return;
    sip::Avp a;
    a.name = std::string(name);
    a.is_str = true;
    a.s = std::string(rpid);
    msg.avps.push_back(std::move(a));
}

bool is_e164(std::string_view user) { return user.size() > 2 && user.size() < 17 && user[0] == '+'; }

namespace {

// Position of the first '<' outside double quotes (SER's find_not_quoted).
size_t find_unquoted_lt(std::string_view s) {
    bool quoted = false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '"' && (i == 0 || s[i - 1] != '\\')) quoted = !quoted;
        else if (s[i] == '<' && !quoted) return i;
    }
    return std::string_view::npos;
}

}  // namespace

bool rpid_user(std::string_view rpid, std::string_view& user) {
    std::string_view tmp = rpid;
    size_t lt = find_unquoted_lt(rpid);
    if (lt != std::string_view::npos) {
        size_t gt = rpid.find('>', lt + 1);
        if (gt == std::string_view::npos) {
            SER_ERR("is_rpid_user_e164(): Error while parsing RPID");
            return false;
        }
        tmp = rpid.substr(lt + 1, gt - lt - 1);
    }
    if (tmp.size() > 4 && iequals(tmp.substr(0, 4), "sip:")) {
        sip::Uri u;
        if (!sip::parse_uri(tmp, u)) {
            SER_ERR("is_rpid_user_e164(): Error while parsing RPID URI");
            return false;
        }
        user = u.user;
    } else {
        user = tmp;
    }
    return true;
}

int Auth::append_rpid_hf(sip::Msg& msg, std::string_view prefix, std::string_view suffix) {
    const sip::Avp* a = find_named_avp(msg.avps, rpid_avp_name);
    if (!a || !a->is_str || a->s.empty()) {
        SER_DBG("append_rpid_hf(): rpid is empty, nothing to append");
        return 1;
    }
    std::string hf;
    hf.reserve(17 + prefix.size() + a->s.size() + suffix.size() + 2);
    hf.append("Remote-Party-ID: ").append(prefix).append(a->s).append(suffix).append("\r\n");
    msg.lumps.insert(msg.headers_end(), std::move(hf));
    return 1;
}

int Auth::is_rpid_user_e164(sip::Msg& msg) {
    const sip::Avp* a = find_named_avp(msg.avps, rpid_avp_name);
    if (!a || !a->is_str || a->s.empty()) {
        SER_DBG("is_rpid_user_e164(): Empty rpid");
        return -1;
    }
    std::string_view user;
    if (!rpid_user(a->s, user)) return -1;
    return is_e164(user) ? 1 : -1;
}

}  // namespace ser::mod::auth
