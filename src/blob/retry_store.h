// RetryStore: a BlobStore wrapper that retries transient failures
// (kUnavailable) of idempotent operations with exponential backoff:
// ensure_ready, stat, remove, presign_put, open, and reads of an open Reader
// (which resume at the byte where they broke off, with the rest of the
// requested range). Writers are not retried (their bytes are gone once
// written); create() is, since it has written nothing yet. ping() passes
// straight through: readiness wants the current truth, fast. Composed once,
// in src/orchestrator.
//
// Note that the S3 store already retries each HTTP request; wrap it only with
// a small policy, or not at all.
//
// Thread-safety: as the wrapped store; the policy is immutable.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "blob/blob_store.h"

namespace ff::blob {

struct RetryPolicy {
  int max_retries = 3;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{2000};
  // How to wait; tests pass one that records the delays instead of sleeping.
  std::function<void(std::chrono::milliseconds)> sleep;  // empty: this_thread::sleep_for
};

class RetryStore final : public BlobStore {
 public:
  RetryStore(std::unique_ptr<BlobStore> inner, RetryPolicy policy);

  std::string kind() const override { return inner_->kind(); }
  Status ensure_ready() override;
  Status ping() override;
  Result<std::unique_ptr<Writer>> create(const std::string& key, uint64_t expected_size) override;
  Result<std::unique_ptr<Writer>> create_checked(const std::string& key, uint64_t expected_size,
                                                 const std::string& sha256_hex) override;
  Result<std::unique_ptr<Reader>> open(const std::string& key, uint64_t offset,
                                       std::optional<uint64_t> length) override;
  Result<ObjectInfo> stat(const std::string& key) override;
  Status remove(const std::string& key) override;
  Result<std::optional<std::string>> presign_put(const std::string& key,
                                                 std::chrono::seconds expires) override;

  // Sleeps before retry number `attempt` (1-based).
  void wait(int attempt) const;
  int max_retries() const { return policy_.max_retries; }

 private:
  // Runs `op` until it succeeds, fails with another code than kUnavailable,
  // or the retries are spent.
  template <typename T, typename Op>
  T run(Op op) const;

  std::unique_ptr<BlobStore> inner_;
  const RetryPolicy policy_;
};

}  // namespace ff::blob
