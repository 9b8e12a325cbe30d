// BlobStore: where snapshot bytes live. Implementations: local/ (files under
// ORCH_DATA_DIR, the embedded default), s3/ (any S3-compatible server, SigV4),
// memory/ (tests). Keys are "snapshots/<snapshot id>" (on S3, S3_KEY_PREFIX
// replaces "snapshots/") and "packs/<pack id>" (ids are validated, so keys
// need no escaping beyond SigV4's).
//
// Guarantees: an object is visible under its key only after commit() returned
// ok, and then whole; a writer destroyed or aborted before commit leaves
// nothing visible (S3 multipart uploads are aborted, temp files removed).
// Not guaranteed: that two writers of one key are serialized (the orchestrator
// prevents that through the snapshot's status).
//
// Errors are classified so wrappers stay generic: kNotFound (no such object),
// kUnavailable (transient: connection refused, timeout, 5xx; safe to retry),
// kInternal / kInvalidArgument (permanent).
//
// Thread-safety: a BlobStore is safe to use from many threads; each Writer and
// Reader from one thread at a time. Calls block: never on an I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ff::blob {

class Writer {
 public:
  virtual ~Writer() = default;  // aborts when not committed
  // Appends `chunk`. After a failure the writer is dead: later calls return
  // the same error and nothing becomes visible.
  virtual Status write(std::string_view chunk) = 0;
  // Publishes the object. REQUIRES: every byte written.
  virtual Status commit() = 0;
  // Discards what was written. Safe to call more than once.
  virtual void abort() = 0;
};

class Reader {
 public:
  virtual ~Reader() = default;
  // Reads up to `n` bytes into `buf`; returns 0 at the end of the range.
  virtual Result<size_t> read(char* buf, size_t n) = 0;
};

struct ObjectInfo {
  uint64_t size = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // "local", "s3" or "memory".
  virtual std::string kind() const = 0;
  // Prepares the store (creates the bucket or directory if missing).
  virtual Status ensure_ready() = 0;
  // Cheap reachability check for readiness.
  virtual Status ping() = 0;

  // `expected_size` lets implementations pick single PUT vs multipart (0 when
  // unknown). It is binding only for an S3 store with streaming PUTs enabled
  // (S3Config::stream_put_max_size): there commit() fails with kIntegrity
  // unless exactly that many bytes were written.
  virtual Result<std::unique_ptr<Writer>> create(const std::string& key,
                                                 uint64_t expected_size) = 0;
  // create() for an object whose SHA-256 (64 lowercase hex) the caller knows
  // up front. Stores that can make the server check it do: S3 signs it into a
  // streaming PUT, so AWS S3 and MinIO refuse different bytes instead of
  // storing them. The caller still checks the hash itself.
  virtual Result<std::unique_ptr<Writer>> create_checked(const std::string& key,
                                                         uint64_t expected_size,
                                                         const std::string& sha256_hex) {
    (void)sha256_hex;
    return create(key, expected_size);
  }
  // Reads [offset, offset + length) (to the end when length is nullopt); a
  // range running past the end is cut at the end. kNotFound when absent,
  // kOutOfRange when offset > size (offset == size gives an empty reader).
  virtual Result<std::unique_ptr<Reader>> open(const std::string& key, uint64_t offset,
                                               std::optional<uint64_t> length) = 0;
  virtual Result<ObjectInfo> stat(const std::string& key) = 0;  // kNotFound when absent
  // Ok when the object is absent.
  virtual Status remove(const std::string& key) = 0;
  // A presigned PUT URL valid for `expires`, or nullopt for stores without one.
  virtual Result<std::optional<std::string>> presign_put(const std::string& key,
                                                         std::chrono::seconds expires) = 0;
};

}  // namespace ff::blob
