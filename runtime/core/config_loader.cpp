#include "runtime/core/config_loader.hpp"

#include <syslog.h>

#include <functional>
#include <unordered_map>

#include <fmt/format.h>

#include "runtime/metrics/listen_address.hpp"
#include "ser/log.hpp"

namespace ser::rt {

namespace {

template <class... F> struct overloaded : F... { using F::operator()...; };
template <class... F> overloaded(F...) -> overloaded<F...>;

long num_of(const ast::Assign& a) {
    if (auto* n = std::get_if<ast::Number>(&a.value)) return n->value;
    return 0;
}

std::string str_of(const ast::Assign& a) {
    if (auto* s = std::get_if<ast::String>(&a.value)) return s->value;
    if (auto* h = std::get_if<ast::Host>(&a.value)) return h->name;
    if (auto* n = std::get_if<ast::Number>(&a.value)) return std::to_string(n->value);
    if (auto* l = std::get_if<std::vector<ast::SockSpec>>(&a.value); l && !l->empty()) return l->front().addr;
    return {};
}

int facility_of(std::string name) {
    for (auto& c : name) c = char(std::toupper((unsigned char)c));
    static const std::unordered_map<std::string, int> f = {
        {"LOG_AUTH", LOG_AUTH},     {"LOG_CRON", LOG_CRON},     {"LOG_DAEMON", LOG_DAEMON},
        {"LOG_KERN", LOG_KERN},     {"LOG_LOCAL0", LOG_LOCAL0}, {"LOG_LOCAL1", LOG_LOCAL1},
        {"LOG_LOCAL2", LOG_LOCAL2}, {"LOG_LOCAL3", LOG_LOCAL3}, {"LOG_LOCAL4", LOG_LOCAL4},
        {"LOG_LOCAL5", LOG_LOCAL5}, {"LOG_LOCAL6", LOG_LOCAL6}, {"LOG_LOCAL7", LOG_LOCAL7},
        {"LOG_LPR", LOG_LPR},       {"LOG_MAIL", LOG_MAIL},     {"LOG_NEWS", LOG_NEWS},
        {"LOG_USER", LOG_USER},     {"LOG_UUCP", LOG_UUCP},     {"LOG_AUTHPRIV", LOG_AUTHPRIV},
        {"LOG_FTP", LOG_FTP},       {"LOG_SYSLOG", LOG_SYSLOG},
    };
    auto it = f.find(name);
    return it == f.end() ? -1 : it->second;
}


}  // namespace

bool ConfigLoader::load(const ast::Config& cfg) {
    size_t errors_before = diag_.error_count();
    server_.program().files = cfg.files;
    for (const auto& item : cfg.items) {
        std::visit(overloaded{
                       [&](const ast::Assign& a) { assign(a); },
                       [&](const ast::LoadModule& l) {
                           std::string err;
                           if (!server_.modules().load(l.path.value, err)) {
                               diag_.error(l.path.pos, err);
                               ++failed_modules_;
                           }
                       },
                       [&](const ast::ModParam& m) {
                           ParamValue v{};
                           if (auto* n = std::get_if<ast::Number>(&m.value)) {
                               v.type = ParamType::Int;
                               v.number = n->value;
                           } else {
                               v.type = ParamType::Str;
                               v.text = std::get<ast::String>(m.value).value;
                           }
                           std::string err;
                           if (!server_.modules().set_param(m.module.value, m.param.value, v, err)) {
                               // A module that failed to load was already reported.
                               if (failed_modules_ == 0 || err.find("no module matching") == std::string::npos)
                                   diag_.error(m.pos, err);
                           }
                       },
                       [&](const ast::RouteBlock& r) {
                           compiler_.set_modules_missing(failed_modules_ > 0);
                           compiler_.add_block(r);
                       },
                   },
                   item);
    }
    compiler_.finish();
    if (compiler_.unchecked_calls())
        diag_.warning(ast::Pos{}, fmt::format("{} module function call(s) not checked because {} module(s) "
                                              "failed to load",
                                              compiler_.unchecked_calls(), failed_modules_));
    // CLI replacements (our extension): -l replaces listen=, -p replaces port=.
    if (!cli_.listen.empty()) server_.listen_specs() = cli_.listen;
    if (cli_.port) server_.mutable_settings().port = *cli_.port;
    return diag_.error_count() == errors_before;
}

void ConfigLoader::listen_list(const std::vector<ast::SockSpec>& list, bool alias) {
    for (const auto& s : list) {
        ListenSpec l;
        l.proto = ast::proto_number(s.proto);
        l.addr = s.addr;
        l.port = s.port_star ? 0 : uint16_t(s.port);
        // A listen line without port takes `port` as set so far, or the final
        // value when no port= came before it [quirk] (§4.3). -p replaces both.
        if (!alias && l.port == 0 && port_seen_ && !cli_.port) l.port = uint16_t(server_.settings().port);
        (alias ? server_.alias_specs() : server_.listen_specs()).push_back(std::move(l));
    }
}

void ConfigLoader::assign(const ast::Assign& a) {
    Settings& s = server_.mutable_settings();
    const std::string& n = a.name;
    auto flag = [&](bool& b) { b = num_of(a) != 0; };
    auto integer = [&](int& i) { i = int(num_of(a)); };
    auto text = [&](std::string& t) { t = str_of(a); };

    using Setter = std::function<void()>;
    const std::unordered_map<std::string_view, Setter> table = {
        {"debug", [&] { integer(s.debug); }},
        {"fork", [&] { flag(s.fork); }},
        {"log_stderror", [&] { flag(s.log_stderror); }},
        {"log_facility", [&] {
             int f = facility_of(str_of(a));
             if (f < 0) diag_.error(a.value_pos, fmt::format("bad facility '{}'", str_of(a)));
             else s.log_facility = f;
         }},
        {"memlog", [&] { integer(s.memlog); }},
        {"mem_log", [&] { integer(s.memlog); }},
        {"children", [&] { integer(s.children); }},
        {"user", [&] { text(s.user); }},
        {"uid", [&] { text(s.user); }},
        {"group", [&] { text(s.group); }},
        {"gid", [&] { text(s.group); }},
        {"chroot", [&] { text(s.chroot); }},
        {"workdir", [&] { text(s.workdir); }},
        {"wdir", [&] { text(s.workdir); }},
        {"disable_core_dump", [&] { flag(s.disable_core_dump); }},
        {"open_files_limit", [&] { integer(s.open_files_limit); }},
        {"statistics", [] {}},  // accepted and ignored, as in non-STATS builds
        {"check_via", [&] { flag(s.check_via); }},
        {"syn_branch", [&] { flag(s.syn_branch); }},
        {"dns", [&] { if (num_of(a)) s.dns = true; }},         // only sets [quirk]
        {"rev_dns", [&] { if (num_of(a)) s.rev_dns = true; }}, // only sets [quirk]
        {"sip_warning", [&] { flag(s.sip_warning); }},
        {"server_signature", [&] { flag(s.server_signature); }},
        {"reply_to_via", [&] { flag(s.reply_to_via); }},
        {"mhomed", [&] { flag(s.mhomed); }},
        {"maxbuffer", [&] { integer(s.maxbuffer); }},
        {"advertised_address", [&] { text(s.advertised_address); }},
        {"advertised_port", [&] { integer(s.advertised_port); }},
        {"port", [&] {
             if (cli_.port) return;
             integer(s.port);
             port_seen_ = true;
         }},
        {"listen", [&] {
             if (!cli_.listen.empty()) return;
             if (auto* l = std::get_if<std::vector<ast::SockSpec>>(&a.value)) listen_list(*l, false);
         }},
        {"alias", [&] {
             if (auto* l = std::get_if<std::vector<ast::SockSpec>>(&a.value)) listen_list(*l, true);
         }},
        {"fifo", [&] { text(s.fifo); }},
        {"fifo_dir", [&] { text(s.fifo_dir); }},
        {"fifo_mode", [&] { integer(s.fifo_mode); }},
        {"sock_mode", [&] { integer(s.fifo_mode); }},
        {"file_mode", [&] { integer(s.fifo_mode); }},
        {"fifo_user", [&] { text(s.fifo_user); }},
        {"sock_user", [&] { text(s.fifo_user); }},
        {"fifo_group", [&] { text(s.fifo_group); }},
        {"sock_group", [&] { text(s.fifo_group); }},
        {"fifo_db_url", [&] { text(s.fifo_db_url); }},
        {"unix_sock", [&] { text(s.unix_sock); }},
        {"unix_sock_children", [&] { integer(s.unix_sock_children); }},
        {"unix_tx_timeout", [&] { integer(s.unix_tx_timeout); }},
        {"disable_tcp", [&] { flag(s.disable_tcp); }},
        {"tcp_children", [&] { integer(s.tcp_children); }},
        {"tcp_accept_aliases", [&] { flag(s.tcp_accept_aliases); }},
        {"tcp_connect_timeout", [&] { integer(s.tcp_connect_timeout); }},
        {"tcp_send_timeout", [&] { integer(s.tcp_send_timeout); }},
        {"mcast_loopback", [&] { flag(s.mcast_loopback); }},
        {"mcast_ttl", [&] { integer(s.mcast_ttl); }},
        // Our extension: the Prometheus listener, checked here so that a bad
        // value stops start-up (and `ser -c`) with the config's line.
        {"metrics_listen", [&] {
             std::string e;
             metrics::ListenAddress addr;
             text(s.metrics_listen);
             if (!s.metrics_listen.empty() && !metrics::parse_listen_address(s.metrics_listen, addr, e))
                 diag_.error(a.value_pos, "metrics_listen: " + e);
         }},
    };
    auto it = table.find(n);
    if (it == table.end()) {
        diag_.error(a.pos, fmt::format("unknown config variable '{}'", n));
        return;
    }
    it->second();
}

bool ConfigLoader::fixup() {
    script::FixupEnv env;
    env.resolve = [&](std::string_view host, std::vector<IpAddr>& out) { return server_.resolve_all(host, out); };
    env.find_socket = [&](int proto, const IpAddr& ip, std::string_view, uint16_t port) -> const SocketInfo* {
        for (const auto& s : server_.sockets()) {
            if (proto != PROTO_NONE && s.proto != proto) continue;
            if (!(s.address == ip)) continue;
            if (port && s.port != port) continue;
            return &s;
        }
        return nullptr;
    };
    if (failed_modules_) return false;
    return compiler_.fixup(env);
}

}  // namespace ser::rt
