// Condition elements: `operand op value` (cfg-language §8.3-8.4).
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <cstring>

#include "ser/text.hpp"
#include "runtime/script/engine.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/uri.hpp"

namespace ser::script {

namespace {


bool regex_search(const Regex& re, std::string_view v) {
    thread_local std::string buf;  // regexec needs a NUL-terminated string
    buf.assign(v.data(), v.size());
    return re.search(buf.c_str());
}

int cmp_int(CmpOp op, long a, long b) {
    switch (op) {
    case CmpOp::Eq: return a == b;
    case CmpOp::Ne: return a != b;
    case CmpOp::Gt: return a > b;
    case CmpOp::Lt: return a < b;
    case CmpOp::Ge: return a >= b;
    case CmpOp::Le: return a <= b;
    case CmpOp::Match: break;
    }
    return kExprError;
}

int negate_if(CmpOp op, int v) {
    if (v < 0) return v;  // an error stays an error
    return op == CmpOp::Ne ? !v : v;
}

// Reverse DNS names of an address (for the string forms of src_ip/dst_ip).
std::vector<std::string> reverse_names(const IpAddr& ip) {
    std::vector<std::string> out;
    sockaddr_storage ss{};
    socklen_t len = ip.to_sockaddr(0, ss);
    char host[NI_MAXHOST];
    if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0, NI_NAMEREQD) == 0)
        out.emplace_back(host);
    return out;
}

}  // namespace

int Engine::eval_compare(const Compare& k, const Expr& e, Ctx& c) const {
    sip::Msg& m = c.msg;
    switch (k.lhs) {
    case Operand::Method:
    case Operand::Uri:
    case Operand::FromUri:
    case Operand::ToUri: {
        std::string_view value;
        if (k.lhs == Operand::Method) {
            value = m.is_request() ? m.method() : m.version();  // replies: "SIP/2.0" [quirk]
        } else if (k.lhs == Operand::Uri) {
            value = m.is_request() ? m.current_uri() : m.status_text();
        } else {
            const sip::NameAddr* na = k.lhs == Operand::FromUri ? m.from() : m.to();
            if (!na) {
                SER_ERR("{}: cannot parse the {} header", prog_.where(e.loc),
                        k.lhs == Operand::FromUri ? "From" : "To");
                return kExprError;
            }
            value = na->uri;
        }
        switch (k.rhs) {
        case Compare::Rhs::Regex:
            return k.regex && regex_search(*k.regex, value) ? kExprTrue : kExprFalse;
        case Compare::Rhs::Myself: {
            if (k.lhs == Operand::Method) return kExprError;
            if (k.lhs == Operand::Uri && !m.is_request()) return kExprError;
            sip::Uri u;
            if (!sip::parse_uri(value, u)) {
                SER_ERR("{}: bad URI '{}' in myself test", prog_.where(e.loc), value);
                return kExprError;
            }
            int proto = PROTO_NONE;
            if (auto t = u.param("transport")) {
                if (iequals(*t, "tcp")) proto = PROTO_TCP;
                else if (iequals(*t, "tls")) proto = PROTO_TLS;
                else if (iequals(*t, "udp")) proto = PROTO_UDP;
            }
            return negate_if(k.op, host_.is_myself(u.host, u.port, proto) ? 1 : 0);
        }
        default: {
            bool eq = iequals(value, k.str);
            if (!eq && !value.empty() && value.size() < k.str.size() &&
                iequals(value, std::string_view(k.str).substr(0, value.size()))) {
                // SER 0.9 compared only len(value) characters, so this was "equal"
                // there. We compare exactly; say so once per place (docs/compatibility.md).
                if (!k.prefix_warned.exchange(true, std::memory_order_relaxed))
                    SER_WARN("{}: '{}' equals only a prefix of \"{}\"; SER 0.9 took that as equal, "
                             "ser compares exactly",
                             prog_.where(e.loc), value, k.str);
            }
            return negate_if(k.op, eq ? 1 : 0);
        }
        }
    }
    case Operand::SrcIp:
    case Operand::DstIp: {
        const IpAddr& ip = k.lhs == Operand::SrcIp ? m.rcv.src_ip : m.rcv.dst_ip;
        switch (k.rhs) {
        case Compare::Rhs::Net: {
            if (ip.af != k.net.af) return k.op == CmpOp::Ne ? kExprTrue : kExprFalse;
            return negate_if(k.op, ip.in_net(k.net, k.mask) ? 1 : 0);
        }
        case Compare::Rhs::Myself:
            return negate_if(k.op, host_.is_myself_ip(ip) ? 1 : 0);
        case Compare::Rhs::Regex: {
            if (k.regex && regex_search(*k.regex, ip.to_string())) return kExprTrue;
            for (const auto& n : reverse_names(ip))
                if (k.regex && regex_search(*k.regex, n)) return kExprTrue;
            return kExprFalse;
        }
        default: {
            // Textual match, then forward DNS of the string, then reverse DNS of the IP.
            bool eq = iequals(ip.to_string(), k.str);
            if (!eq) {
                std::vector<IpAddr> addrs;
                if (host_.resolve_all(k.str, addrs))
                    for (const auto& a : addrs)
                        if (a == ip) { eq = true; break; }
            }
            if (!eq)
                for (const auto& n : reverse_names(ip))
                    if (iequals(n, k.str)) { eq = true; break; }
            return negate_if(k.op, eq ? 1 : 0);
        }
        }
    }
    case Operand::SrcPort: return cmp_int(k.op, m.rcv.src_port, k.num);
    case Operand::DstPort: return cmp_int(k.op, m.rcv.dst_port, k.num);
    case Operand::Proto: return cmp_int(k.op, m.rcv.proto, k.num);
    case Operand::Af: return cmp_int(k.op, m.rcv.src_ip.af, k.num);
    case Operand::MsgLen: return cmp_int(k.op, long(m.length()), k.num);
    }
    return kExprError;
}

}  // namespace ser::script
