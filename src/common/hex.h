// Lowercase hex encoding and SHA-256 (OpenSSL EVP) helpers.
// Sha256 is a streaming hasher: not thread-safe, one per stream.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ff {

std::string to_hex(std::string_view bytes);
bool is_lower_hex(std::string_view s, size_t length);

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Raw 32-byte digest. REQUIRES: called once.
  std::string finish();
  std::string finish_hex() { return to_hex(finish()); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// Constant-time comparison (length leaks, contents do not).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace ff
