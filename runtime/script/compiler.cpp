#include "runtime/script/compiler.hpp"

#include <cstring>

#include <fmt/format.h>

namespace ser::script {

Loc to_loc(const ast::Pos& p) { return Loc{p.file, p.line, p.col}; }

namespace {

template <class... F> struct overloaded : F... { using F::operator()...; };
template <class... F> overloaded(F...) -> overloaded<F...>;

const char* kind_word(ast::RouteKind k) {
    switch (k) {
    case ast::RouteKind::Request: return "route";
    case ast::RouteKind::Failure: return "failure_route";
    case ast::RouteKind::OnReply: return "onreply_route";
    }
    return "route";
}

Op core_op(ast::CoreCmd c) {
    using C = ast::CoreCmd;
    switch (c) {
    case C::Forward: case C::ForwardUdp: case C::ForwardTcp: case C::ForwardTls: return Op::Forward;
    case C::Send: case C::SendTcp: return Op::Send;
    case C::Drop: return Op::Drop;
    case C::Log: return Op::Log;
    case C::SetFlag: return Op::SetFlag;
    case C::ResetFlag: return Op::ResetFlag;
    case C::IsFlagSet: return Op::IsFlagSet;
    case C::Error: return Op::Error;
    case C::Route: return Op::Route;
    case C::Exec: return Op::Exec;
    case C::SetUri: return Op::SetUri;
    case C::SetHost: return Op::SetHost;
    case C::SetHostPort: return Op::SetHostPort;
    case C::SetUser: return Op::SetUser;
    case C::SetUserPass: return Op::SetUserPass;
    case C::SetPort: return Op::SetPort;
    case C::Prefix: return Op::Prefix;
    case C::Strip: return Op::Strip;
    case C::StripTail: return Op::StripTail;
    case C::AppendBranch: return Op::AppendBranch;
    case C::RevertUri: return Op::RevertUri;
    case C::ForceRport: return Op::ForceRport;
    case C::ForceTcpAlias: return Op::ForceTcpAlias;
    case C::SetAdvertisedAddress: return Op::SetAdvAddress;
    case C::SetAdvertisedPort: return Op::SetAdvPort;
    case C::ForceSendSocket: return Op::ForceSendSocket;
    }
    return Op::Null;
}

// "0.5", "1", ".25" -> 500, 1000, 250 (the parser already validated it).
int parse_q(const std::string& s) {
    int whole = 0, frac = 0, digits = 0;
    size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') whole = whole * 10 + (s[i++] - '0');
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && digits < 3 && s[i] >= '0' && s[i] <= '9') {
            frac = frac * 10 + (s[i++] - '0');
            ++digits;
        }
    }
    while (digits++ < 3) frac *= 10;
    int q = whole * 1000 + frac;
    return q > 1000 ? 1000 : q;
}


}  // namespace

Compiler::Compiler(Program& prog, rt::ModuleLoader& modules, parser::Diagnostics& diag)
    : prog_(prog), modules_(modules), diag_(diag) {}

void Compiler::add_block(const ast::RouteBlock& block) {
    unsigned mask = kRequestRoute;
    std::array<Block, kMaxRoutes>* table = &prog_.routes.request;
    std::array<bool, kMaxRoutes>* defined = &prog_.routes.request_defined;
    if (block.kind == ast::RouteKind::Failure) {
        mask = kFailureRoute;
        table = &prog_.routes.failure;
        defined = &prog_.routes.failure_defined;
    } else if (block.kind == ast::RouteKind::OnReply) {
        mask = kOnReplyRoute;
        table = &prog_.routes.onreply;
        defined = &prog_.routes.onreply_defined;
    }
    if (block.number < 0 || block.number >= kMaxRoutes) {
        diag_.error(block.pos, fmt::format("{} number {} out of range", kind_word(block.kind), block.number));
        return;
    }
    Block compiled = compile_actions(block.actions, mask, kind_word(block.kind));
    Block& dst = (*table)[size_t(block.number)];
    for (auto& a : compiled) dst.push_back(std::move(a));  // same number: concatenated (§6)
    (*defined)[size_t(block.number)] = true;
}

