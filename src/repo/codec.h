// Codec: how one blob (a chunk of file data, or an encoded tree) becomes the
// bytes stored in a pack, and back. One concept with two kinds:
//  - keyed (a RepositoryKey): id = HMAC-SHA-256(id_key, plaintext); stored =
//    nonce(12) || AES-256-GCM(enc_key, nonce, aad = "FFB1" || type || id)(body) || tag(16)
//  - plain (no key): id = SHA-256(plaintext); stored = body
// where body = compression byte (0 none, 1 zstd) || payload. Compression is
// skipped when it does not save at least 1/32 of the bytes.
//
// open() checks everything before returning a byte: the tag (keyed), the
// decompressed length bound, and that the plaintext's id equals the expected
// id. Any mismatch is kDataLoss with a message naming the blob id.
//
// Thread-safety: a Codec is immutable after construction; use from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "repo/key.h"
#include "sys/random.h"

namespace ff::repo {

using BlobId = std::array<uint8_t, 32>;

enum class BlobType : uint8_t { kData = 1, kTree = 2 };

std::string blob_id_hex(const BlobId& id);
// 64 lowercase hex characters; kInvalidArgument otherwise.
Result<BlobId> parse_blob_id(std::string_view hex);

class Codec {
 public:
  // No key: deduplicated and compressed, not encrypted.
  static Codec plain();
  static Codec keyed(const RepositoryKey& key);

  bool encrypted() const { return key_.has_value(); }
  // The key id, or "" for plain.
  const std::string& key_id() const;

  BlobId id_of(std::string_view plaintext) const;
  // Compresses (zstd at `zstd_level`) and, when keyed, encrypts with a fresh
  // random nonce from `random`.
  std::string seal(BlobType type, const BlobId& id, std::string_view plaintext, int zstd_level,
                   sys::Random& random) const;
  // The plaintext of a sealed blob; kDataLoss when anything does not check out
  // (including a plaintext larger than `max_plaintext`).
  Result<std::string> open(BlobType type, const BlobId& id, std::string_view sealed,
                           size_t max_plaintext) const;

  // The chunker's gear table: keyed tables (HKDF chunker_key) hide chunk
  // boundaries from the bucket; plain uses a fixed table.
  const std::array<uint64_t, 256>& gear() const { return gear_; }

  // Seals/opens a pack header (see pack.h) the same way, with aad "FFH1".
  std::string seal_header(std::string_view plaintext, sys::Random& random) const;
  Result<std::string> open_header(std::string_view sealed, size_t max_plaintext) const;

 private:
  Codec() = default;
  std::optional<RepositoryKey> key_;
  std::array<uint64_t, 256> gear_{};
};

}  // namespace ff::repo
