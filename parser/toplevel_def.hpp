#pragma once

#include <cctype>
#include <string>

#include "parser/action.hpp"
#include "parser/address.hpp"
#include "parser/error_handler.hpp"
#include "parser/numbers.hpp"
#include "parser/strings.hpp"
#include "parser/tokens.hpp"
#include "parser/toplevel.hpp"

namespace ser::parser {

namespace toplevel_detail {

using x3::_attr;
using x3::_val;

// ---- global parameters by value kind (cfg-language §3, §4) -----------------

struct Var {};  // table values are not needed, the spelling is kept

constexpr KeywordEntry<Var> kNumberVars[] = {
    {"debug", {}}, {"memlog", {}}, {"mem_log", {}}, {"children", {}},
    {"open_files_limit", {}}, {"maxbuffer", {}}, {"advertised_port", {}},
    {"fifo_mode", {}}, {"sock_mode", {}}, {"file_mode", {}}, {"unix_sock_children", {}},
    {"unix_tx_timeout", {}}, {"tcp_children", {}}, {"tcp_connect_timeout", {}},
    {"tcp_send_timeout", {}}, {"port", {}}, {"mcast_ttl", {}},
};
constexpr KeywordEntry<Var> kBoolVars[] = {
    {"fork", {}}, {"log_stderror", {}}, {"disable_core_dump", {}}, {"check_via", {}},
    {"syn_branch", {}}, {"dns", {}}, {"rev_dns", {}}, {"sip_warning", {}},
    {"server_signature", {}}, {"reply_to_via", {}}, {"mhomed", {}}, {"disable_tcp", {}},
    {"tcp_accept_aliases", {}}, {"mcast_loopback", {}},
};
// metrics_listen is ours (tokens.cpp reserves it).
constexpr KeywordEntry<Var> kStringVars[] = {
    {"statistics", {}}, {"fifo", {}}, {"fifo_dir", {}}, {"fifo_db_url", {}}, {"unix_sock", {}},
    {"metrics_listen", {}},
};
constexpr KeywordEntry<Var> kStringOrIdVars[] = {
    {"user", {}}, {"uid", {}}, {"group", {}}, {"gid", {}}, {"chroot", {}},
    {"workdir", {}}, {"wdir", {}}, {"fifo_user", {}}, {"sock_user", {}},
    {"fifo_group", {}}, {"sock_group", {}},
};
constexpr KeywordEntry<Var> kFacilityVars[] = {{"log_facility", {}}};
constexpr KeywordEntry<Var> kAddressVars[] = {{"advertised_address", {}}};
constexpr KeywordEntry<Var> kSocketVars[] = {{"listen", {}}, {"alias", {}}};
// Known to the grammar, but TLS was never compiled into 0.9.6 (§4.6).
constexpr KeywordEntry<Var> kTlsVars[] = {
    {"disable_tls", {}}, {"tlslog", {}}, {"tls_log", {}}, {"tls_port_no", {}},
    {"tls_method", {}}, {"tls_verify", {}}, {"tls_require_certificate", {}},
    {"tls_certificate", {}}, {"tls_private_key", {}}, {"tls_ca_list", {}},
    {"tls_handshake_timeout", {}}, {"tls_send_timeout", {}},
};

constexpr char const* kFacilities[] = {
    "LOG_AUTH", "LOG_CRON", "LOG_DAEMON", "LOG_KERN", "LOG_LOCAL0", "LOG_LOCAL1",
    "LOG_LOCAL2", "LOG_LOCAL3", "LOG_LOCAL4", "LOG_LOCAL5", "LOG_LOCAL6", "LOG_LOCAL7",
    "LOG_LPR", "LOG_MAIL", "LOG_NEWS", "LOG_USER", "LOG_UUCP", "LOG_AUTHPRIV",
    "LOG_FTP", "LOG_SYSLOG",
};

inline bool is_facility(std::string const& name) {
    for (char const* f : kFacilities) {
        std::string_view fv(f);
        if (fv.size() != name.size())
            continue;
        bool same = true;
        for (size_t i = 0; i < name.size() && same; ++i)
            same = std::toupper(static_cast<unsigned char>(name[i])) == fv[i];
        if (same)
            return true;
    }
    return false;
}

auto const set_var = [](auto& ctx) {
    auto const& k = _attr(ctx);
    _val(ctx).pos = k.pos;
    _val(ctx).name = std::string(k.text);
};
auto const set_value = [](auto& ctx) {
    auto& v = _attr(ctx);
    _val(ctx).value_pos = v.pos;
    _val(ctx).value = std::move(v);
};
auto const set_facility = [](auto& ctx) {
    ast::Host& id = _attr(ctx);
    if (!is_facility(id.name))
        fail_at(id.pos, "bad facility '" + id.name + "'");
    _val(ctx).value_pos = id.pos;
    _val(ctx).value = std::move(id);
};
// advertised_address keeps the text of an IP, as the original does.
auto const set_address = [](auto& ctx) {
    ast::Assign& a = _val(ctx);
    std::visit(
        [&](auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, ast::Ip>) {
                a.value_pos = v.pos;
                a.value = ast::Host{v.pos, v.text};
            } else if constexpr (std::is_same_v<T, ast::String> || std::is_same_v<T, ast::Host>) {
                a.value_pos = v.pos;
                a.value = std::move(v);
            }
        },
        _attr(ctx));
};
auto const push_socket = [](auto& ctx) {
    ast::Assign& a = _val(ctx);
    ast::SockSpec& s = _attr(ctx);
    if (!std::holds_alternative<std::vector<ast::SockSpec>>(a.value)) {
        a.value_pos = s.pos;
        a.value = std::vector<ast::SockSpec>{};
    }
    std::get<std::vector<ast::SockSpec>>(a.value).push_back(std::move(s));
};
auto const tls_var = [](auto& ctx) { fail_at(_attr(ctx).pos, "tls support not compiled in"); };

// ---- modules -------------------------------------------------------------------

auto const set_pos = [](auto& ctx) { _val(ctx).pos = _attr(ctx); };
auto const set_path = [](auto& ctx) { _val(ctx).path = std::move(_attr(ctx)); };
auto const set_module = [](auto& ctx) { _val(ctx).module = std::move(_attr(ctx)); };
auto const set_param = [](auto& ctx) { _val(ctx).param = std::move(_attr(ctx)); };
auto const set_param_value = [](auto& ctx) { _val(ctx).value = std::move(_attr(ctx)); };

// ---- route blocks (§6) -----------------------------------------------------------

constexpr auto start_route(ast::RouteKind kind) {
    return [kind](auto& ctx) {
        _val(ctx).pos = _attr(ctx);
        _val(ctx).kind = kind;
    };
}
constexpr auto route_number(char const* block, long lo) {
    return [block, lo](auto& ctx) {
        ast::Number const& n = _attr(ctx);
        if (n.value < lo || n.value > 19)
            fail_at(n.pos, std::string(block) + " number " + std::to_string(n.value) +
                               " out of range (" + std::to_string(lo) + "..19)");
        _val(ctx).number = static_cast<int>(n.value);
    };
}
auto const set_actions = [](auto& ctx) { _val(ctx).actions = std::move(_attr(ctx)); };

auto const push_item = [](auto& ctx) { _val(ctx).emplace_back(std::move(_attr(ctx))); };

// Whatever starts no top-level item: report it instead of stopping quietly.
struct top_level_error_parser : token_parser<top_level_error_parser, x3::unused_type> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, x3::unused_type&) const {
        if (p == end)
            return nullptr;
        if (*p == ';')
            fail_at(ctx, p, "';' is not allowed at top level");
        if (*p == '/' && p + 1 < end && p[1] == '/')
            fail_at(ctx, p, "'//' is not a comment (use '#' or '/* */')");
        size_t n = word_length(p, end);
        if (n == 0)
            fail_at(ctx, p, std::string("unexpected '") + *p +
                                "' at top level (expected a global assignment, loadmodule, "
                                "modparam or a route block)");
        std::string word(p, n);
        Op op;
        char const* q = skip_separators(p + n, end, nullptr);
        if (scan_op(q, end, op) && op == Op::Assign)
            fail_at(ctx, p, "unknown config variable '" + word + "'");
        if (word.size() > 6 && word.compare(word.size() - 6, 6, "_route") == 0)
            fail_at(ctx, p, "'" + word + "' blocks do not exist in SER 0.9.6 (only route, "
                                          "failure_route and onreply_route)");
        std::string lower = word;
        for (char& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string hint = lower != word && is_reserved(lower)
                               ? " (keywords are lower case)"
                               : " (expected a global assignment, loadmodule, modparam or a route block)";
        fail_at(ctx, p, "unexpected '" + word + "' at top level" + hint);
    }
};
inline constexpr top_level_error_parser top_level_error{};