void Compiler::finish() {
    for (const auto& r : route_refs_) {
        if (r.number < 0 || r.number >= kMaxRoutes) {
            diag_.error(pos(r.loc), fmt::format("route({}) is out of range: route blocks are numbered 0..{}",
                                                r.number, kMaxRoutes - 1));
        } else if (!prog_.routes.request_defined[size_t(r.number)]) {
            diag_.error(pos(r.loc), fmt::format("route({}) calls a route block that is not defined: "
                                                "there is no route[{}]",
                                                r.number, r.number));
        }
    }
}

Block Compiler::compile_actions(const std::vector<ast::Action>& actions, unsigned kind_mask,
                                const char* kind_name) {
    Block out;
    out.reserve(actions.size());
    for (const auto& a : actions) {
        Action c = compile_action(a, kind_mask, kind_name);
        if (c.op == Op::Null) continue;  // a lone ';' does nothing; keep blocks tight
        out.push_back(std::move(c));
    }
    return out;
}

Action Compiler::compile_action(const ast::Action& a, unsigned kind_mask, const char* kind_name) {
    return std::visit(
        overloaded{
            [&](const ast::CoreCall& c) { return compile_core(c); },
            [&](const ast::ModuleCall& c) { return compile_module_call(c, kind_mask, kind_name); },
            [&](const ast::If& i) {
                Action out;
                out.op = Op::If;
                out.loc = to_loc(i.pos);
                out.name = "if";
                out.cond = compile_expr(*i.cond, kind_mask, kind_name);
                out.then_body = compile_actions(i.then_body, kind_mask, kind_name);
                if (i.else_body) {
                    out.has_else = true;
                    out.else_body = compile_actions(*i.else_body, kind_mask, kind_name);
                }
                return out;
            },
            [&](const ast::Null&) { return Action{}; },
        },
        a.node);
}

Action Compiler::compile_module_call(const ast::ModuleCall& c, unsigned kind_mask, const char* kind_name) {
    Action out;
    out.op = Op::ModuleCall;
    out.loc = to_loc(c.pos);
    out.name = c.name;
    int arity = int(c.args.size());
    auto found = modules_.find_cmd(c.name, arity);
    if (!found.cmd && modules_missing_) {
        ++unchecked_calls_;
        out.op = Op::Null;
        return out;
    }
    if (!found.cmd) {
        auto others = modules_.find_cmd_any_arity(c.name);
        if (!others.empty()) {
            std::vector<std::string> ar;
            for (auto& f : others) ar.push_back(std::to_string(f.cmd->arity));
            diag_.error(c.pos, fmt::format("wrong number of arguments: '{}' of module '{}' takes {} argument(s), "
                                           "not {}",
                                           c.name, others.front().module->name(), fmt::join(ar, " or "), arity));
        } else {
            std::string loaded = modules_.loaded_names();
            diag_.error(c.pos, fmt::format("unknown command '{}', missing loadmodule? (searched modules: {})",
                                           c.name, loaded.empty() ? "none loaded" : loaded));
        }
        out.op = Op::Null;
        return out;
    }
    if ((found.cmd->route_mask & kind_mask) == 0) {
        std::vector<const char*> where;
        if (found.cmd->route_mask & kRequestRoute) where.push_back("route");
        if (found.cmd->route_mask & kFailureRoute) where.push_back("failure_route");
        if (found.cmd->route_mask & kOnReplyRoute) where.push_back("onreply_route");
        diag_.error(c.pos, fmt::format("command '{}' cannot be used in the block: not allowed in {} "
                                       "(allowed in: {})",
                                       c.name, kind_name, fmt::join(where, ", ")));
        out.op = Op::Null;
        return out;
    }
    out.func = found.cmd->func;
    out.module = found.module->instance.get();
    out.args.resize(c.args.size());
    for (size_t i = 0; i < c.args.size(); ++i) out.args[i].text = c.args[i].value;
    out.cmd = found.cmd;  // the descriptor outlives the program
    return out;
}

