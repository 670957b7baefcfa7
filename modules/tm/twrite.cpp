#include "modules/tm/twrite.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "modules/tm/tm.hpp"
#include "ser/log.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/name_addr.hpp"
#include "ser/sip/uri.hpp"
#include "ser/socket.hpp"
#include "ser/text.hpp"

namespace ser::mod::tm {

namespace {

constexpr std::string_view kVersion = "0.3";   // SER's TWRITE_VERSION

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace((unsigned char)s.front())) s.remove_prefix(1);
    while (!s.empty() && std::isspace((unsigned char)s.back())) s.remove_suffix(1);
    return s;
}

// SER's int2reverse_hex: hex digits, least significant first.
std::string reverse_hex(uint32_t n) {
    if (n == 0) return "0";
    std::string out;
    for (; n; n >>= 4) out += "0123456789abcdef"[n & 15];
    return out;
}

// The route set and the next target a UAS application needs for requests
// in the dialog (SER's assemble_msg): from Record-Route and Contact.
void dialog_route(const sip::Msg& msg, std::string& route, std::string& target, std::string& next_hop) {
    std::vector<sip::NameAddr> c;
    target.clear();
    if (msg.contacts(c) && !c.empty() && !c[0].is_star()) target = std::string(c[0].uri);
    if (target.empty() && msg.from()) target = std::string(msg.from()->uri);
    std::vector<std::string> rr;
    for (const auto* h = msg.header(sip::HdrType::RecordRoute); h; h = msg.next_header(h)) {
        std::vector<sip::NameAddr> list;
        if (sip::parse_name_addr_list(h->value, list))
            for (const auto& n : list) rr.emplace_back(n.uri);
    }
    route.clear();
    next_hop = ".";
    auto add = [&route](std::string_view u) {
        if (!route.empty()) route += ",";
        route += "<";
        route.append(u);
        route += ">";
    };
    if (rr.empty()) return;
    sip::Uri first;
    bool lr = sip::parse_uri(rr[0], first) && first.param("lr").has_value();
    if (lr) add(rr[0]);
    for (size_t i = 1; i < rr.size(); ++i) add(rr[i]);
    if (!lr) {
        // Strict routing: the first proxy becomes the target, the contact the last route.
        add(target);
        target = rr[0];
    } else {
        next_hop = rr[0];
    }
}

}  // namespace

