#pragma once

#include <string>

#include "parser/action.hpp"
#include "parser/address.hpp"
#include "parser/error_handler.hpp"
#include "parser/expr.hpp"
#include "parser/ip.hpp"
#include "parser/numbers.hpp"
#include "parser/qvalue.hpp"
#include "parser/strings.hpp"
#include "parser/tokens.hpp"

namespace ser::parser {

namespace action_detail {

using ast::CoreCmd;
using x3::_attr;
using x3::_val;

// ---- core action keywords, grouped by argument shape (cfg-language §10) ----

constexpr KeywordEntry<CoreCmd> kForward[] = {
    {"forward", CoreCmd::Forward}, {"forward_udp", CoreCmd::ForwardUdp},
    {"forward_tcp", CoreCmd::ForwardTcp}, {"forward_tls", CoreCmd::ForwardTls},
};
constexpr KeywordEntry<CoreCmd> kSend[] = {{"send", CoreCmd::Send}, {"send_tcp", CoreCmd::SendTcp}};
constexpr KeywordEntry<CoreCmd> kDrop[] = {{"drop", CoreCmd::Drop}, {"break", CoreCmd::Drop}};
constexpr KeywordEntry<CoreCmd> kLog[] = {{"log", CoreCmd::Log}};
constexpr KeywordEntry<CoreCmd> kError[] = {{"error", CoreCmd::Error}};
constexpr KeywordEntry<CoreCmd> kNumberArg[] = {
    {"setflag", CoreCmd::SetFlag}, {"resetflag", CoreCmd::ResetFlag},
    {"isflagset", CoreCmd::IsFlagSet}, {"route", CoreCmd::Route},
    {"strip", CoreCmd::Strip}, {"strip_tail", CoreCmd::StripTail},
    {"set_advertised_port", CoreCmd::SetAdvertisedPort},
};
constexpr KeywordEntry<CoreCmd> kStringArg[] = {
    {"exec", CoreCmd::Exec},
    {"rewriteuri", CoreCmd::SetUri}, {"seturi", CoreCmd::SetUri},
    {"rewritehost", CoreCmd::SetHost}, {"sethost", CoreCmd::SetHost}, {"seth", CoreCmd::SetHost},
    {"rewritehostport", CoreCmd::SetHostPort}, {"sethostport", CoreCmd::SetHostPort},
    {"sethp", CoreCmd::SetHostPort},
    {"rewriteuser", CoreCmd::SetUser}, {"setuser", CoreCmd::SetUser}, {"setu", CoreCmd::SetUser},
    {"rewriteuserpass", CoreCmd::SetUserPass}, {"setuserpass", CoreCmd::SetUserPass},
    {"setup", CoreCmd::SetUserPass},
    {"rewriteport", CoreCmd::SetPort}, {"setport", CoreCmd::SetPort}, {"setp", CoreCmd::SetPort},
    {"prefix", CoreCmd::Prefix},
};
constexpr KeywordEntry<CoreCmd> kAppendBranch[] = {{"append_branch", CoreCmd::AppendBranch}};
constexpr KeywordEntry<CoreCmd> kOptionalParens[] = {
    {"revert_uri", CoreCmd::RevertUri}, {"force_rport", CoreCmd::ForceRport},
    {"add_rport", CoreCmd::ForceRport},
};
constexpr KeywordEntry<CoreCmd> kTcpAlias[] = {
    {"force_tcp_alias", CoreCmd::ForceTcpAlias}, {"add_tcp_alias", CoreCmd::ForceTcpAlias},
};
constexpr KeywordEntry<CoreCmd> kAdvertisedAddress[] = {
    {"set_advertised_address", CoreCmd::SetAdvertisedAddress},
};
constexpr KeywordEntry<CoreCmd> kSendSocket[] = {{"force_send_socket", CoreCmd::ForceSendSocket}};

// ---- actions ------------------------------------------------------------------

auto const set_kw = [](auto& ctx) {
    auto const& k = _attr(ctx);
    ast::CoreCall& c = _val(ctx);
    c.pos = k.pos;
    c.cmd = k.value;
    c.name = std::string(k.text);
};
// Commands whose parentheses are mandatory.
// (An action on a group whose parts have actions of their own goes on
// x3::omit[group]: otherwise X3 hands the parts a synthesized attribute of
// the group's type instead of their own.)
auto const set_kw_parens = [](auto& ctx) {
    set_kw(ctx);
    _val(ctx).parens = true;
};
// forward_tls is known to the grammar but 0.9.6 has no TLS (§4.6).
auto const set_forward_kw = [](auto& ctx) {
    set_kw_parens(ctx);
    if (_val(ctx).cmd == CoreCmd::ForwardTls)
        fail_at(_val(ctx).pos, "tls support not compiled in");
};
auto const set_parens = [](auto& ctx) { _val(ctx).parens = true; };
auto const push = [](auto& ctx) { _val(ctx).args.emplace_back(std::move(_attr(ctx))); };
auto const push_uri_host = [](auto& ctx) { _val(ctx).args.emplace_back(ast::UriHost{}); };
auto const push_uri_port = [](auto& ctx) {
    auto& args = _val(ctx).args;
    if (args.empty() || !std::holds_alternative<ast::UriHost>(args.front()))
        fail_at(_attr(ctx), "uri:port can only be used after uri:host");
    args.emplace_back(ast::UriPort{});
};
auto const push_q = [](auto& ctx) {
    ast::String& q = _attr(ctx);
    if (!parse_q(q.value))
        fail_at(q.pos, "bad q value \"" + q.value +
                           "\" (expected a decimal from 0 to 1 with at most 3 decimals)");
    _val(ctx).args.emplace_back(std::move(q));
};

auto const dest = named("a destination (IP address, hostname or quoted string)", address[push]);
auto const port_number = named("a port number", number[push]);

// ---- module function calls (§5.3) ---------------------------------------------

auto const set_function = [](auto& ctx) {
    ast::Host& id = _attr(ctx);
    if (id.name == "return" || id.name == "exit")
        fail_at(id.pos, "'" + id.name + "' does not exist in SER 0.9.6 (use 'break' or 'drop')");
    _val(ctx).pos = id.pos;
    _val(ctx).name = std::move(id.name);
};
auto const push_arg = [](auto& ctx) {
    ast::ModuleCall& call = _val(ctx);
    if (call.args.size() == 2)
        fail_at(_attr(ctx).pos, "bad arguments: module functions take at most 2 arguments");
    call.args.push_back(std::move(_attr(ctx)));
};

// Anything but a quoted string where a module function argument goes.
struct bad_argument_parser : token_parser<bad_argument_parser, x3::unused_type> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, x3::unused_type&) const {
        if (p == end || *p == ')' || *p == ',')
            return nullptr;
        fail_at(ctx, p, "bad arguments: module function arguments must be quoted strings");
    }
};
inline constexpr bad_argument_parser bad_argument{};

