// LocalStore: the embedded object store, plain files under one root directory
// (ORCH_DATA_DIR/objects). Used when no S3 endpoint is configured.
//
// Layout: the object "snapshots/s1" is the file <root>/snapshots/s1; writers
// stage bytes in <root>/.tmp/<random> and publish with rename(2), so a crash
// never leaves a partial object under a real name:
//   write (large buffers) -> fdatasync -> close -> rename -> fsync(parent dir).
// A scope guard unlinks the temp file on abort, failure or destruction, and
// ensure_ready() removes temp files left by a crash.
//
// Keys are '/'-separated; each segment must be non-empty, must not start with
// '.' (so "..", "." and the ".tmp" area are unreachable) and must not hold
// control characters or '\'. Absolute keys are rejected (kInvalidArgument).
//
// Not guaranteed: that two writers of one key are serialized (last rename
// wins); that the store is shared safely by two processes.
//
// Error messages name the key, never the host path (which goes to the log).
// ENOSPC/EDQUOT and similar resource shortages are kUnavailable; other I/O
// errors kInternal.
//
// Thread-safety: safe from many threads; each Writer and Reader from one thread
// at a time. Writers and Readers must not outlive the store.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "blob/blob_store.h"

namespace ff::blob {

struct LocalStoreOptions {
  // Bytes gathered before one write(2); chunks at least this large skip the copy.
  size_t write_buffer_size = 1 << 20;
  // Written bytes after which the kernel is asked to start writeback
  // (sync_file_range), so the fdatasync at commit has little left to do.
  uint64_t writeback_interval = 32ull << 20;
};

class LocalStore final : public BlobStore {
 public:
  explicit LocalStore(std::string root, LocalStoreOptions options = {});

  std::string kind() const override { return "local"; }
  // Creates the root and temp directories; removes temp files that no live
  // writer of this store owns (leftovers from a crash).
  Status ensure_ready() override;
  Status ping() override;
  Result<std::unique_ptr<Writer>> create(const std::string& key, uint64_t expected_size) override;
  Result<std::unique_ptr<Reader>> open(const std::string& key, uint64_t offset,
                                       std::optional<uint64_t> length) override;
  Result<ObjectInfo> stat(const std::string& key) override;
  Status remove(const std::string& key) override;
  // Always nullopt: clients upload through the orchestrator.
  Result<std::optional<std::string>> presign_put(const std::string& key,
                                                 std::chrono::seconds expires) override;

  const std::string& root() const { return root_; }

 private:
  friend class LocalWriter;
  // The file path for `key`; kInvalidArgument for keys that could escape the root.
  Result<std::string> path_for(const std::string& key) const;
  void forget_temp(const std::string& name);

  const std::string root_;
  const std::string tmp_dir_;
  const LocalStoreOptions options_;
  std::mutex mu_;
  std::set<std::string> live_temps_;  // guarded by mu_: temp names of open writers
};

}  // namespace ff::blob
