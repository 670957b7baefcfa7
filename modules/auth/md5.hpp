// MD5 as lower-case hex (RFC 2617 hashes and nonces), from OpenSSL's
// libcrypto. Header-only: auth and auth_db both use it.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace ser::mod::auth {

inline constexpr size_t kMd5HexLen = 32;

// MD5 fetched once: OpenSSL 3 otherwise looks the algorithm up at every
// digest (a third of the cost of hashing a short string). Immutable after
// construction, so worker threads share it.
class Md5Method {
public:
    Md5Method() : md_(EVP_MD_fetch(nullptr, "MD5", nullptr)) {}
    ~Md5Method() { EVP_MD_free(md_); }
    Md5Method(const Md5Method&) = delete;
    Md5Method& operator=(const Md5Method&) = delete;
    const EVP_MD* get() const { return md_ ? md_ : EVP_md5(); }

private:
    EVP_MD* md_;
};

// One digest context per thread, reused for every hash: allocating and
// freeing a context per hash costs about as much as hashing a short string.
// A thread never hashes two things at once, so nothing else shares it.
inline EVP_MD_CTX* thread_digest_ctx() {
    struct Holder {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~Holder() { EVP_MD_CTX_free(ctx); }
    };
    thread_local Holder h;
    return h.ctx;
}

// Writes the MD5 of the concatenated `pieces` as 32 lower-case hex digits
// to out[0..32). False only if libcrypto fails (no MD5 provider).
inline bool md5_hex(std::initializer_list<std::string_view> pieces, char* out, const EVP_MD* md5 = nullptr) {
    static constexpr char kHex[] = "0123456789abcdef";
    EVP_MD_CTX* ctx = thread_digest_ctx();
    if (!ctx) return false;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    bool ok = EVP_DigestInit_ex2(ctx, md5 ? md5 : EVP_md5(), nullptr) == 1;
    for (std::string_view p : pieces)
        if (ok && !p.empty()) ok = EVP_DigestUpdate(ctx, p.data(), p.size()) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 16;
    if (!ok) return false;
    for (unsigned i = 0; i < 16; ++i) {
        out[2 * i] = kHex[md[i] >> 4];
        out[2 * i + 1] = kHex[md[i] & 0xf];
    }
    return true;
}

inline std::string md5_hex(std::initializer_list<std::string_view> pieces, const EVP_MD* md5 = nullptr) {
    std::string s(kMd5HexLen, '0');
    if (!md5_hex(pieces, s.data(), md5)) s.clear();
    return s;
}

}  // namespace ser::mod::auth
