#include "ser/text.hpp"
#include "runtime/core/server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "runtime/core/branch.hpp"
#include "runtime/core/resolve.hpp"
#include "runtime/script/ser_error.hpp"
#include "ser/log.hpp"
#include "ser/sip/build.hpp"
#include "ser/sip/msg.hpp"

namespace ser::rt {

namespace {



std::string_view strip_brackets(std::string_view h) {
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') return h.substr(1, h.size() - 2);
    return h;
}

int proto_from_text(std::string_view t) {
    if (iequals(t, "tcp")) return PROTO_TCP;
    if (iequals(t, "tls")) return PROTO_TLS;
    if (iequals(t, "udp")) return PROTO_UDP;
    return PROTO_NONE;
}

// Connection ids travel in our Via's `i=` as hex, least significant digit first.
std::string id_to_rev_hex(uint64_t id) {
    static const char* hex = "0123456789abcdef";
    std::string s;
    do {
        s += hex[id & 0xf];
        id >>= 4;
    } while (id);
    return s;
}

uint64_t rev_hex_to_id(std::string_view s) {
    uint64_t id = 0;
    for (size_t i = s.size(); i-- > 0;) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0) return 0;
        id = (id << 4) | uint64_t(v);
    }
    return id;
}

}  // namespace

// mhomed: the local address the kernel would use to reach `to` (a connected
// UDP socket sends nothing), matched against our UDP sockets.
const SocketInfo* Server::socket_by_route(const IpAddr& to) const {
    sockaddr_storage ss{};
    socklen_t len = to.to_sockaddr(5060, ss);
    int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    const SocketInfo* found = nullptr;
    sockaddr_storage local{};
    socklen_t llen = sizeof local;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) == 0) {
        IpAddr a;
        if (IpAddr::from_sockaddr(reinterpret_cast<sockaddr*>(&local), a))
            for (const auto& s : sockets_)
                if (s.proto == PROTO_UDP && s.address == a) { found = &s; break; }
    }
    ::close(fd);
    return found;
}

namespace {
thread_local int t_worker_index = 0;
}

Server::Server(TimerWheel::Clock clock)
    : metrics_(std::make_unique<metrics::Registry>()),
      modules_(std::make_unique<ModuleLoader>()),
      engine_(std::make_unique<script::Engine>(program_, *this)),
      wheel_(clock) {
    sip_meters_.bind(*metrics_);
}

void Server::set_worker_index(int i) {
    t_worker_index = i;
    metrics::set_this_shard(i);
}
int Server::worker_index() const { return t_worker_index; }

int Server::allocate_msg_slot() {
    int n = next_slot_.fetch_add(1);
    if (n >= int(sip::Msg::kSlots)) return -1;
    return n;
}

bool Server::route_exists(RouteKind kind, int n) const { return engine_->defined(kind, n); }

int Server::run_route(RouteKind kind, int n, sip::Msg& msg) {
    if (!engine_->defined(kind, n)) return 1;
    return engine_->run(kind, n, msg);
}

Server::~Server() {
    // Modules go before the program that points into them is destroyed;
    // their metric callbacks before them.
    metrics_->remove_callbacks();
    modules_->destroy_all();
}

int& Server::last_error() { return script::t_ser_error; }
int Server::prev_error() const { return script::t_prev_ser_error; }

void Server::collect_hooks() {
    pre_script_.clear();
    on_reply_.clear();
    post_script_.clear();
    for (auto& m : modules_->modules()) {
        if (m->exports->hooks & kHookPreScript) pre_script_.push_back(m->instance.get());
        if (m->exports->hooks & kHookPostScript) post_script_.push_back(m->instance.get());
    }
    // Replies are offered last-loaded module first (core-runtime §3.4).
    for (auto it = modules_->modules().rbegin(); it != modules_->modules().rend(); ++it)
        if ((*it)->exports->hooks & kHookOnReply) on_reply_.push_back((*it)->instance.get());
}

bool Server::register_api(std::string_view name, uint32_t version, void* api) {
    std::lock_guard lk(api_mutex_);
    return apis_.emplace(std::string(name), ApiEntry{version, api}).second;
}