// ---- statements -------------------------------------------------------------

auto const push_action = [](auto& ctx) { _val(ctx).push_back(std::move(_attr(ctx))); };
auto const make_null = [](auto& ctx) { _val(ctx) = ast::Action{_attr(ctx), ast::Null{_attr(ctx)}}; };
auto const stray_else = [](auto& ctx) {
    fail_at(_attr(ctx), "'else' without 'if' (a ';' between '}' and 'else' ends the if statement)");
};
auto const bare_block = [](auto& ctx) {
    fail_at(_attr(ctx), "a bare block '{ ... }' is not a statement");
};

// `{ }` (§7.1): a block needs at least one statement.
struct empty_block_parser : token_parser<empty_block_parser, x3::unused_type> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, x3::unused_type&) const {
        if (p == end || *p != '}')
            return nullptr;
        fail_at(ctx, p, "empty block: write '{ ; }' for a block that does nothing");
    }
};
inline constexpr empty_block_parser empty_block{};

auto const set_if_pos = [](auto& ctx) { _val(ctx).pos = _attr(ctx); };
auto const set_cond = [](auto& ctx) { _val(ctx).cond = std::make_unique<ast::Expr>(std::move(_attr(ctx))); };
auto const set_then = [](auto& ctx) { _val(ctx).then_body = std::move(_attr(ctx)); };
auto const set_else = [](auto& ctx) { _val(ctx).else_body = std::move(_attr(ctx)); };

struct core_call_class;
struct forward_call_class;
struct send_call_class;
struct drop_call_class;
struct log_call_class;
struct number_call_class;
struct error_call_class;
struct string_call_class;
struct append_branch_class;
struct optional_parens_class;
struct tcp_alias_class;
struct advertised_address_class;
struct send_socket_class;
struct module_call_class;
struct body_class;

