// To-tags of locally generated replies, as SER builds them (sl and tm,
// modules.md §2.2, §3.10): a constant MD5 part fixed at start-up and a
// CRC-16 over the request's top Via, so a retransmission and its ACK get
// the same tag.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "ser/socket.hpp"

namespace ser::sip { class Msg; }

namespace ser {

// Length of a complete tag: 32 hex + separator + 4 hex (SER's TOTAG_VALUE_LEN).
inline constexpr size_t kTagLen = 37;

// 32 lower-case hex digits of MD5(signature + address text + port text) of
// the first listen socket (SER's init_tags; "SER-stateless" for sl,
// "SER-TM/tags" for tm). UDP sockets come first, as SER's get_first_socket().
std::string tag_prefix(std::string_view signature, const std::vector<SocketInfo>& sockets);

// SER's crcitt_string_array: CRC-16 (poly 0x8408, init 0xFFFF, inverted)
// over the pieces, written as 4 hex digits, least significant nibble first.
std::string crc_suffix(std::initializer_list<std::string_view> pieces);

// prefix + separator + CRC over the top Via's host, port text and branch
// value. Empty when the request has no parsable top Via.
std::string make_tag(std::string_view prefix, char separator, const sip::Msg& req);

}  // namespace ser
