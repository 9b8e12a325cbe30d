// The chunker's gear tables (256 pseudo-random 64-bit words, one per byte
// value). docs/repository-format.md "Chunker" specifies both generators.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>

namespace ff::repo::detail {

using GearTable = std::array<uint64_t, 256>;

// Without a key: SplitMix64 from the fixed seed kPlainGearSeed, word i = the
// (i+1)-th output. Fixed forever: changing it re-chunks every repository.
inline constexpr uint64_t kPlainGearSeed = 0x4646474541523031ull;  // "FFGEAR01"
GearTable plain_gear();
// With a key: HKDF-SHA-256(chunker_key, no salt, "fortfail gear v1", 2048
// bytes), word i = bytes [8i, 8i+8) little endian.
GearTable keyed_gear(const std::array<uint8_t, 32>& chunker_key);

}  // namespace ff::repo::detail