using call_rule = ast::CoreCall;
x3::rule<core_call_class, call_rule> const core_call = "a command";
x3::rule<forward_call_class, call_rule> const forward_call = "forward";
x3::rule<send_call_class, call_rule> const send_call = "send";
x3::rule<drop_call_class, call_rule> const drop_call = "drop";
x3::rule<log_call_class, call_rule> const log_call = "log";
x3::rule<number_call_class, call_rule> const number_call = "a command";
x3::rule<error_call_class, call_rule> const error_call = "error";
x3::rule<string_call_class, call_rule> const string_call = "a command";
x3::rule<append_branch_class, call_rule> const append_branch_call = "append_branch";
x3::rule<optional_parens_class, call_rule> const optional_parens_call = "a command";
x3::rule<tcp_alias_class, call_rule> const tcp_alias_call = "force_tcp_alias";
x3::rule<advertised_address_class, call_rule> const advertised_address_call = "set_advertised_address";
x3::rule<send_socket_class, call_rule> const send_socket_call = "force_send_socket";
x3::rule<module_call_class, ast::ModuleCall> const module_call = "a function call";
x3::rule<body_class, std::vector<ast::Action>> const body = "a statement or block";

}  // namespace action_detail

using namespace action_detail;

auto const forward_call_def =
    keywords(kForward)[set_forward_kw] > lparen >
    named("a destination (IP address, hostname, quoted string or uri:host)",
          colon_kw("uri:host")[push_uri_host] | address[push]) >
    -(comma > named("a port number (or uri:port)", colon_kw("uri:port")[push_uri_port] | number[push])) >
    named("')'", rparen);

auto const send_call_def =
    keywords(kSend)[set_kw_parens] > lparen > dest > -(comma > port_number) > named("')'", rparen);

auto const drop_call_def = keywords(kDrop)[set_kw] >> -(lparen > named("')'", rparen))[set_parens];

auto const log_call_def =
    keywords(kLog)[set_kw_parens] > lparen >
    named("a log level number or a string",
          (number[push] > comma > named("a string", string[push])) | string[push]) >
    named("')'", rparen);

auto const number_call_def =
    keywords(kNumberArg)[set_kw_parens] > lparen > named("a number", number[push]) > named("')'", rparen);

auto const error_call_def = keywords(kError)[set_kw_parens] > lparen > named("a string", string[push]) >
                            comma > named("a string", string[push]) > named("')'", rparen);

auto const string_call_def = keywords(kStringArg)[set_kw_parens] > lparen >
                             named("a quoted string", string[push]) > named("')'", rparen);

// `append_branch` without parentheses means q = 0, unlike `append_branch()`
// [quirk, §10.5]; `parens` records which one was written.
auto const append_branch_call_def =
    keywords(kAppendBranch)[set_kw] >>
    -x3::omit[lparen > -(string[push] > -(comma > named("a quoted q value (e.g. \"0.5\")", string[push_q]))) >
              named("')'", rparen)][set_parens];

auto const optional_parens_call_def =
    keywords(kOptionalParens)[set_kw] >> -(lparen > named("')'", rparen))[set_parens];

auto const tcp_alias_call_def =
    keywords(kTcpAlias)[set_kw] >>
    -x3::omit[lparen > -number[push] > named("a port number or ')'", rparen)][set_parens];

auto const advertised_address_call_def =
    keywords(kAdvertisedAddress)[set_kw_parens] > lparen >
    named("an address (IP, quoted string or hostname)", address[push]) > named("')'", rparen);

auto const send_socket_call_def = keywords(kSendSocket)[set_kw_parens] > lparen > sockspec[push] >
                                  named("')'", rparen);

auto const core_call_def = forward_call[take] | send_call[take] | drop_call[take] | log_call[take] |
                           number_call[take] | error_call[take] | string_call[take] |
                           append_branch_call[take] | optional_parens_call[take] |
                           tcp_alias_call[take] | advertised_address_call[take] |
                           send_socket_call[take];

auto const module_call_def =
    ident[set_function] > named("'(' (module function calls need parentheses)", lparen) >
    -((string[push_arg] | bad_argument) % comma) > named("')'", rparen);

auto const command_def = core_call[wrap_node] | module_call[wrap_node];

auto const statement_def = semi_pos[make_null] | if_stmt[wrap_node] |
                           (command > named("';' after command", semi))[take] |
                           kw("else")[stray_else] | lbrace_pos[bare_block];

auto const block_def = lbrace > named("a statement", empty_block | statement[push_action]) >
                       *statement[push_action] > named("a statement or '}'", rbrace);

auto const body_def = block[take] | statement[push_action];

auto const if_stmt_def =
    kw("if")[set_if_pos] > expr[set_cond] > body[set_then] >
    -(kw("else") > named("a statement or block after 'else'", body)[set_else]);

BOOST_SPIRIT_DEFINE(forward_call, send_call, drop_call, log_call, number_call, error_call,
                    string_call, append_branch_call, optional_parens_call, tcp_alias_call,
                    advertised_address_call, send_socket_call, core_call, module_call, command,
                    statement, block, body, if_stmt)

}  // namespace ser::parser
