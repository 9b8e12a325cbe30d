// Random: unique ids and token ids. The real one reads the OpenSSL CSPRNG;
// tests may inject a seeded one.
//
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <string>

namespace ff::sys {

class Random {
 public:
  virtual ~Random() = default;
  // `n` random bytes.
  virtual std::string bytes(size_t n) = 0;
  // A fresh unique identifier: `prefix` + 24 lowercase hex characters (96 bits).
  std::string unique_id(const std::string& prefix);
};

Random& secure_random();

}  // namespace ff::sys
