#include "ser/tags.hpp"

#include "ser/text.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

#include "ser/sip/msg.hpp"

namespace ser {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// The reflected CCITT table SER uses (polynomial 0x8408), built at compile time.
constexpr std::array<uint16_t, 256> make_ccitt_table() {
    std::array<uint16_t, 256> t{};
    for (unsigned i = 0; i < 256; ++i) {
        uint16_t c = uint16_t(i);
        for (int k = 0; k < 8; ++k) c = (c & 1) ? uint16_t((c >> 1) ^ 0x8408) : uint16_t(c >> 1);
        t[i] = c;
    }
    return t;
}
constexpr auto kCcitt = make_ccitt_table();
static_assert(kCcitt[1] == 0x1189 && kCcitt[255] == 0x0F78, "table of SER's crc.c");


}  // namespace

std::string tag_prefix(std::string_view signature, const std::vector<SocketInfo>& sockets) {
    const SocketInfo* first = nullptr;
    for (const auto& s : sockets)
        if (s.proto == PROTO_UDP) {
            first = &s;
            break;
        }
    if (!first && !sockets.empty()) first = &sockets.front();

    // MDStringArray trims every piece before hashing.
    std::string_view pieces[3] = {signature, first ? trim_ws(first->address_text) : std::string_view(),
                                  first ? trim_ws(first->port_text) : std::string_view()};
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
    for (auto p : pieces) EVP_DigestUpdate(ctx, p.data(), p.size());
    EVP_DigestFinal_ex(ctx, digest, &dlen);
    EVP_MD_CTX_free(ctx);

    std::string out;
    out.reserve(32);
    for (unsigned i = 0; i < dlen; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xF];
    }
    return out;
}

std::string crc_suffix(std::initializer_list<std::string_view> pieces) {
    uint16_t crc = 0xFFFF;
    for (auto p : pieces)
        for (char c : p) crc = uint16_t(kCcitt[(crc ^ uint8_t(c)) & 0xFF] ^ (crc >> 8));
    crc = uint16_t(~crc);
    std::string out(4, '0');
    for (int i = 0; i < 4; ++i) out[size_t(i)] = kHex[(crc >> (4 * i)) & 0xF];
    return out;
}

std::string make_tag(std::string_view prefix, char separator, const sip::Msg& req) {
    const sip::ViaBody* v = req.via1();
    if (!v) return {};
    std::string tag;
    tag.reserve(kTagLen);
    tag.append(prefix);
    tag += separator;
    tag += crc_suffix({v->host_text(), v->port_text, v->branch ? *v->branch : std::string_view()});
    return tag;
}

}  // namespace ser
