// Nonces that carry their own expiry (modules.md §8.4): 8 lower-case hex
// digits of the expiry time (UNIX seconds) followed by the MD5 of those 8
// characters and the secret. No server state: any server with the same
// secret can check them, and they stop working when the secret changes.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace ser::mod::auth {

inline constexpr size_t kNonceLen = 40;

// The nonce expiring at `expires` (SER's calc_nonce). Empty on a libcrypto failure.
std::string make_nonce(uint32_t expires, std::string_view secret, const EVP_MD* md5 = nullptr);

// The expiry a nonce claims: its first 8 characters as hex (upper-case
// digits accepted); 0 when one is not a hex digit (SER's hex2integer).
uint32_t nonce_expires(std::string_view nonce);

// SER's check_nonce: the nonce has 40 characters and equals the nonce made
// from its own expiry with `secret`.
bool nonce_valid(std::string_view nonce, std::string_view secret, const EVP_MD* md5 = nullptr);

// The expiry lies in the past (SER's is_nonce_stale).
inline bool nonce_stale(std::string_view nonce, time_t now) { return time_t(nonce_expires(nonce)) < now; }

}  // namespace ser::mod::auth
