// uri: checks and edits of the Request-URI (modules.md §10).
#include <atomic>
#include <string>
#include <string_view>

#include "ser/api/auth.hpp"
#include "ser/api.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/module.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/params.hpp"
#include "ser/sip/uri.hpp"

namespace ser::mod::uri {

class Uri : public Module {
public:
    // The auth API, looked up on first use: uri is usually loaded before auth
    // (modules.md §0.4 lists no dependency), so init() cannot find it yet.
    const api::AuthApi* auth() {
        const api::AuthApi* a = auth_.load(std::memory_order_acquire);
        if (!a) {
            a = import_api<api::AuthApi>(core());
            if (a) auth_.store(a, std::memory_order_release);
        }
        return a;
    }

private:
    std::atomic<const api::AuthApi*> auth_{nullptr};
};

namespace {

constexpr size_t kMaxUriSize = 1023;   // SER's MAX_URI_SIZE - 1

// The parsed current URI, or null when it is not a sip:/sips: URI (SER 0.9's
// URI parser knows no other scheme).
const sip::Uri* sip_uri(sip::Msg& msg) {
    const sip::Uri* u = msg.parsed_uri();
    if (!u || (u->scheme != sip::Uri::Scheme::Sip && u->scheme != sip::Uri::Scheme::Sips)) return nullptr;
    return u;
}

bool set_new_uri(sip::Msg& msg, std::string uri) {
    if (uri.size() > kMaxUriSize) {
        SER_ERR("uri: new ruri too long ({} bytes)", uri.size());
        return false;
    }
    msg.new_uri = std::move(uri);
    msg.uri_changed();
    return true;
}

int has_totag(Module&, sip::Msg& msg, const CallArg*) {
    const sip::NameAddr* to = msg.to();
    if (!to) {
        SER_ERR("has_totag: no To or To parsing failed");
        return -1;
    }
    return to->tag && !to->tag->empty() ? 1 : -1;
}

int is_user(Module& self, sip::Msg& msg, const CallArg* args) {
    const api::AuthApi* auth = self_as<Uri>(self).auth();
    if (!auth) {
        SER_ERR("is_user(): the auth module is not loaded; no credentials can be authorized");
        return -1;
    }
    std::optional<std::string_view> user = auth->authorized_user(msg);
    if (!user) {
        SER_ERR("is_user(): No authorized credentials found (error in scripts)");
        SER_ERR("is_user(): Call {{www,proxy}}_authorize before calling is_user function !");
        return -1;
    }
    if (user->empty()) {
        SER_DBG("is_user(): Username not found in credentials");
        return -1;
    }
    return *user == args[0].text ? 1 : -1;   // byte-exact
}

// uri_param(name) / uri_param(name, value): the first parameter named
// `name` (case-sensitive) decides.
int uri_param_impl(sip::Msg& msg, std::string_view name, const std::string* value) {
    const sip::Uri* u = sip_uri(msg);
    if (!u) {
        SER_ERR("uri_param(): ruri parsing failed");
        return -1;
    }
    size_t pos = 0;
    sip::Param p;
    while (sip::next_param(u->params, pos, p, ';')) {
        if (p.name != name) continue;
        if (value) return p.value == *value ? 1 : -1;
        return p.value.empty() ? 1 : -1;
    }
    if (pos == std::string_view::npos && !u->params.empty()) {
        SER_ERR("uri_param(): ruri parameter parsing failed");
    }
    return -1;
}

int uri_param_1(Module&, sip::Msg& msg, const CallArg* args) {
    return uri_param_impl(msg, args[0].text, nullptr);
}

int uri_param_2(Module&, sip::Msg& msg, const CallArg* args) {
    return uri_param_impl(msg, args[0].text, &args[1].text);
}

int add_uri_param(Module&, sip::Msg& msg, const CallArg* args) {
    const std::string& param = args[0].text;
    if (param.empty()) return 1;
    const sip::Uri* u = sip_uri(msg);
    if (!u) {
        SER_ERR("add_uri_param(): ruri parsing failed");
        return -1;
    }
    std::string_view cur = msg.current_uri();
    std::string out;
    if (u->headers.empty()) {
        out.reserve(cur.size() + param.size() + 1);
        out.append(cur).append(1, ';').append(param);
    } else {
        // [fix] the original rebuilt the URI and corrupted it; the intended
        // result is "...params;text?headers" (modules.md §10).
        size_t q = size_t(u->headers.data() - cur.data()) - 1;   // the '?'
        out.append(cur.substr(0, q)).append(1, ';').append(param).append(cur.substr(q));
    }
    return set_new_uri(msg, std::move(out)) ? 1 : -1;
}

int tel2sip(Module&, sip::Msg& msg, const CallArg*) {
    std::string_view ruri = msg.current_uri();
    // Scheme compared case-sensitively: only lower-case "tel:" (§10).
    if (ruri.size() < 4 || ruri.substr(0, 4) != "tel:") return 1;
    const sip::NameAddr* from = msg.from();
    if (!from) {
        SER_ERR("tel2sip(): Error while parsing From header");
        return -1;
    }
    sip::Uri furi;
    if (!sip::parse_uri(from->uri, furi)) {
        SER_ERR("tel2sip(): Error while parsing From URI");
        return -1;
    }
    std::string out = "sip:";
    out.append(ruri.substr(4)).append(1, '@').append(furi.host_text()).append(";user=phone");
    SER_DBG("tel2sip(): SIP URI is <{}>", out);
    return set_new_uri(msg, std::move(out)) ? 1 : -1;
}

const CmdExport cmds[] = {
    {"is_user", 1, is_user, nullptr, kRequestRoute},
    {"has_totag", 0, has_totag, nullptr, kRequestRoute},
    {"uri_param", 1, uri_param_1, nullptr, kRequestRoute},
    {"uri_param", 2, uri_param_2, nullptr, kRequestRoute},
    {"add_uri_param", 1, add_uri_param, nullptr, kRequestRoute},
    {"tel2sip", 0, tel2sip, nullptr, kRequestRoute},
};

}  // namespace
}  // namespace ser::mod::uri

SER_MODULE((::ser::ModuleExports{
    ::ser::kAbiVersion, sizeof(::ser::ModuleExports), "uri", "0.9.6",
    []() -> ::ser::Module* { return new ::ser::mod::uri::Uri; },
    ::ser::mod::uri::cmds, SER_COUNT(::ser::mod::uri::cmds), nullptr, 0,
    nullptr, 0, nullptr, 0, 0}))
