#include "parser/dump.hpp"

#include <cstdio>

namespace ser::parser {

namespace {

using namespace ser::ast;

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

std::string at(Pos p) { return " @" + std::to_string(p.line) + ":" + std::to_string(p.col); }

char const* proto_name(Proto p) {
    switch (p) {
    case Proto::Udp: return "udp";
    case Proto::Tcp: return "tcp";
    case Proto::Tls: return "tls";
    case Proto::Any: return "*";
    default: return "";
    }
}

char const* operand_name(Operand o) {
    switch (o) {
    case Operand::Method: return "method";
    case Operand::Uri: return "uri";
    case Operand::Status: return "status";
    case Operand::FromUri: return "from_uri";
    case Operand::ToUri: return "to_uri";
    case Operand::SrcIp: return "src_ip";
    case Operand::DstIp: return "dst_ip";
    case Operand::SrcPort: return "src_port";
    case Operand::DstPort: return "dst_port";
    case Operand::Proto: return "proto";
    case Operand::Af: return "af";
    case Operand::MsgLen: return "msg:len";
    }
    return "?";
}

char const* op_name(CmpOp op) {
    switch (op) {
    case CmpOp::Eq: return "==";
    case CmpOp::Ne: return "!=";
    case CmpOp::Match: return "=~";
    case CmpOp::Gt: return ">";
    case CmpOp::Lt: return "<";
    case CmpOp::Ge: return ">=";
    case CmpOp::Le: return "<=";
    }
    return "?";
}

char const* cmd_name(CoreCmd c) {
    static char const* const names[] = {
        "Forward", "ForwardUdp", "ForwardTcp", "ForwardTls", "Send", "SendTcp", "Drop",
        "Log", "SetFlag", "ResetFlag", "IsFlagSet", "Error", "Route", "Exec",
        "SetUri", "SetHost", "SetHostPort", "SetUser", "SetUserPass", "SetPort", "Prefix",
        "Strip", "StripTail", "AppendBranch", "RevertUri",
        "ForceRport", "ForceTcpAlias", "SetAdvertisedAddress", "SetAdvertisedPort",
        "ForceSendSocket",
    };
    auto i = static_cast<size_t>(c);
    return i < sizeof names / sizeof names[0] ? names[i] : "?";
}

std::string ip_text(Ip const& ip) { return "ip(" + ip.text + ")"; }

std::string net_text(Net const& n) {
    Ip mask = n.ip;
    mask.addr = n.mask;
    char buf[64];
    // the mask in the same notation as the address
    if (n.ip.af == 2)
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", n.mask[0], n.mask[1], n.mask[2], n.mask[3]);
    else {
        std::string s;
        for (int i = 0; i < 16; i += 2) {
            char g[8];
            std::snprintf(g, sizeof g, "%s%02x%02x", i ? ":" : "", n.mask[i], n.mask[i + 1]);
            s += g;
        }
        return "net(" + n.ip.text + "/" + s + ")";
    }
    return "net(" + n.ip.text + "/" + buf + ")";
}

std::string sock_text(SockSpec const& s) {
    std::string out;
    if (s.proto != Proto::Unspec)
        out += std::string(proto_name(s.proto)) + ":";
    switch (s.addr_kind) {
    case SockSpec::AddrKind::Ip: out += "ip(" + s.addr + ")"; break;
    case SockSpec::AddrKind::Str: out += quote(s.addr); break;
    case SockSpec::AddrKind::Host: out += "host(" + s.addr + ")"; break;
    case SockSpec::AddrKind::Star: out += "*"; break;
    }
    if (s.port_star)
        out += ":*";
    else if (s.port)
        out += ":" + std::to_string(s.port);
    return out + at(s.pos);
}

std::string value_text(Number const& v) { return std::to_string(v.value); }
std::string value_text(String const& v) { return quote(v.value); }
std::string value_text(Host const& v) { return "host(" + v.name + ")"; }

std::string arg_text(CoreArg const& a) {
    return std::visit(overloaded{
                          [](Number const& v) { return value_text(v); },
                          [](String const& v) { return value_text(v); },
                          [](Host const& v) { return value_text(v); },
                          [](Ip const& v) { return ip_text(v); },
                          [](SockSpec const& v) { return sock_text(v); },
                          [](UriHost const&) { return std::string("uri:host"); },
                          [](UriPort const&) { return std::string("uri:port"); },
                      },
                      a);
}

std::string pad(int indent) { return std::string(static_cast<size_t>(indent) * 2, ' '); }

void dump_actions(std::string& out, std::vector<Action> const& list, int indent) {
    for (auto const& a : list)
        out += dump(a, indent);
}

std::string compare_text(Compare const& c) {
    std::string rhs = std::visit(overloaded{
                                     [](String const& v) { return value_text(v); },
                                     [](Host const& v) { return value_text(v); },
                                     [](Number const& v) { return value_text(v); },
                                     [](Net const& v) { return net_text(v); },
                                     [](Myself const&) { return std::string("myself"); },
                                     [](MaxLen const&) { return std::string("max_len"); },
                                     [](ProtoValue const& v) {
                                         return std::string("proto(") + proto_name(v.proto) + ")";
                                     },
                                 },
                                 c.rhs);
    return std::string(operand_name(c.lhs)) + " " + op_name(c.op) + " " + rhs;
}

}  // namespace

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    return out + "\"";
}