void* Server::find_api(std::string_view name, uint32_t version) const {
    std::lock_guard lk(api_mutex_);
    auto it = apis_.find(std::string(name));
    if (it == apis_.end()) return nullptr;
    if (it->second.version != version) {
        SER_ERR("module API '{}' has version {}, version {} was asked for", name, it->second.version, version);
        return nullptr;
    }
    return it->second.api;
}

bool Server::resolve(std::string_view host, IpAddr& out) {
    // Addresses (the usual next hop) without a vector or a lookup.
    std::string_view h = strip_brackets(host);
    if (IpAddr::parse(h, out)) return true;
    std::vector<IpAddr> v;
    if (!resolve_host(host, v) || v.empty()) return false;
    out = v.front();
    return true;
}

bool Server::resolve_all(std::string_view host, std::vector<IpAddr>& out) { return resolve_host(host, out); }

// ---- myself ---------------------------------------------------------------

bool Server::is_myself(std::string_view host, uint16_t port, int proto) const {
    host = strip_brackets(host);
    if (port == 0) port = 5060;  // also for sips: [quirk]
    IpAddr ip;
    bool is_ip = IpAddr::parse(host, ip);
    for (const auto& s : sockets_) {
        if (s.port != port) continue;
        if (iequals(host, s.name) || iequals(host, s.address_text) || (is_ip && ip == s.address)) return true;
    }
    for (const auto& a : aliases_) {
        if (a.port != 0 && a.port != port) continue;
        if (a.proto != PROTO_NONE && proto != PROTO_NONE && a.proto != proto) continue;
        if (iequals(host, a.name)) return true;
    }
    return false;
}

bool Server::is_myself_ip(const IpAddr& ip) const {
    for (const auto& s : sockets_)
        if (ip == s.address) return true;
    std::string text = ip.to_string();
    for (const auto& a : aliases_)
        if (iequals(text, a.name)) return true;
    return false;
}

// ---- receiving ------------------------------------------------------------

void Server::receive(char* buf, size_t len, const sip::RecvInfo& rcv) {
    if (rcv.proto == PROTO_UDP) {
        if (len < 32) return;  // keep-alives (core-runtime §3.1)
        if (buf[len - 1] == '\0') {
            SER_WARN("removing the trailing NUL of a datagram from {}:{}", rcv.src_ip.to_string(), rcv.src_port);
            --len;
        }
        if (rcv.src_port == 0) {
            SER_DBG("dropping a datagram from source port 0");
            return;
        }
    }
    thread_local sip::Msg msg;  // reused: keeps its capacity between messages
    // Cleared when done, not only before the next message: the lumps of the
    // last message may hold module data (rr's Record-Route parts) that must
    // not outlive the modules.
    struct Clear {
        sip::Msg& m;
        ~Clear() { m.reset(); }
    } clear{msg};
    msg.reset();
    msg.rcv = rcv;
    if (!msg.parse(buf, len)) {
        sip_meters_.received_malformed();
        SER_INFO("dropping a malformed message from {}:{} ({}): {}", rcv.src_ip.to_string(), rcv.src_port,
                 proto_name(rcv.proto), msg.error());
        // A request we can still answer gets the error status (RFC 4475).
        if (msg.is_request() && msg.method_id() != sip::Method::Ack && msg.via1() && msg.error_status() > 0) {
            // Back to the real source: the Via of a broken request is not to be trusted.
            msg.force_rport = true;
            LocalReply r;
            r.code = msg.error_status();
            r.reason = r.code == 505 ? "Version Not Supported" : r.code == 416 ? "Unsupported URI Scheme" : "Bad Request";
            send_local_reply(msg, r);
        }
        return;
    }
    sip_meters_.received(msg);
    process(msg);
}

