// Splitting a byte stream (TCP/TLS) into SIP messages by Content-Length
// (core-runtime §3.1), for the stream readers.
#pragma once

#include <cstddef>
#include <string_view>

namespace ser::sip {

enum class Framing {
    Complete,   // a whole message is at data[skip, skip + len)
    NeedMore,   // read more bytes and call again
    Invalid,    // unusable stream (bad Content-Length, oversize): close it
};

// Leading CRLFs (keep-alives) are counted in `skip`. The header section ends
// at the first empty line; the body length is the Content-Length (`l`)
// value, 0 when the header is missing.
Framing frame_stream_message(std::string_view data, size_t& skip, size_t& len);

}  // namespace ser::sip
