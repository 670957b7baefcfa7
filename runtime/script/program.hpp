// The compiled script: what the compiler produces and the engine executes.
// Every function is resolved and every argument fixed up at load time;
// nothing is looked up by name per message. Each node keeps its source place.
#pragma once

#include <regex.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ser/ip.hpp"
#include "ser/module.hpp"
#include "ser/route.hpp"
#include "ser/socket.hpp"

namespace ser::script {

inline constexpr int kMaxRoutes = kMaxRouteBlocks;   // route[0..19] and friends
inline constexpr int kMaxRecursion = 100;  // route calls + nested blocks (§7.4)

// Same shape as ast::Pos: file indexes Program::files.
struct Loc {
    uint32_t file = 0;
    uint32_t line = 0;
    uint32_t col = 0;
};

// A POSIX ERE compiled once (case-insensitive, SER semantics).
struct Regex {
    regex_t re{};
    bool compiled = false;
    std::string text;
    Regex() = default;
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;
    ~Regex() { if (compiled) regfree(&re); }
    bool search(const char* nul_terminated) const {
        return regexec(&re, nul_terminated, 0, nullptr, 0) == 0;
    }
};

enum class Op : uint8_t {
    Null, ModuleCall, If, Drop,
    Forward,        // forward/forward_udp/forward_tcp to a fixed or uri destination
    Send,           // send/send_tcp: original bytes
    Log, SetFlag, ResetFlag, IsFlagSet, Error, Route, Exec,
    SetUri, SetHost, SetHostPort, SetUser, SetUserPass, SetPort, Prefix, Strip, StripTail,
    AppendBranch, RevertUri, ForceRport, ForceTcpAlias, SetAdvAddress, SetAdvPort, ForceSendSocket,
};

// A forward/send destination.
struct Dest {
    int proto = PROTO_NONE;        // forced transport; NONE = as received / from URI
    bool from_uri = false;         // uri:host
    bool port_from_uri = false;    // uri:port
    std::string host;              // fixed destination as written
    std::vector<IpAddr> addrs;     // resolved at start-up (several A records)
    uint16_t port = 0;             // 0 = default
};

struct Expr;
struct Action;
using Block = std::vector<Action>;

struct Action {
    Op op = Op::Null;
    Loc loc;
    std::string name;              // spelling in the config (traces, logs)

    // ModuleCall
    CmdFunc func = nullptr;
    const CmdExport* cmd = nullptr;   // for fix-ups and diagnostics
    Module* module = nullptr;
    std::vector<CallArg> args;

    // core action operands
    long num = 0;                  // flag, strip count, log level, route number, port
    bool has_num = false;
    std::string str, str2;         // strings (uri parts, log text, branch uri, q text)
    int q = -1;                    // append_branch q (0..1000, -1 unset)
    std::unique_ptr<Dest> dest;
    const SocketInfo* socket = nullptr;   // force_send_socket after fix-up
    std::string sock_spec;                // as written, checked at start-up
    int sock_proto = PROTO_NONE;
    uint16_t sock_port = 0;

    // If
    std::unique_ptr<Expr> cond;
    Block then_body, else_body;
    bool has_else = false;
};

enum class Operand : uint8_t {
    Method, Uri, FromUri, ToUri, SrcIp, DstIp, SrcPort, DstPort, Proto, Af, MsgLen
};
enum class CmpOp : uint8_t { Eq, Ne, Match, Gt, Lt, Ge, Le };

struct Compare {
    Operand lhs;
    CmpOp op;
    enum class Rhs : uint8_t { Str, Regex, Num, Net, Myself, Host } rhs;
    std::string str;               // Str / Host (lower-cased not needed: compare ignores case)
    std::unique_ptr<Regex> regex;
    long num = 0;
    IpAddr net;
    std::array<uint8_t, 16> mask{};
    mutable std::atomic<bool> prefix_warned{false};  // compatibility warning given once
};

struct Expr {
    enum class Kind : uint8_t { And, Or, Not, Cmp, Action, Block, Const } kind;
    Loc loc;
    std::unique_ptr<Expr> left, right;   // And/Or use both, Not uses left
    Compare cmp;
    std::unique_ptr<Action> action;
    Block block;
    long value = 0;                      // Const
};

struct RouteTable {
    std::array<Block, kMaxRoutes> request;
    std::array<Block, kMaxRoutes> failure;
    std::array<Block, kMaxRoutes> onreply;
    std::array<bool, kMaxRoutes> request_defined{};
    std::array<bool, kMaxRoutes> failure_defined{};
    std::array<bool, kMaxRoutes> onreply_defined{};
};

struct Program {
    std::vector<std::string> files;  // Loc::file indexes this
    RouteTable routes;

    std::string where(const Loc& l) const {
        return (l.file < files.size() ? files[l.file] : std::string("?")) + ":" + std::to_string(l.line);
    }
};

}  // namespace ser::script