void Server::process(sip::Msg& msg) {
    if (msg.is_request()) {
        // tcp_accept_aliases: a Via `alias` parameter makes the Via port an
        // alias of this connection (core-runtime §3.3 step 5).
        if (settings_.tcp_accept_aliases && msg.rcv.proto == PROTO_TCP)
            if (const sip::ViaBody* v = msg.via1(); v && v->alias && transport_)
                transport_->add_tcp_alias(msg.rcv.conn_id, msg.rcv.src_ip, v->port ? v->port : 5060);
        // A module whose pre_script ran gets its post_script even when a
        // later pre_script absorbs the message (it may hold state for it).
        size_t ran = 0;
        bool absorbed = false;
        for (Module* m : pre_script_) {
            ++ran;
            if (m->pre_script(msg) <= 0) {  // 0: absorbed (e.g. sl's ACK filter), < 0: error
                absorbed = true;
                break;
            }
        }
        if (!absorbed) {
            if (!engine_->defined(script::RouteType::Request, 0)) {
                SER_WARN("null action list: no route block, request discarded");
            } else {
                int r = engine_->run(script::RouteType::Request, 0, msg);
                if (r < 0) SER_DBG("error while trying script");
            }
        }
        if (!absorbed) {
            for (Module* m : post_script_) m->post_script(msg);
        } else {
            for (Module* m : post_script_)
                if (std::find(pre_script_.begin(), pre_script_.begin() + long(ran), m) != pre_script_.begin() + long(ran))
                    m->post_script(msg);
        }
        return;
    }
    if (settings_.check_via) {
        const sip::ViaBody* v = msg.via1();
        if (!v || !is_myself(v->host, v->port, proto_from_text(v->transport))) {
            SER_DBG("reply's top Via is not ours: dropped (check_via)");
            return;
        }
    }
    for (Module* m : on_reply_)
        if (m->on_reply(msg)) return;
    forward_reply(msg);
}

// ---- sending ----------------------------------------------------------------

const SocketInfo* Server::choose_socket(const sip::Msg* msg, int proto, const IpAddr& to) const {
    if (msg && msg->force_socket) {
        auto* f = static_cast<const SocketInfo*>(msg->force_socket);
        if (f->proto == proto && f->address.af == to.af) return f;
        for (const auto& s : sockets_)
            if (s.proto == proto && s.address == f->address && s.port == f->port) return &s;
        SER_WARN("force_send_socket: no {} socket on {}:{}; choosing another", proto_name(proto),
                 f->address_text, f->port);
    }
    if (settings_.mhomed && proto == PROTO_UDP)
        if (const SocketInfo* m = socket_by_route(to)) return m;
    if (msg && proto == PROTO_UDP && msg->rcv.proto == PROTO_UDP && msg->rcv.socket) {
        auto* r = static_cast<const SocketInfo*>(msg->rcv.socket);
        if (r->address.af == to.af) return r;
    }
    const SocketInfo* loopback = nullptr;
    for (const auto& s : sockets_) {
        if (s.proto != proto || s.address.af != to.af) continue;
        if (!s.is_loopback) return &s;
        if (!loopback) loopback = &s;
    }
    return loopback;
}

int Server::send_from(const sip::Msg* msg, Destination& dst, std::string_view data) {
    if (!transport_) return E_SEND;
    if (!dst.send_socket) dst.send_socket = choose_socket(msg, dst.proto, dst.ip);
    if (!dst.send_socket) {
        SER_ERR("no {} socket for sending to {}", proto_name(dst.proto), dst.ip.to_string());
        return E_NO_SOCKET;
    }
    // Counted before it leaves, so whoever gets the message sees it counted;
    // a failed send counts in the failures as well.
    sip_meters_.sent(data);
    if (transport_->send(dst.send_socket, dst, data) < 0) {
        sip_meters_.send_failed();
        return E_SEND;
    }
    return 1;
}

int Server::send(const Destination& dst, std::string_view data) {
    Destination d = dst;
    return send_from(nullptr, d, data);
}

bool Server::via_host_matches(std::string_view via_host, const IpAddr& src) const {
    std::string text = src.to_string();
    if (src.af == 2) {
        // Textual compare over the Via host's length [quirk] (core-runtime §6.4).
        return via_host.size() <= text.size() && via_host == std::string_view(text).substr(0, via_host.size());
    }
    return iequals(strip_brackets(via_host), text);
}

std::string Server::via_branch(sip::Msg& msg) {
    if (settings_.syn_branch) return "0";
    return stateless_branch(msg);
}

