// The config AST: what parser/ produces and runtime/script compiles.
// Plain structs with std::variant; no Spirit types leak out of parser/.
// Every node carries its source position so the compiler and the engine
// can name the ser.cfg line of any error.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ser::ast {

struct Pos {
    uint32_t file = 0;  // index into Config::files
    uint32_t line = 0;  // 1-based
    uint32_t col = 0;   // 1-based, in bytes
};

// ---- literals -------------------------------------------------------------

struct Number {
    Pos pos;
    long value = 0;
};

struct String {
    Pos pos;
    std::string value;  // after escape processing (cfg-language §2.7)
};

// An unquoted hostname `ID { ("."|"-") ID }`, or a single identifier.
struct Host {
    Pos pos;
    std::string name;
};

struct Ip {
    Pos pos;
    int af = 2;                      // 2 = AF_INET, 10 = AF_INET6
    std::array<uint8_t, 16> addr{};  // network byte order; 4 bytes used for v4
    std::string text;                // canonical text (inet_ntop)
};

// ip [ "/" (bits | mask) ]; a bare ip has a full mask.
struct Net {
    Pos pos;
    Ip ip;
    std::array<uint8_t, 16> mask{};  // network byte order
};

enum class Proto : uint8_t { Unspec = 0, Udp = 1, Tcp = 2, Tls = 3, Any = 4 /* "*" */ };

// The runtime's protocol number (UDP 1, TCP 2, TLS 3; 0 for none/any).
inline int proto_number(Proto p) {
    return p == Proto::Udp || p == Proto::Tcp || p == Proto::Tls ? int(p) : 0;
}

// One element of a SOCKLIST: [proto ":"] addr [":" port]
struct SockSpec {
    Pos pos;
    Proto proto = Proto::Unspec;
    enum class AddrKind : uint8_t { Ip, Str, Host, Star } addr_kind = AddrKind::Host;
    std::string addr;       // text of the address (IPv6 without brackets)
    std::optional<Ip> ip;   // set when addr_kind == Ip
    int port = 0;           // 0 = not given
    bool port_star = false; // ":*"
};

// ---- top-level items ------------------------------------------------------

// A global assignment `name = value`. The grammar checks the value kind per
// name (cfg-language §4); the runtime applies it.
struct Assign {
    Pos pos;
    std::string name;  // as written (aliases not folded, e.g. "mem_log")
    Pos value_pos;
    std::variant<Number, String, Host, std::vector<SockSpec>> value;
};

struct LoadModule {
    Pos pos;
    String path;
};

struct ModParam {
    Pos pos;
    String module;  // a POSIX ERE, anchored, case-insensitive
    String param;
    std::variant<Number, String> value;
};

// ---- expressions ----------------------------------------------------------

enum class Operand : uint8_t {
    Method, Uri, Status, FromUri, ToUri, SrcIp, DstIp, SrcPort, DstPort, Proto, Af, MsgLen
};

enum class CmpOp : uint8_t { Eq, Ne, Match, Gt, Lt, Ge, Le };

struct Myself { Pos pos; };
struct MaxLen { Pos pos; };        // the `max_len` keyword as a value (65535)
struct ProtoValue { Pos pos; Proto proto; };

// `operand op value`; the reversed `myself == operand` is normalised to this.
struct Compare {
    Pos pos;
    Operand lhs;
    CmpOp op;
    std::variant<String, Host, Number, Net, Myself, MaxLen, ProtoValue> rhs;
};

struct Action;
struct Expr;

struct Not { Pos pos; std::unique_ptr<Expr> operand; };
struct And { Pos pos; std::unique_ptr<Expr> left, right; };
struct Or  { Pos pos; std::unique_ptr<Expr> left, right; };

// A command, an if statement or a `{ actions }` block used as a condition.
struct ActionExpr { Pos pos; std::unique_ptr<Action> action; };
struct BlockExpr  { Pos pos; std::vector<Action> actions; };

struct Expr {
    Pos pos;
    std::variant<Compare, Not, And, Or, Number, ActionExpr, BlockExpr> node;
};

// ---- statements -----------------------------------------------------------

// Core actions with a fixed syntax (cfg-language §10). Aliases are folded to
// one kind; `name` keeps the spelling for diagnostics.
enum class CoreCmd : uint8_t {
    Forward, ForwardUdp, ForwardTcp, ForwardTls, Send, SendTcp,
    Drop,               // drop / break
    Log, SetFlag, ResetFlag, IsFlagSet, Error, Route, Exec,
    SetUri, SetHost, SetHostPort, SetUser, SetUserPass, SetPort, Prefix,
    Strip, StripTail, AppendBranch, RevertUri,
    ForceRport, ForceTcpAlias, SetAdvertisedAddress, SetAdvertisedPort, ForceSendSocket,
};

struct UriHost {};  // `uri:host` as a forward destination
struct UriPort {};  // `uri:port` as a forward port

using CoreArg = std::variant<Number, String, Host, Ip, SockSpec, UriHost, UriPort>;

struct CoreCall {
    Pos pos;
    CoreCmd cmd;
    std::string name;            // as written, e.g. "rewritehostport", "break"
    bool parens = false;         // `append_branch` vs `append_branch()` differ
    std::vector<CoreArg> args;
};

// `name(...)` resolved against loaded modules by the compiler.
struct ModuleCall {
    Pos pos;
    std::string name;
    std::vector<String> args;    // 0..2 quoted strings
};

struct If {
    Pos pos;
    std::unique_ptr<Expr> cond;
    std::vector<Action> then_body;
    std::optional<std::vector<Action>> else_body;
};

struct Null { Pos pos; };  // a lone `;`

struct Action {
    Pos pos;
    std::variant<CoreCall, ModuleCall, If, Null> node;
};

// ---- route blocks and the whole file -------------------------------------

enum class RouteKind : uint8_t { Request, Failure, OnReply };

struct RouteBlock {
    Pos pos;
    RouteKind kind = RouteKind::Request;
    int number = 0;
    std::vector<Action> actions;
};

using Item = std::variant<Assign, LoadModule, ModParam, RouteBlock>;

struct Config {
    std::vector<std::string> files;  // files[pos.file]
    std::vector<Item> items;         // in file order
};

}  // namespace ser::ast
