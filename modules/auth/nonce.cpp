#include "modules/auth/nonce.hpp"

#include "modules/auth/md5.hpp"

namespace ser::mod::auth {

std::string make_nonce(uint32_t expires, std::string_view secret, const EVP_MD* md5) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string n(kNonceLen, '0');
    for (int i = 0; i < 8; ++i) n[size_t(i)] = kHex[(expires >> (28 - 4 * i)) & 0xf];
    if (!md5_hex({std::string_view(n.data(), 8), secret}, n.data() + 8, md5)) return {};
    return n;
}

uint32_t nonce_expires(std::string_view nonce) {
    if (nonce.size() < 8) return 0;
    uint32_t v = 0;
    for (size_t i = 0; i < 8; ++i) {
        char c = nonce[i];
        uint32_t d;
        if (c >= '0' && c <= '9') d = uint32_t(c - '0');
        else if (c >= 'a' && c <= 'f') d = uint32_t(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = uint32_t(c - 'A' + 10);
        else return 0;
        v = v * 16 + d;
    }
    return v;
}

bool nonce_valid(std::string_view nonce, std::string_view secret, const EVP_MD* md5) {
    if (nonce.size() != kNonceLen) return false;
    std::string expected = make_nonce(nonce_expires(nonce), secret, md5);
    return !expected.empty() && expected == nonce;
}

}  // namespace ser::mod::auth
