#pragma once

#include <memory>

#include "parser/action.hpp"
#include "parser/address.hpp"
#include "parser/error_handler.hpp"
#include "parser/expr.hpp"
#include "parser/ip.hpp"
#include "parser/numbers.hpp"
#include "parser/strings.hpp"
#include "parser/tokens.hpp"

namespace ser::parser {

namespace expr_detail {

using boost::fusion::at_c;
using x3::_attr;
using x3::_val;

struct or_class;
struct and_class;
struct not_class;
struct primary_class;
struct elem_class;
struct compare_class;

x3::rule<and_class, ast::Expr> const and_expr = "a condition";
x3::rule<not_class, ast::Expr> const not_expr = "a condition";
x3::rule<primary_class, ast::Expr> const primary = "a condition";
x3::rule<elem_class, ast::Expr> const elem = "a condition";
x3::rule<compare_class, ast::Compare> const compare = "a comparison";

template <class T>
std::unique_ptr<T> boxed(T&& v) {
    return std::make_unique<T>(std::move(v));
}

// ---- operators ------------------------------------------------------------


auto const fold_or = [](auto& ctx) {
    ast::Expr& v = _val(ctx);
    auto& a = _attr(ctx);  // (operator position, right operand)
    ast::Pos start = v.pos;
    ast::Or node{at_c<0>(a), boxed(std::move(v)), boxed(std::move(at_c<1>(a)))};
    v = ast::Expr{start, std::move(node)};
};

auto const fold_and = [](auto& ctx) {
    ast::Expr& v = _val(ctx);
    auto& a = _attr(ctx);
    ast::Pos start = v.pos;
    ast::And node{at_c<0>(a), boxed(std::move(v)), boxed(std::move(at_c<1>(a)))};
    v = ast::Expr{start, std::move(node)};
};

auto const make_not = [](auto& ctx) {
    auto& a = _attr(ctx);
    ast::Pos pos = at_c<0>(a);
    _val(ctx) = ast::Expr{pos, ast::Not{pos, boxed(std::move(at_c<1>(a)))}};
};

// ---- elements ---------------------------------------------------------------

auto const wrap_action = [](auto& ctx) {
    ast::Action& a = _attr(ctx);
    ast::Pos pos = a.pos;
    _val(ctx) = ast::Expr{pos, ast::ActionExpr{pos, boxed(std::move(a))}};
};
auto const wrap_if = [](auto& ctx) {
    ast::If& i = _attr(ctx);
    ast::Pos pos = i.pos;
    ast::Action a{pos, std::move(i)};
    _val(ctx) = ast::Expr{pos, ast::ActionExpr{pos, boxed(std::move(a))}};
};
auto const wrap_block = [](auto& ctx) {
    auto& actions = _attr(ctx);
    ast::Pos pos = at_c<0>(actions);
    _val(ctx) = ast::Expr{pos, ast::BlockExpr{pos, std::move(at_c<1>(actions))}};
};

// ---- comparisons (cfg-language §8.3) ------------------------------------------

constexpr KeywordEntry<ast::Operand> kUriOperands[] = {
    {"uri", ast::Operand::Uri}, {"status", ast::Operand::Status},
    {"from_uri", ast::Operand::FromUri}, {"to_uri", ast::Operand::ToUri},
};
constexpr KeywordEntry<ast::Operand> kIpOperands[] = {
    {"src_ip", ast::Operand::SrcIp}, {"dst_ip", ast::Operand::DstIp},
};
constexpr KeywordEntry<ast::Operand> kPortOperands[] = {
    {"src_port", ast::Operand::SrcPort}, {"dst_port", ast::Operand::DstPort},
};
constexpr KeywordEntry<ast::Operand> kSimpleOperands[] = {
    {"proto", ast::Operand::Proto}, {"af", ast::Operand::Af},
};
// Operands allowed after `myself ==`.
constexpr KeywordEntry<ast::Operand> kMyselfOperands[] = {
    {"uri", ast::Operand::Uri}, {"status", ast::Operand::Status},
    {"from_uri", ast::Operand::FromUri}, {"to_uri", ast::Operand::ToUri},
    {"src_ip", ast::Operand::SrcIp}, {"dst_ip", ast::Operand::DstIp},
};
constexpr KeywordEntry<ast::Proto> kProtoValues[] = {
    {"udp", ast::Proto::Udp}, {"UDP", ast::Proto::Udp}, {"tcp", ast::Proto::Tcp},
    {"TCP", ast::Proto::Tcp}, {"tls", ast::Proto::Tls}, {"TLS", ast::Proto::Tls},
};

auto const set_lhs = [](auto& ctx) {
    auto const& k = _attr(ctx);
    _val(ctx).lhs = k.value;
    _val(ctx).pos = k.pos;
};
// For single-keyword operands; the attribute is the keyword's position.
constexpr auto set_lhs_to(ast::Operand op) {
    return [op](auto& ctx) {
        _val(ctx).lhs = op;
        _val(ctx).pos = _attr(ctx);
    };
}
auto const set_op = [](auto& ctx) { _val(ctx).op = _attr(ctx); };
auto const set_rhs = [](auto& ctx) { _val(ctx).rhs = std::move(_attr(ctx)); };
// (op, position of `myself`)
auto const set_op_myself = [](auto& ctx) {
    auto& a = _attr(ctx);
    _val(ctx).op = at_c<0>(a);
    _val(ctx).rhs = ast::Myself{at_c<1>(a)};
};
// (op, network)
auto const set_op_net = [](auto& ctx) {
    auto& a = _attr(ctx);
    _val(ctx).op = at_c<0>(a);
    _val(ctx).rhs = std::move(at_c<1>(a));
};
auto const set_max_len = [](auto& ctx) { _val(ctx).rhs = ast::MaxLen{_attr(ctx)}; };
auto const set_proto = [](auto& ctx) {
    auto const& k = _attr(ctx);
    _val(ctx).rhs = ast::ProtoValue{k.pos, k.value};
};
auto const set_proto_any = [](auto& ctx) {
    _val(ctx).rhs = ast::ProtoValue{_attr(ctx), ast::Proto::Any};
};
// `myself == uri` is stored as `uri == myself`.
auto const set_myself_first = [](auto& ctx) {
    _val(ctx).pos = _attr(ctx);
    _val(ctx).rhs = ast::Myself{_attr(ctx)};
};
auto const set_myself_operand = [](auto& ctx) { _val(ctx).lhs = _attr(ctx).value; };

auto const string_or_host = named("a string or hostname", string[set_rhs] | host[set_rhs]);

auto const method_cmp = kw("method")[set_lhs_to(ast::Operand::Method)] >
                        named("'==', '!=' or '=~'", str_op)[set_op] >
                        named("a string or method name", string[set_rhs] | ident[set_rhs]);

auto const uri_cmp = keywords(kUriOperands)[set_lhs] >
                     named("'==', '!=' or '=~'",
                           (eq_op >> kw("myself"))[set_op_myself] |
                           (str_op[set_op] > named("a string, hostname or 'myself' (only with == and !=)",
                                                   string[set_rhs] | host[set_rhs])));

auto const ip_cmp =
    keywords(kIpOperands)[set_lhs] >
    named("'==', '!=' or '=~'",
          (eq_op >> kw("myself"))[set_op_myself] | (eq_op >> ipnet)[set_op_net] |
              (str_op[set_op] > named("an IP address, network, string or hostname",
                                      string[set_rhs] | host[set_rhs])));

auto const port_cmp = keywords(kPortOperands)[set_lhs] >
                      named("'==', '!=', '<', '>', '<=' or '>='", int_op)[set_op] >
                      named("a number", number[set_rhs]);

auto const proto_cmp = kw("proto")[set_lhs_to(ast::Operand::Proto)] >
                       named("'==', '!=', '<', '>', '<=' or '>='", int_op)[set_op] >
                       named("a protocol (udp, tcp, tls or *)",
                             keywords(kProtoValues)[set_proto] |
                                 star_pos[set_proto_any]);

auto const af_cmp = kw("af")[set_lhs_to(ast::Operand::Af)] >
                    named("'==', '!=', '<', '>', '<=' or '>='", int_op)[set_op] >
                    named("a number (e.g. inet or inet6)", number[set_rhs]);

auto const msglen_cmp = colon_kw("msg:len")[set_lhs_to(ast::Operand::MsgLen)] >
                        named("'==', '!=', '<', '>', '<=' or '>='", int_op)[set_op] >
                        named("a number or max_len", number[set_rhs] | kw("max_len")[set_max_len]);

auto const myself_cmp = kw("myself")[set_myself_first] > named("'==' or '!='", eq_op)[set_op] >
                        named("uri, status, from_uri, to_uri, src_ip or dst_ip",
                              keywords(kMyselfOperands)[set_myself_operand]);

// `"INVITE" == method`: only `myself` may stand left of an operand.
struct quoted_operand_parser : token_parser<quoted_operand_parser, x3::unused_type> {
    template <class Ctx>
    char const* scan(char const* p, char const* end, Ctx const& ctx, x3::unused_type&) const {
        if (p == end || (*p != '"' && *p != '\''))
            return nullptr;
        fail_at(ctx, p,
                "a comparison starts with an operand (method, uri, status, from_uri, to_uri, "
                "src_ip, dst_ip, src_port, dst_port, proto, af, msg:len or myself), not a string");
    }
};
inline constexpr quoted_operand_parser quoted_operand{};

}  // namespace expr_detail

using namespace expr_detail;

auto const expr_def = and_expr[take] >> *((or_op > named("a condition after the operator", and_expr))[fold_or]);
auto const and_expr_def = not_expr[take] >> *((and_op > named("a condition after the operator", not_expr))[fold_and]);
auto const not_expr_def = (not_op > named("a condition after '!'", not_expr))[make_not] | primary[take];
auto const primary_def = (lparen > named("a condition after '('", expr) > named("')'", rparen))[take] |
                         elem[take];
auto const compare_def = method_cmp | uri_cmp | ip_cmp | port_cmp | proto_cmp | af_cmp | msglen_cmp |
                         myself_cmp;
auto const elem_def = compare[wrap_node] | command[wrap_action] | if_stmt[wrap_if] |
                      (here >> block)[wrap_block] | number[wrap_node] | quoted_operand;

BOOST_SPIRIT_DEFINE(expr, and_expr, not_expr, primary, elem, compare)

}  // namespace ser::parser