int Server::build_request(sip::Msg& msg, const ForwardTarget& t, OutRequest& out) {
    if (!msg.is_request()) return -1;
    const std::string_view uri = t.uri.empty() ? msg.current_uri() : t.uri;
    const std::string_view hop = !t.dst_uri.empty()                  ? t.dst_uri
                                 : t.uri.empty() && !msg.dst_uri.empty() ? std::string_view(msg.dst_uri)
                                                                         : uri;
    int proto = t.proto;
    uint16_t port = t.port;
    IpAddr ip;
    if (t.ip) {
        ip = *t.ip;
        if (proto == PROTO_NONE) proto = PROTO_UDP;
    } else {
        // The Request-URI itself was parsed with the first line.
        const std::string_view ruri = msg.ruri();
        const sip::Uri* cached = hop.data() == ruri.data() && hop.size() == ruri.size() ? msg.cached_ruri() : nullptr;
        sip::Uri parsed;
        if (!cached && !sip::parse_uri(hop, parsed)) {
            SER_ERR("forward: bad destination URI <{}>", hop);
            return E_BAD_URI;
        }
        const sip::Uri& u = cached ? *cached : parsed;
        if (port == 0) port = u.port;
        if (proto == PROTO_NONE) {
            auto tp = u.param("transport");
            proto = tp ? proto_from_text(*tp) : PROTO_UDP;
            if (proto == PROTO_NONE) proto = PROTO_UDP;
        }
        if (!resolve(u.host, ip)) {
            SER_ERR("forward: cannot resolve '{}'", u.host);
            return E_BAD_ADDRESS_RESOLVE;
        }
    }
    if (port == 0) port = 5060;
    if (proto == PROTO_TLS) {
        SER_ERR("forward: TLS is not supported");
        return E_SEND;
    }
    const SocketInfo* from = choose_socket(&msg, proto, ip);
    if (!from) {
        SER_ERR("forward: no {} socket for {}", proto_name(proto), ip.to_string());
        return E_NO_SOCKET;
    }
    std::string host_buf;
    std::string_view via_host = !msg.adv_address.empty()               ? std::string_view(msg.adv_address)
                                : !settings_.advertised_address.empty() ? std::string_view(settings_.advertised_address)
                                                                         : std::string_view(from->address_text);
    const bool advertised = via_host != from->address_text;
    if (!advertised && from->address.af == 10) {
        host_buf = "[" + from->address_text + "]";
        via_host = host_buf;
    }
    std::string port_text;
    if (msg.adv_port) port_text = std::to_string(msg.adv_port);
    else if (settings_.advertised_port) port_text = std::to_string(settings_.advertised_port);
    const bool adv_port = !port_text.empty();
    if (!adv_port && from->port != 5060) port_text = from->port_text;
    std::string branch = t.branch.empty() ? via_branch(msg) : std::string(t.branch);
    std::string extra;
    if (msg.rcv.proto == PROTO_TCP || msg.rcv.proto == PROTO_TLS) extra = ";i=" + id_to_rev_hex(msg.rcv.conn_id);

    sip::ViaSpec via{proto_name(proto), via_host, port_text, branch, extra};
    sip::ReceivedInfo ri{msg.rcv.src_ip.to_string(), msg.rcv.src_port, msg.force_rport};
    sip::SendContext ctx;
    ctx.send_socket = from;
    ctx.recv_socket = static_cast<const SocketInfo*>(msg.rcv.socket);
    ctx.proto = proto;
    if (advertised) ctx.adv_address = via_host;
    if (adv_port) ctx.adv_port = port_text;
    out.data = sip::build_request(msg, via, ri, proto != PROTO_UDP, uri, &ctx);
    if (out.data.empty()) return E_BAD_REQ;
    out.dst = Destination{};
    out.dst.proto = proto;
    out.dst.ip = ip;
    out.dst.port = port;
    out.dst.send_socket = from;
    return 1;
}

int Server::forward_request(sip::Msg& msg, const script::Dest& d) {
    if (!msg.is_request()) return -1;
    ForwardTarget t;
    t.proto = d.proto;
    if (d.from_uri) {
        // forward(uri:host, NUM): the number replaces the URI's port.
        if (!d.port_from_uri) t.port = d.port;
        OutRequest out;
        int r = build_request(msg, t, out);
        if (r < 0) return r;
        return send_from(&msg, out.dst, out.data);
    }
    // A fixed destination keeps the transport the request came in on (§6.1)
    // and tries the next address after a send failure.
    if (t.proto == PROTO_NONE) t.proto = msg.rcv.proto;
    t.port = d.port;
    int result = E_SEND;
    for (const IpAddr& ip : d.addrs) {
        t.ip = &ip;
        OutRequest out;
        int r = build_request(msg, t, out);
        if (r < 0) {
            result = r;
            continue;
        }
        if ((result = send_from(&msg, out.dst, out.data)) >= 0) return 1;
    }
    return result;
}