std::string dump(const Expr& e, int indent) {
    std::string out;
    std::visit(overloaded{
                   [&](Compare const& c) { out += pad(indent) + "cmp " + compare_text(c) + at(c.pos) + "\n"; },
                   [&](Not const& n) {
                       out += pad(indent) + "not" + at(n.pos) + "\n";
                       out += dump(*n.operand, indent + 1);
                   },
                   [&](And const& n) {
                       out += pad(indent) + "and" + at(n.pos) + "\n";
                       out += dump(*n.left, indent + 1);
                       out += dump(*n.right, indent + 1);
                   },
                   [&](Or const& n) {
                       out += pad(indent) + "or" + at(n.pos) + "\n";
                       out += dump(*n.left, indent + 1);
                       out += dump(*n.right, indent + 1);
                   },
                   [&](Number const& n) { out += pad(indent) + "number " + value_text(n) + at(n.pos) + "\n"; },
                   [&](ActionExpr const& a) { out += dump(*a.action, indent); },
                   [&](BlockExpr const& b) {
                       out += pad(indent) + "block" + at(b.pos) + "\n";
                       dump_actions(out, b.actions, indent + 1);
                   },
               },
               e.node);
    return out;
}

std::string dump(const Action& a, int indent) {
    std::string out;
    std::visit(overloaded{
                   [&](CoreCall const& c) {
                       out += pad(indent) + "core " + cmd_name(c.cmd) + " " + c.name;
                       if (c.parens) {
                           out += "(";
                           for (size_t i = 0; i < c.args.size(); ++i)
                               out += (i ? ", " : "") + arg_text(c.args[i]);
                           out += ")";
                       }
                       out += at(c.pos) + "\n";
                   },
                   [&](ModuleCall const& c) {
                       out += pad(indent) + "call " + c.name + "(";
                       for (size_t i = 0; i < c.args.size(); ++i)
                           out += (i ? ", " : "") + quote(c.args[i].value);
                       out += ")" + at(c.pos) + "\n";
                   },
                   [&](If const& i) {
                       out += pad(indent) + "if" + at(i.pos) + "\n";
                       out += pad(indent + 1) + "cond\n" + dump(*i.cond, indent + 2);
                       out += pad(indent + 1) + "then\n";
                       dump_actions(out, i.then_body, indent + 2);
                       if (i.else_body) {
                           out += pad(indent + 1) + "else\n";
                           dump_actions(out, *i.else_body, indent + 2);
                       }
                   },
                   [&](Null const& n) { out += pad(indent) + "null" + at(n.pos) + "\n"; },
               },
               a.node);
    return out;
}

std::string dump(const Config& cfg) {
    std::string out;
    for (auto const& item : cfg.items) {
        std::visit(overloaded{
                       [&](Assign const& a) {
                           out += "assign " + a.name + at(a.pos) + " = ";
                           std::visit(overloaded{
                                          [&](std::vector<SockSpec> const& list) {
                                              out += "[";
                                              for (size_t i = 0; i < list.size(); ++i)
                                                  out += (i ? ", " : "") + sock_text(list[i]);
                                              out += "]";
                                          },
                                          [&](auto const& v) { out += value_text(v) + at(a.value_pos); },
                                      },
                                      a.value);
                           out += "\n";
                       },
                       [&](LoadModule const& m) {
                           out += "loadmodule " + quote(m.path.value) + at(m.pos) + "\n";
                       },
                       [&](ModParam const& m) {
                           out += "modparam " + quote(m.module.value) + " " + quote(m.param.value) + " = ";
                           out += std::visit([](auto const& v) { return value_text(v); }, m.value);
                           out += at(m.pos) + "\n";
                       },
                       [&](RouteBlock const& r) {
                           char const* kind = r.kind == RouteKind::Request   ? "route"
                                              : r.kind == RouteKind::Failure ? "failure_route"
                                                                             : "onreply_route";
                           out += std::string(kind) + "[" + std::to_string(r.number) + "]" + at(r.pos) + "\n";
                           dump_actions(out, r.actions, 1);
                       },
                   },
                   item);
    }
    return out;
}

}  // namespace ser::parser