struct assign_class;
struct loadmodule_class;
struct modparam_class;
struct route_block_class;

x3::rule<assign_class, ast::Assign> const assign = "a global assignment";
x3::rule<loadmodule_class, ast::LoadModule> const loadmodule = "loadmodule";
x3::rule<modparam_class, ast::ModParam> const modparam = "modparam";
x3::rule<route_block_class, ast::RouteBlock> const route_block = "a route block";

}  // namespace toplevel_detail

using namespace toplevel_detail;

auto const assign_def =
    (keywords(kNumberVars)[set_var] > assign_op > named("a number", number[set_value])) |
    (keywords(kBoolVars)[set_var] > assign_op >
     named("a boolean value (yes/no, on/off, true/false, enable/disable or a number)",
           number[set_value])) |
    (keywords(kStringVars)[set_var] > assign_op >
     named("a string value (in quotes)", string[set_value])) |
    (keywords(kStringOrIdVars)[set_var] > assign_op >
     named("a string value or a single name (quote numbers and paths)",
           string[set_value] | ident[set_value])) |
    (keywords(kFacilityVars)[set_var] > assign_op >
     named("a syslog facility name (unquoted, e.g. LOG_LOCAL0)", ident[set_facility])) |
    (keywords(kAddressVars)[set_var] > assign_op >
     named("an address (IP, quoted string or hostname)", address[set_address])) |
    (keywords(kSocketVars)[set_var] > assign_op > sockspec[push_socket] >
     *sockspec[push_socket]) |
    keywords(kTlsVars)[tls_var];

