#include "rtpproxy/recorder.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace ser::rtpp {

namespace {

// The 2006 daemon's struct pkt_hdr on a 64-bit Linux build: the source as
// a sockaddr_in/sockaddr_in6 union, the arrival time, the packet length.
struct PacketHeader {
    union {
        sockaddr_in in4;
        sockaddr_in6 in6;
    } addr;
    double time;
    unsigned short plen;
};

}  // namespace

std::string Recorder::file_name(std::string_view call_id, std::string_view tag, int side, bool rtcp) {
    std::string name;
    name.reserve(call_id.size() + tag.size() + 8);
    name.append(call_id);
    name.push_back('=');
    name.append(tag);
    for (char& c : name)
        if (c == '/') c = '_';
    if (!name.empty() && name[0] == '.') name[0] = '_';
    name += side == 1 ? ".o" : ".a";
    name += rtcp ? ".rtcp" : ".rtp";
    return name;
}

std::unique_ptr<Recorder> Recorder::open(const std::string& record_dir, const std::string& spool_dir,
                                         std::string_view call_id, std::string_view tag, int side, bool rtcp) {
    std::string name = file_name(call_id, tag, side, rtcp);
    std::string final_path = record_dir + "/" + name;
    std::string spool_path = spool_dir.empty() ? final_path : spool_dir + "/" + name;
    int fd = ::open(spool_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return nullptr;
    return std::unique_ptr<Recorder>(
        new Recorder(fd, std::move(spool_path), spool_dir.empty() ? std::string() : std::move(final_path)));
}

Recorder::Recorder(int fd, std::string spool_path, std::string final_path)
    : fd_(fd), spool_path_(std::move(spool_path)), final_path_(std::move(final_path)) {}

Recorder::~Recorder() {
    if (fd_ >= 0) close(fd_);
    if (!final_path_.empty()) std::rename(spool_path_.c_str(), final_path_.c_str());
}

void Recorder::write(const SockAddr& source, const uint8_t* data, size_t len, double now) {
    if (fd_ < 0) return;
    PacketHeader h;
    std::memset(&h, 0, sizeof h);
    if (source.family() == AF_INET) {
        h.addr.in4.sin_family = AF_INET;
        h.addr.in4.sin_port = source.in4().sin_port;
        h.addr.in4.sin_addr = source.in4().sin_addr;
    } else {
        h.addr.in6.sin6_family = AF_INET6;
        h.addr.in6.sin6_port = source.in6().sin6_port;
        h.addr.in6.sin6_addr = source.in6().sin6_addr;
    }
    h.time = now;
    h.plen = static_cast<unsigned short>(len);
    iovec v[2] = {{&h, sizeof h}, {const_cast<uint8_t*>(data), len}};
    if (writev(fd_, v, 2) < 0) {
        close(fd_);
        fd_ = -1;
    }
}

}  // namespace ser::rtpp
