// HKDF-SHA-256 (RFC 5869) on OpenSSL 3's EVP_KDF, the one derivation the
// repository format uses for subkeys, the key id and keyed gear tables.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ff::repo::detail {

// `length` bytes of HKDF-SHA-256(ikm, salt, info); an empty salt means none
// (RFC 5869: a string of HashLen zeros). REQUIRES: length <= 255 * 32.
// OpenSSL fails here only when it cannot allocate: that is reported as
// std::bad_alloc, like every other allocation failure.
std::string hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                        size_t length);

}  // namespace ff::repo::detail