auto const loadmodule_def =
    kw("loadmodule")[set_pos] > named("a quoted module path", string[set_path]);

auto const modparam_def =
    kw("modparam")[set_pos] > lparen > named("a quoted module name", string[set_module]) > comma >
    named("a quoted parameter name", string[set_param]) > comma >
    named("a string or number value", string[set_param_value] | number[set_param_value]) >
    named("')'", rparen);

auto const route_block_def =
    (kw("route")[start_route(ast::RouteKind::Request)] >>
     -(lbrack > named("a route number", number[route_number("route", 0)]) > named("']'", rbrack)) >
     named("'{'", block[set_actions])) |
    (kw("failure_route")[start_route(ast::RouteKind::Failure)] >
     named("'[' (failure_route needs a number, e.g. failure_route[1])", lbrack) >
     named("a route number", number[route_number("failure_route", 1)]) > named("']'", rbrack) >
     named("'{'", block[set_actions])) |
    (kw("onreply_route")[start_route(ast::RouteKind::OnReply)] >
     named("'[' (onreply_route needs a number, e.g. onreply_route[1])", lbrack) >
     named("a route number", number[route_number("onreply_route", 1)]) > named("']'", rbrack) >
     named("'{'", block[set_actions]));

auto const config_def = *(route_block[push_item] | assign[push_item] | loadmodule[push_item] |
                          modparam[push_item] | top_level_error);

BOOST_SPIRIT_DEFINE(assign, loadmodule, modparam, route_block, config)

}  // namespace ser::parser
