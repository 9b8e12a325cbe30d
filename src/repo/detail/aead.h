// AES-256-GCM with a 12-byte nonce and a 16-byte tag (OpenSSL EVP): the only
// cipher of the repository format.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ff::repo::detail {

inline constexpr size_t kNonceBytes = 12;
inline constexpr size_t kTagBytes = 16;

// nonce || ciphertext || tag. REQUIRES: nonce.size() == kNonceBytes.
std::string aes_gcm_seal(const std::array<uint8_t, 32>& key, std::string_view nonce,
                         std::string_view aad, std::string_view plaintext);
// The plaintext of nonce || ciphertext || tag, or nullopt when it is too short
// or the tag does not verify (wrong key, wrong aad, any changed byte).
std::optional<std::string> aes_gcm_open(const std::array<uint8_t, 32>& key, std::string_view aad,
                                        std::string_view sealed);

}  // namespace ff::repo::detail
