// RepositoryKey: the operator's secret for one FortFail repository. Agents
// holding the same key share one deduplication namespace and can restore each
// other's snapshots; the orchestrator and the bucket never see it.
//
// Every key used by the format is derived from the 32-byte master key with
// HKDF-SHA-256 (salt: none; info strings below), so one file is all an
// operator keeps. The key id is public: it names the repository namespace on
// the orchestrator and in snapshot metadata, and reveals nothing of the key.
//
// Key file (written by `fortfail key generate --out FILE`, mode 0600), JSON:
//   {"format":"fortfail-repository-key","version":1,"key_id":"<32 hex>",
//    "master_key":"<base64 of 32 bytes>","created_at":"<RFC 3339>"}
// See docs/repository-format.md "Key file".
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "sys/random.h"

namespace ff::repo {

using Key256 = std::array<uint8_t, 32>;

struct RepositoryKey {
  Key256 master{};
  Key256 id_key{};       // HKDF(master, "fortfail chunk-id v1"): HMAC key of chunk ids
  Key256 enc_key{};      // HKDF(master, "fortfail encrypt v1"): AES-256-GCM key
  Key256 chunker_key{};  // HKDF(master, "fortfail chunker v1"): seeds the gear table
  std::string key_id;    // 32 lowercase hex: first 16 bytes of HKDF(master, "fortfail key-id v1")
};

// Derives every subkey and the key id from a master key.
RepositoryKey derive_key(const Key256& master);
// A new key from 32 random bytes.
RepositoryKey generate_key(sys::Random& random);

// The key file's text (one JSON object and a newline).
std::string encode_key_file(const RepositoryKey& key, SystemTime created_at);
// kInvalidArgument naming what is wrong (never echoing key material); also when
// key_id does not match the master key (a damaged or edited file).
Result<RepositoryKey> parse_key_file(std::string_view text);
// Reads and parses; the error names the path. Files readable by group or others
// are refused (kPermissionDenied) unless `allow_insecure_mode`.
Result<RepositoryKey> load_key_file(const std::string& path, bool allow_insecure_mode = false);
// Creates `path` with O_CREAT|O_EXCL and mode 0600, writes, fsyncs. kConflict
// when the file exists (a key is never overwritten).
Status write_key_file(const std::string& path, const RepositoryKey& key, SystemTime created_at);

}  // namespace ff::repo