Action Compiler::compile_core(const ast::CoreCall& c) {
    Action out;
    out.op = core_op(c.cmd);
    out.loc = to_loc(c.pos);
    out.name = c.name;
    const auto& args = c.args;
    auto num_at = [&](size_t i) -> long {
        if (i < args.size())
            if (auto* n = std::get_if<ast::Number>(&args[i])) return n->value;
        return 0;
    };
    auto str_at = [&](size_t i) -> std::string {
        if (i < args.size()) {
            if (auto* s = std::get_if<ast::String>(&args[i])) return s->value;
            if (auto* h = std::get_if<ast::Host>(&args[i])) return h->name;
            if (auto* ip = std::get_if<ast::Ip>(&args[i])) return ip->text;
        }
        return {};
    };

    using C = ast::CoreCmd;
    switch (c.cmd) {
    case C::Forward: case C::ForwardUdp: case C::ForwardTcp: case C::ForwardTls:
    case C::Send: case C::SendTcp: {
        auto d = std::make_unique<Dest>();
        if (c.cmd == C::ForwardUdp) d->proto = PROTO_UDP;
        if (c.cmd == C::ForwardTcp || c.cmd == C::SendTcp) d->proto = PROTO_TCP;
        if (c.cmd == C::ForwardTls) d->proto = PROTO_TLS;
        if (c.cmd == C::Send) d->proto = PROTO_UDP;
        if (!args.empty() && std::holds_alternative<ast::UriHost>(args[0])) {
            d->from_uri = true;
        } else if (!args.empty()) {
            d->host = str_at(0);
            if (auto* ip = std::get_if<ast::Ip>(&args[0])) {
                IpAddr a;
                a.af = ip->af;
                a.len = ip->af == 10 ? 16 : 4;
                a.b = ip->addr;
                d->addrs.push_back(a);
            }
        }
        if (args.size() > 1) {
            if (std::holds_alternative<ast::UriPort>(args[1])) d->port_from_uri = true;
            else d->port = uint16_t(num_at(1));
        }
        out.dest = std::move(d);
        break;
    }
    case C::Log:
        if (args.size() == 2) {
            out.num = num_at(0);
            out.str = str_at(1);
        } else {
            out.num = 4;  // log(STR) logs at debug level (§10.7)
            out.str = str_at(0);
        }
        break;
    case C::Route:
        out.num = num_at(0);
        route_refs_.push_back({out.num, out.loc});
        break;
    case C::SetFlag: case C::ResetFlag: case C::IsFlagSet: case C::Strip: case C::StripTail:
    case C::SetAdvertisedPort:
        out.num = num_at(0);
        break;
    case C::ForceTcpAlias:
        if (!args.empty()) { out.num = num_at(0); out.has_num = true; }
        break;
    case C::Error:
        out.str = str_at(0);
        out.str2 = str_at(1);
        break;
    case C::Exec: case C::SetUri: case C::SetHost: case C::SetHostPort: case C::SetUser:
    case C::SetUserPass: case C::SetPort: case C::Prefix: case C::SetAdvertisedAddress:
        out.str = str_at(0);
        break;
    case C::AppendBranch:
        if (!args.empty()) { out.str = str_at(0); out.has_num = true; }
        if (args.size() > 1) out.q = parse_q(str_at(1));
        else if (!c.parens) out.q = 0;   // `append_branch` without () means q=0 [quirk]
        break;
    case C::ForceSendSocket:
        if (!args.empty()) {
            if (auto* s = std::get_if<ast::SockSpec>(&args[0])) {
                out.sock_spec = s->addr;
                out.sock_proto = ast::proto_number(s->proto);
                out.sock_port = uint16_t(s->port);
                if (s->ip) {
                    auto d = std::make_unique<Dest>();
                    IpAddr a;
                    a.af = s->ip->af;
                    a.len = s->ip->af == 10 ? 16 : 4;
                    a.b = s->ip->addr;
                    d->addrs.push_back(a);
                    out.dest = std::move(d);
                }
            }
        }
        break;
    case C::Drop: case C::RevertUri: case C::ForceRport:
        break;
    }
    return out;
}