int Server::send_original(sip::Msg& msg, const script::Dest& d) {
    int proto = d.proto == PROTO_NONE ? PROTO_UDP : d.proto;
    uint16_t port = d.port ? d.port : 5060;
    int result = E_SEND;
    for (const IpAddr& ip : d.addrs) {
        Destination dst;
        dst.proto = proto;
        dst.ip = ip;
        dst.port = port;
        if ((result = send_from(&msg, dst, msg.buffer())) >= 0) return 1;
    }
    return result;
}

int Server::forward_reply(sip::Msg& reply) {
    if (!reply.via2()) {
        SER_ERR("reply without a second Via: dropped");
        return -1;
    }
    std::string host, transport;
    uint16_t port = 0;
    if (!sip::reply_forward_dest(reply, host, port, transport)) {
        SER_ERR("cannot find where to send the reply");
        return -1;
    }
    int proto = proto_from_text(transport);
    if (proto == PROTO_NONE) proto = PROTO_UDP;
    if (proto == PROTO_TLS) return -1;
    IpAddr ip;
    if (!resolve(host, ip)) {
        SER_ERR("cannot resolve reply destination '{}'", host);
        return -1;
    }
    Destination dst;
    dst.proto = proto;
    dst.ip = ip;
    dst.port = port ? port : 5060;
    if (proto == PROTO_TCP)
        if (const sip::ViaBody* v1 = reply.via1(); v1 && v1->i) dst.conn_id = rev_hex_to_id(*v1->i);
    std::string out = sip::build_reply_forward(reply, proto != PROTO_UDP);
    return send_from(&reply, dst, out);
}

int Server::add_tcp_alias(sip::Msg& msg, uint16_t port) {
    return transport_ ? transport_->add_tcp_alias(msg.rcv.conn_id, msg.rcv.src_ip, port) : 1;
}

// ---- local replies (core-runtime §6.7) -------------------------------------

std::string Server::build_local_reply(sip::Msg& req, const LocalReply& r) {
    sip::LocalReplyOpts o;
    o.to_tag = r.to_tag;
    o.extra_headers = r.extra_headers;
    o.body = r.body;
    if (settings_.server_signature) o.server = std::string_view(settings_.server_header).substr(8);  // without "Server: "
    std::string warning;
    if (settings_.sip_warning) {
        // getpid() is a system call; the pid does not change once serving.
        static const int pid = int(getpid());
        auto* s = static_cast<const SocketInfo*>(req.rcv.socket);
        fmt::format_to(std::back_inserter(warning),
                       "392 {}:{} \"Noisy feedback tells:  pid={} req_src_ip={} req_src_port={} "
                       "in_uri={} out_uri={} via_cnt=={}\"",
                       s ? std::string_view(s->address_text) : std::string_view("?"), s ? s->port : 0, pid, req.rcv.src_ip.to_string(),
                       req.rcv.src_port, req.ruri(), req.current_uri(), req.via_count());
    }
    o.warning = warning;
    return sip::build_local_reply(req, r.code, r.reason, o);
}

bool Server::local_reply_destination(sip::Msg& req, Destination& out) {
    const sip::ViaBody* v = req.via1();
    if (!v) return false;
    out.proto = req.rcv.proto;
    out.conn_id = req.rcv.conn_id;
    out.send_socket = static_cast<const SocketInfo*>(req.rcv.socket);
    if (settings_.reply_to_via) {
        if (!resolve(v->host, out.ip)) return false;
    } else {
        out.ip = req.rcv.src_ip;
    }
    if (req.force_rport || v->rport) out.port = req.rcv.src_port;
    else out.port = v->port ? v->port : 5060;
    if (req.rcv.proto != PROTO_UDP) out.port = req.rcv.src_port;  // stream: back on the connection
    return true;
}

int Server::send_local_reply(sip::Msg& req, const LocalReply& r) {
    Destination dst;
    if (!local_reply_destination(req, dst)) {
        SER_ERR("cannot find where to send a local reply");
        return -1;
    }
    std::string out = build_local_reply(req, r);
    return send_from(&req, dst, out);
}

}  // namespace ser::rt
