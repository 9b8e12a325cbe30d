#include "repo/detail/gear.h"

#include <openssl/crypto.h>

#include <string>

#include "repo/detail/hkdf.h"

namespace ff::repo::detail {

GearTable plain_gear() {
  GearTable table{};
  uint64_t state = kPlainGearSeed;
  for (auto& word : table) {
    // SplitMix64 (Steele, Lea, Flood 2014): a full-period generator whose
    // outputs are well mixed, written out so the table is reproducible anywhere.
    state += 0x9e3779b97f4a7c15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    word = z ^ (z >> 31);
  }
  return table;
}

GearTable keyed_gear(const std::array<uint8_t, 32>& chunker_key) {
  std::string bytes = hkdf_sha256(
      std::string_view(reinterpret_cast<const char*>(chunker_key.data()), chunker_key.size()), {},
      "fortfail gear v1", 256 * 8);
  GearTable table{};
  for (size_t i = 0; i < table.size(); ++i) {
    uint64_t word = 0;
    for (size_t b = 0; b < 8; ++b) {
      word |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i * 8 + b])) << (8 * b);
    }
    table[i] = word;
  }
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return table;
}

}  // namespace ff::repo::detail