std::unique_ptr<Expr> Compiler::compile_expr(const ast::Expr& e, unsigned kind_mask, const char* kind_name) {
    auto out = std::make_unique<Expr>();
    out->loc = to_loc(e.pos);
    std::visit(overloaded{
                   [&](const ast::Compare& c) {
                       out->kind = Expr::Kind::Cmp;
                       compile_compare(c, *out);
                   },
                   [&](const ast::Not& n) {
                       out->kind = Expr::Kind::Not;
                       out->left = compile_expr(*n.operand, kind_mask, kind_name);
                   },
                   [&](const ast::And& a) {
                       out->kind = Expr::Kind::And;
                       out->left = compile_expr(*a.left, kind_mask, kind_name);
                       out->right = compile_expr(*a.right, kind_mask, kind_name);
                   },
                   [&](const ast::Or& o) {
                       out->kind = Expr::Kind::Or;
                       out->left = compile_expr(*o.left, kind_mask, kind_name);
                       out->right = compile_expr(*o.right, kind_mask, kind_name);
                   },
                   [&](const ast::Number& n) {
                       out->kind = Expr::Kind::Const;
                       out->value = n.value;
                   },
                   [&](const ast::ActionExpr& a) {
                       out->kind = Expr::Kind::Action;
                       out->action = std::make_unique<Action>(compile_action(*a.action, kind_mask, kind_name));
                   },
                   [&](const ast::BlockExpr& b) {
                       out->kind = Expr::Kind::Block;
                       out->block = compile_actions(b.actions, kind_mask, kind_name);
                   },
               },
               e.node);
    return out;
}

void Compiler::compile_compare(const ast::Compare& c, Expr& out) {
    Compare& k = out.cmp;
    switch (c.lhs) {
    case ast::Operand::Method: k.lhs = Operand::Method; break;
    case ast::Operand::Uri: case ast::Operand::Status: k.lhs = Operand::Uri; break;
    case ast::Operand::FromUri: k.lhs = Operand::FromUri; break;
    case ast::Operand::ToUri: k.lhs = Operand::ToUri; break;
    case ast::Operand::SrcIp: k.lhs = Operand::SrcIp; break;
    case ast::Operand::DstIp: k.lhs = Operand::DstIp; break;
    case ast::Operand::SrcPort: k.lhs = Operand::SrcPort; break;
    case ast::Operand::DstPort: k.lhs = Operand::DstPort; break;
    case ast::Operand::Proto: k.lhs = Operand::Proto; break;
    case ast::Operand::Af: k.lhs = Operand::Af; break;
    case ast::Operand::MsgLen: k.lhs = Operand::MsgLen; break;
    }
    k.op = CmpOp(c.op);
    bool ip_operand = k.lhs == Operand::SrcIp || k.lhs == Operand::DstIp;
    std::visit(overloaded{
                   [&](const ast::String& s) {
                       k.str = s.value;
                       k.rhs = k.op == CmpOp::Match ? Compare::Rhs::Regex : Compare::Rhs::Str;
                       if (ip_operand) {
                           // A quoted valid address is an exact network (§8.4).
                           IpAddr a;
                           if (IpAddr::parse(s.value, a)) {
                               k.rhs = Compare::Rhs::Net;
                               k.net = a;
                               k.mask.fill(0);
                               for (size_t i = 0; i < a.len; ++i) k.mask[i] = 0xff;
                               if (k.op == CmpOp::Match)
                                   diag_.error(s.pos, "invalid type for match: a quoted IP address cannot be "
                                                      "matched with =~ (use == or a regex that is not an address)");
                           }
                       }
                   },
                   [&](const ast::Host& h) {
                       k.str = h.name;
                       k.rhs = k.op == CmpOp::Match ? Compare::Rhs::Regex : Compare::Rhs::Host;
                   },
                   [&](const ast::Number& n) {
                       k.num = n.value;
                       k.rhs = Compare::Rhs::Num;
                   },
                   [&](const ast::Net& n) {
                       k.rhs = Compare::Rhs::Net;
                       k.net.af = n.ip.af;
                       k.net.len = n.ip.af == 10 ? 16 : 4;
                       k.net.b = n.ip.addr;
                       k.mask = n.mask;
                       bool fixed = false;
                       for (size_t i = 0; i < 16; ++i) {
                           uint8_t v = k.net.b[i] & k.mask[i];
                           if (v != k.net.b[i]) fixed = true;
                           k.net.b[i] = v;
                       }
                       if (fixed)
                           diag_.warning(n.pos, fmt::format("network address {} has host bits set; using {}",
                                                            n.ip.text, k.net.to_string()));
                   },
                   [&](const ast::Myself&) { k.rhs = Compare::Rhs::Myself; },
                   [&](const ast::MaxLen&) {
                       k.rhs = Compare::Rhs::Num;
                       k.num = 65535;
                   },
                   [&](const ast::ProtoValue& p) {
                       k.rhs = Compare::Rhs::Num;
                       k.num = p.proto == ast::Proto::Any ? 0 : ast::proto_number(p.proto);
                   },
               },
               c.rhs);
}