bool parse_tw_append(std::string_view text, TwAppend& out, std::string& error) {
    size_t colon = text.find(':');
    std::string_view name = trim(text.substr(0, colon));
    if (colon == std::string_view::npos || name.empty() || name.find_first_of(" \t") != std::string_view::npos) {
        error = fmt::format("tw_append '{}': 'name:element[;element...]' expected", text);
        return false;
    }
    out.name = std::string(name);
    std::string_view rest = text.substr(colon + 1);
    while (!trim(rest).empty()) {
        size_t semi = rest.find(';');
        std::string_view el = trim(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
        std::string title;
        size_t eq = el.find('='), br = el.find('[');
        if (eq != std::string_view::npos && (br == std::string_view::npos || eq < br)) {
            title = std::string(trim(el.substr(0, eq)));
            el = trim(el.substr(eq + 1));
            br = el.find('[');
        }
        if (br == std::string_view::npos || el.back() != ']' || br + 2 > el.size()) {
            error = fmt::format("tw_append '{}': element '{}': type[value] expected", out.name, el);
            return false;
        }
        std::string_view type = trim(el.substr(0, br)), value = trim(el.substr(br + 1, el.size() - br - 2));
        if (iequals(type, "msg")) {
            if (!iequals(value, "body") || title.empty()) {
                error = fmt::format("tw_append '{}': only title=msg[body] is known", out.name);
                return false;
            }
            out.add_body = true;
            continue;
        }
        TwAppend::Element e;
        if (iequals(type, "hdr")) {
            e.kind = TwAppend::Element::Kind::Hdr;
            e.name = std::string(value);
        } else if (iequals(type, "avp")) {
            e.kind = TwAppend::Element::Kind::Avp;
            if (value.substr(0, 2) == "i:" || value.substr(0, 2) == "I:") {
                e.avp_id = std::atoi(std::string(value.substr(2)).c_str());
                if (e.avp_id <= 0) {
                    error = fmt::format("tw_append '{}': bad AVP id '{}'", out.name, value);
                    return false;
                }
            } else {
                e.name = std::string(value.substr(0, 2) == "s:" || value.substr(0, 2) == "S:" ? value.substr(2) : value);
            }
        } else {
            error = fmt::format("tw_append '{}': unknown element type '{}' (avp, hdr or msg)", out.name, type);
            return false;
        }
        if (e.name.empty() && e.avp_id == 0) {
            error = fmt::format("tw_append '{}': empty {} name", out.name, type);
            return false;
        }
        e.title = title.empty() ? std::string(value) : title;
        out.elements.push_back(std::move(e));
    }
    return true;
}

std::string assemble_twrite(const sip::Msg& msg, const Transaction& t, const TwInfo& info) {
    const sip::Uri* ruri = msg.parsed_uri();
    const sip::NameAddr* from = msg.from();
    const sip::NameAddr* to = msg.to();
    const sip::CSeq* cseq = msg.cseq();
    const auto* sock = static_cast<const SocketInfo*>(msg.rcv.socket);
    if (!ruri || !from || !to || !cseq || !sock) {
        SER_ERR("tm: t_write: the request lacks a parsable R-URI, From, To or CSeq");
        return {};
    }
    std::string route, target, next_hop;
    dialog_route(msg, route, target, next_hop);

    std::string append = "P-MsgFlags: " + reverse_hex(msg.flags) + "\n";
    if (info.append) {
        for (const auto& e : info.append->elements) {
            if (e.kind == TwAppend::Element::Kind::Hdr) {
                if (const sip::HeaderField* h = msg.header(e.name)) append += e.title + ": " + std::string(h->value) + "\n";
                continue;
            }
            for (auto it = msg.avps.rbegin(); it != msg.avps.rend(); ++it) {
                bool match = e.avp_id ? (it->name.empty() && it->id == e.avp_id) : it->name == e.name;
                if (!match) continue;
                append += e.title + ": " + (it->is_str ? it->s : std::to_string(it->i)) + "\n";
                break;
            }
        }
    }
    append += ".";
    const bool with_body = msg.method_id() == sip::Method::Invite || (info.append && info.append->add_body);
    std::string body = with_body ? std::string(msg.body()) : ".";

    const std::string_view lines[] = {
        kVersion,
        {},   // sip_request.<action>, below
        msg.method(),
        ruri->user,
        ruri->host,
        sock->address_text,
        msg.rcv.dst_port == 5060 ? std::string_view(".") : std::string_view(sock->port_text),
        msg.ruri(),
        target.empty() ? std::string_view(".") : std::string_view(target),
        msg.header(sip::HdrType::From)->value,
        msg.header(sip::HdrType::To)->value,
        msg.call_id(),
        from->tag.value_or(""),
        to->tag.value_or(""),
        cseq->number,
    };
    std::string out;
    for (size_t i = 0; i < std::size(lines); ++i) {
        if (i == 1) out += "sip_request." + info.action;
        else out.append(lines[i]);
        out += "\n";
    }
    out += fmt::format("{}:{}\n", t.hash, t.label);
    out += (route.empty() ? std::string(".") : route) + "\n";
    out += next_hop + "\n";
    out += append + "\n";
    out += body + "\n";
    return out;
}

bool write_to_fifo(const std::string& path, std::string_view data) {
    int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENXIO) SER_ERR("tm: t_write_req: nobody listening on [{}] fifo for reading", path);
        else SER_ERR("tm: t_write_req: failed to open [{}] fifo: {}", path, strerror(errno));
        return false;
    }
    // A pipe takes up to 64 KiB at once; a request is far shorter.
    ssize_t n;
    while ((n = write(fd, data.data(), data.size())) < 0 && errno == EINTR) {
    }
    close(fd);
    if (n != ssize_t(data.size())) {
        SER_ERR("tm: t_write_req: write to [{}] failed: {}", path, n < 0 ? strerror(errno) : "short write");
        return false;
    }
    return true;
}

bool write_to_unix(const std::string& path, std::string_view data, int timeout_ms) {
    sockaddr_un a{};
    if (path.empty() || path.size() >= sizeof a.sun_path) {
        SER_ERR("tm: t_write_unix: bad socket name '{}'", path);
        return false;
    }
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path.data(), path.size());
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool ok = false;
    for (;;) {
        if (sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) >= 0) {
            ok = true;
            break;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLOUT, 0};
        if (errno == EINTR || (errno == EAGAIN && left.count() > 0 && poll(&p, 1, int(left.count())) >= 0)) continue;
        SER_ERR("tm: t_write_unix: sending to {}: {}", path, strerror(errno));
        break;
    }
    close(fd);
    return ok;
}

}  // namespace ser::mod::tm

namespace ser::mod::tm {

int Tm::t_write(sip::Msg& msg, const TwInfo& info, const std::string& dest, bool unix_socket) {
    Transaction* t = bound(msg);
    if (!t) {
        SER_ERR("tm: t_write_{}: no transaction (t_newtran() first)", unix_socket ? "unix" : "req");
        return -1;
    }
    std::string data = assemble_twrite(msg, *t, info);
    if (data.empty()) return -1;
    if (!(unix_socket ? write_to_unix(dest, data, unix_tx_timeout_s * 1000) : write_to_fifo(dest, data))) return -1;
    // The application answers with t_reply; fr_timer ends the wait with 408.
    std::lock_guard lk(t->mu);
    if (int(t->branches.size()) >= kMaxBranches) {
        SER_ERR("tm: maximum number of branches ({}) exceeded", kMaxBranches);
        return -1;
    }
    auto b = std::make_unique<Branch>();
    b->t = t;
    b->index = int(t->branches.size());
    b->retr_timer.fire = &Tm::on_retr;
    b->fr_timer.fire = &Tm::on_fr;
    b->cancel_timer.fire = &Tm::on_cancel_retr;
    b->retr_timer.owner = b->fr_timer.owner = b->cancel_timer.owner = b.get();
    b->blind = true;
    b->uri = std::string(msg.current_uri());
    arm(*t, b->fr_timer, uint64_t(fr_timer_s) * 1000);
    t->branches.push_back(std::move(b));
    return 1;
}

}  // namespace ser::mod::tm
