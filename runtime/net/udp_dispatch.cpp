#include "runtime/net/udp_dispatch.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>

#include "ser/log.hpp"
#include "ser/text.hpp"

namespace ser::rt {

uint32_t call_id_hash(std::string_view d) {
    // Header lines start after a LF; the Call-ID ("Call-ID" / "i") is
    // matched case-insensitively up to the colon.
    size_t pos = d.find('\n');
    while (pos != std::string_view::npos && pos + 1 < d.size()) {
        const size_t line = pos + 1;
        if (d[line] == '\r' || d[line] == '\n') return 0;   // end of headers
        const char c0 = ascii_lower(d[line]);
        if (c0 == 'c' || c0 == 'i') {
            size_t p = line;
            if (c0 == 'c' && d.size() - line > 7 && iequals(d.substr(line, 7), "call-id")) p += 7;
            else if (c0 == 'i') p += 1;
            else p = std::string_view::npos;
            if (p != std::string_view::npos) {
                while (p < d.size() && (d[p] == ' ' || d[p] == '\t')) ++p;
                if (p < d.size() && d[p] == ':') {
                    ++p;
                    while (p < d.size() && (d[p] == ' ' || d[p] == '\t')) ++p;
                    uint32_t h = 2166136261u;
                    while (p < d.size() && d[p] != '\r' && d[p] != '\n' && d[p] != ' ' && d[p] != '\t')
                        h = (h ^ uint8_t(d[p++])) * 16777619u;
                    return h ? h : 1;   // never 0 (0 means "no Call-ID")
                }
            }
        }
        pos = d.find('\n', line);
    }
    return 0;
}

UdpInbox::UdpInbox(size_t worker) : worker_(worker) { efd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

UdpInbox::~UdpInbox() {
    if (efd_ >= 0) ::close(efd_);
}

bool UdpInbox::push(const char* data, size_t len, const sip::RecvInfo& rcv, UdpInbox& origin) {
    UdpItem it;
    it.origin = &origin;
    it.buf.reset(new char[len + 1]);
    std::memcpy(it.buf.get(), data, len);
    it.buf[len] = '\0';
    it.len = len;
    it.rcv = rcv;
    bool queued = false, log_drop = false;
    {
        std::lock_guard lk(mu_);
        queued = items_.size() < kMaxQueued;
        if (queued) {
            origin.in_flight_.fetch_add(1, std::memory_order_relaxed);
            items_.push_back(std::move(it));
        } else {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            const auto now = std::chrono::steady_clock::now();
            log_drop = now - last_drop_log_ >= std::chrono::seconds(1);
            if (log_drop) last_drop_log_ = now;
        }
    }
    if (!queued) {
        if (log_drop)
            SER_WARN("UDP worker {} is overloaded: its queue holds {} datagrams, dropping", worker_, kMaxQueued);
        return false;
    }
    if (sleeping_.load(std::memory_order_seq_cst)) wake();
    return true;
}

void UdpInbox::wake() {
    uint64_t one = 1;
    ssize_t ignored = ::write(efd_, &one, sizeof one);
    (void)ignored;
}

void UdpInbox::take(std::vector<UdpItem>& out) {
    out.clear();
    std::lock_guard lk(mu_);
    out.swap(items_);
}

size_t UdpInbox::size() {
    std::lock_guard lk(mu_);
    return items_.size();
}

bool UdpInbox::empty() {
    std::lock_guard lk(mu_);
    return items_.empty();
}

}  // namespace ser::rt
