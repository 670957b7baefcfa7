#include "parser/tokens.hpp"

#include <algorithm>

namespace ser::parser {

namespace {

// cfg-language §2.12, sorted for binary search; plus our metrics_listen
// (a keyword, so that it ends a `listen=` list as SER's lexer ends it at
// any keyword).
constexpr std::string_view kReserved[] = {
    "INET", "INET6", "SSLV2", "SSLV23", "SSLV3", "SSLv2", "SSLv23", "SSLv3", "TCP",
    "TLS", "TLSV1", "TLSv1", "UDP", "add_rport", "add_tcp_alias",
    "advertised_address", "advertised_port", "af", "alias", "and", "append_branch",
    "break", "check_via", "children", "chroot", "debug", "disable",
    "disable_core_dump", "disable_tcp", "disable_tls", "dns", "drop", "dst_ip",
    "dst_port", "else", "enable", "error", "exec", "failure_route", "false", "fifo",
    "fifo_db_url", "fifo_dir", "fifo_group", "fifo_mode", "fifo_user", "file_mode",
    "force_rport", "force_send_socket", "force_tcp_alias", "fork", "forward",
    "forward_tcp", "forward_tls", "forward_udp", "from_uri", "gid", "group", "if",
    "inet", "inet6", "isflagset", "listen", "loadmodule", "log", "log_facility",
    "log_stderror", "max_len", "maxbuffer", "mcast_loopback", "mcast_ttl",
    "mem_log", "memlog", "method", "metrics_listen", "mhomed", "modparam", "myself", "no", "not",
    "off", "on", "onreply_route", "open_files_limit", "or", "port", "prefix",
    "proto", "reply_to_via", "resetflag", "rev_dns", "revert_uri", "rewritehost",
    "rewritehostport", "rewriteport", "rewriteuri", "rewriteuser",
    "rewriteuserpass", "route", "send", "send_tcp", "server_signature",
    "set_advertised_address", "set_advertised_port", "setflag", "seth", "sethost",
    "sethostport", "sethp", "setp", "setport", "setu", "setup", "seturi", "setuser",
    "setuserpass", "sip_warning", "sock_group", "sock_mode", "sock_user", "src_ip",
    "src_port", "sslv2", "sslv23", "sslv3", "statistics", "status", "strip",
    "strip_tail", "syn_branch", "tcp", "tcp_accept_aliases", "tcp_children",
    "tcp_connect_timeout", "tcp_send_timeout", "tls", "tls_ca_list",
    "tls_certificate", "tls_handshake_timeout", "tls_log", "tls_method",
    "tls_port_no", "tls_private_key", "tls_require_certificate", "tls_send_timeout",
    "tls_verify", "tlslog", "tlsv1", "to_uri", "true", "udp", "uid", "unix_sock",
    "unix_sock_children", "unix_tx_timeout", "uri", "user", "wdir", "workdir",
    "yes",
};

}  // namespace

size_t word_length(char const* p, char const* end) {
    if (p == end || !is_alpha(*p))
        return 0;
    char const* q = p + 1;
    while (q < end && is_id_char(*q))
        ++q;
    return static_cast<size_t>(q - p);
}

bool is_reserved(std::string_view word) {
    return std::binary_search(std::begin(kReserved), std::end(kReserved), word);
}

size_t scan_op(char const* p, char const* end, Op& op) {
    op = Op::None;
    if (p == end)
        return 0;
    char next = p + 1 < end ? p[1] : '\0';
    switch (*p) {
    case '=':
        if (next == '=') { op = Op::Eq; return 2; }
        if (next == '~') { op = Op::Match; return 2; }
        op = Op::Assign;
        return 1;
    case '!':
        // `!=~` scans as `!=` followed by an unknown `~` [quirk, §2.11].
        if (next == '=') { op = Op::Ne; return 2; }
        op = Op::Not;
        return 1;
    case '>':
        if (next == '=') { op = Op::Ge; return 2; }
        op = Op::Gt;
        return 1;
    case '<':
        if (next == '=') { op = Op::Le; return 2; }
        op = Op::Lt;
        return 1;
    case '&':
        op = Op::And;
        return next == '&' ? 2 : 1;
    case '|':
        op = Op::Or;
        return next == '|' ? 2 : 1;
    default:
        return 0;
    }
}

ast::CmpOp to_cmp(Op op) {
    switch (op) {
    case Op::Eq: return ast::CmpOp::Eq;
    case Op::Ne: return ast::CmpOp::Ne;
    case Op::Match: return ast::CmpOp::Match;
    case Op::Gt: return ast::CmpOp::Gt;
    case Op::Lt: return ast::CmpOp::Lt;
    case Op::Ge: return ast::CmpOp::Ge;
    case Op::Le: return ast::CmpOp::Le;
    default: return ast::CmpOp::Eq;
    }
}

}  // namespace ser::parser
