// To-tags of stateless replies (modules.md §2.2 step 4): a constant MD5 part
// and a CRC-16 over the request's top Via, so a retransmission and its ACK
// give the same tag.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ser/socket.hpp"

namespace ser::sip { class Msg; }

namespace ser::mod::sl {

// Length of a complete tag: 32 hex + '.' + 4 hex (SER's TOTAG_VALUE_LEN).
inline constexpr size_t kTagLen = 37;

// 32 lower-case hex digits of MD5("SER-stateless" + address text + port
// text) of the first listen socket (SER's init_tags). UDP sockets come
// first, as SER's get_first_socket() looks at udp_listen first.
std::string tag_prefix(const std::vector<SocketInfo>& sockets);

// SER's crcitt_string_array: CRC-16 (poly 0x8408, init 0xFFFF, inverted)
// over the pieces, written as 4 hex digits, least significant nibble first.
std::string crc_suffix(std::initializer_list<std::string_view> pieces);

// prefix + "." + CRC over the top Via's host, port text and branch value.
// Empty when the request has no parsable top Via.
std::string make_tag(std::string_view prefix, const sip::Msg& req);

}  // namespace ser::mod::sl