// ---- start-up fix-ups -------------------------------------------------------

bool Compiler::fixup(const FixupEnv& env) {
    bool ok = true;
    for (auto* table : {&prog_.routes.request, &prog_.routes.failure, &prog_.routes.onreply})
        for (auto& b : *table) ok = fixup_block(b, env) && ok;
    return ok;
}

bool Compiler::fixup_block(Block& b, const FixupEnv& env) {
    bool ok = true;
    for (auto& a : b) ok = fixup_action(a, env) && ok;
    return ok;
}

bool Compiler::fixup_action(Action& a, const FixupEnv& env) {
    bool ok = true;
    switch (a.op) {
    case Op::If:
        ok = fixup_expr(*a.cond, env);
        ok = fixup_block(a.then_body, env) && ok;
        ok = fixup_block(a.else_body, env) && ok;
        break;
    case Op::ModuleCall: {
        const CmdExport& cmd = *a.cmd;
        if (cmd.fixup) {
            for (size_t i = 0; i < a.args.size(); ++i) {
                std::string err;
                if (!cmd.fixup(*a.module, a.args[i], int(i), err)) {
                    diag_.error(pos(a.loc), fmt::format("bad argument {} of '{}' (\"{}\"): {}", i + 1, a.name,
                                                        a.args[i].text, err));
                    ok = false;
                }
            }
        }
        break;
    }
    case Op::Forward: case Op::Send:
        if (a.dest && !a.dest->from_uri && a.dest->addrs.empty()) {
            if (!env.resolve || !env.resolve(a.dest->host, a.dest->addrs) || a.dest->addrs.empty()) {
                diag_.error(pos(a.loc), fmt::format("could not resolve hostname '{}' for {}()", a.dest->host, a.name));
                ok = false;
            }
        }
        break;
    case Op::ForceSendSocket: {
        IpAddr ip;
        bool have_ip = a.dest && !a.dest->addrs.empty();
        if (have_ip) ip = a.dest->addrs.front();
        else if (env.resolve) {
            std::vector<IpAddr> v;
            if (env.resolve(a.sock_spec, v) && !v.empty()) { ip = v.front(); have_ip = true; }
        }
        a.socket = have_ip && env.find_socket ? env.find_socket(a.sock_proto, ip, a.sock_spec, a.sock_port) : nullptr;
        if (!a.socket) {
            diag_.error(pos(a.loc), fmt::format("force_send_socket: ser doesn't listen on {}{}{}",
                                                a.sock_proto ? std::string(proto_name(a.sock_proto)) + ":" : "",
                                                a.sock_spec, a.sock_port ? ":" + std::to_string(a.sock_port) : ""));
            ok = false;
        }
        break;
    }
    default:
        break;
    }
    return ok;
}

bool Compiler::fixup_expr(Expr& e, const FixupEnv& env) {
    switch (e.kind) {
    case Expr::Kind::And: case Expr::Kind::Or:
        return fixup_expr(*e.left, env) & fixup_expr(*e.right, env);
    case Expr::Kind::Not:
        return fixup_expr(*e.left, env);
    case Expr::Kind::Action:
        return fixup_action(*e.action, env);
    case Expr::Kind::Block:
        return fixup_block(e.block, env);
    case Expr::Kind::Cmp:
        if (e.cmp.rhs == Compare::Rhs::Regex) {
            e.cmp.regex = std::make_unique<Regex>();
            e.cmp.regex->text = e.cmp.str;
            int rc = regcomp(&e.cmp.regex->re, e.cmp.str.c_str(), REG_EXTENDED | REG_ICASE | REG_NOSUB);
            if (rc != 0) {
                char buf[128];
                regerror(rc, &e.cmp.regex->re, buf, sizeof buf);
                diag_.error(pos(e.loc), fmt::format("bad re \"{}\": {}", e.cmp.str, buf));
                e.cmp.regex.reset();
                return false;
            }
            e.cmp.regex->compiled = true;
        }
        return true;
    case Expr::Kind::Const:
        return true;
    }
    return true;
}

}  // namespace ser::script
