// R with -r: every packet received from one party on one channel is
// appended to "<dir>/<call-id>=<tag>.<o|a>.<rtp|rtcp>" (o = caller side,
// a = callee side) behind a header of source address, arrival time and
// length, the 2006 daemon's layout (spec rtpproxy-protocol §3.7). With a
// spool directory (-S) the file is written there and moved to the record
// directory when the session ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "rtpproxy/address.hpp"

namespace ser::rtpp {

class Recorder {
public:
    // nullptr if the file cannot be created. `side`: 1 caller, 0 callee.
    static std::unique_ptr<Recorder> open(const std::string& record_dir, const std::string& spool_dir,
                                          std::string_view call_id, std::string_view tag, int side, bool rtcp);
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    // `now`: seconds since the epoch. A write error stops the recording.
    void write(const SockAddr& source, const uint8_t* data, size_t len, double now);

    // "<call-id>=<tag>.<o|a>.<rtp|rtcp>" with '/' made '_' (a Call-ID must
    // not reach outside the directory).
    static std::string file_name(std::string_view call_id, std::string_view tag, int side, bool rtcp);

private:
    Recorder(int fd, std::string spool_path, std::string final_path);
    int fd_;
    std::string spool_path_;   // where it is written
    std::string final_path_;   // empty unless spooled
};

}  // namespace ser::rtpp
