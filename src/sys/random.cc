#include "sys/random.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "common/hex.h"

namespace ff::sys {

std::string Random::unique_id(const std::string& prefix) { return prefix + to_hex(bytes(12)); }

namespace {
class SecureRandom final : public Random {
 public:
  std::string bytes(size_t n) override {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
      throw std::runtime_error("RAND_bytes failed");
    }
    return out;
  }
};
}  // namespace

Random& secure_random() {
  static SecureRandom r;
  return r;
}

}  // namespace ff::sys
