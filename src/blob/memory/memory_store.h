// MemoryStore: a BlobStore kept in process memory, for unit tests of the
// layers above (api, core) and of the store wrappers. Objects are immutable
// shared strings, so a Reader keeps reading the bytes it opened even if the key
// is overwritten or removed meanwhile.
//
// Test hooks: set_unavailable_for_testing() makes every call fail with
// kUnavailable, as an unreachable S3 would, so 503 paths and retry wrappers can
// be exercised without sockets.
//
// Thread-safety: the store is safe from many threads; each Writer and Reader
// from one thread at a time.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "blob/blob_store.h"

namespace ff::blob {

class MemoryStore final : public BlobStore {
 public:
  MemoryStore() = default;

  std::string kind() const override { return "memory"; }
  Status ensure_ready() override;
  Status ping() override;
  Result<std::unique_ptr<Writer>> create(const std::string& key, uint64_t expected_size) override;
  Result<std::unique_ptr<Reader>> open(const std::string& key, uint64_t offset,
                                       std::optional<uint64_t> length) override;
  Result<ObjectInfo> stat(const std::string& key) override;
  Status remove(const std::string& key) override;
  Result<std::optional<std::string>> presign_put(const std::string& key,
                                                 std::chrono::seconds expires) override;

  // While true, every operation (including writes and reads of open objects)
  // fails with kUnavailable.
  void set_unavailable_for_testing(bool unavailable) { unavailable_ = unavailable; }
  // Number of committed objects.
  size_t size_for_testing() const;

 private:
  friend class MemoryWriter;
  friend class MemoryReader;
  Status check_available() const;
  void publish(const std::string& key, std::shared_ptr<const std::string> bytes);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const std::string>> objects_;  // guarded by mu_
  std::atomic<bool> unavailable_{false};
};

}  // namespace ff::blob
