// Factories for the BlobStore implementations: the only names src/orchestrator
// needs. Each returns a store that is not yet ready: call ensure_ready() at
// start-up (creates the bucket or directories, sweeps crash leftovers).
//
// Thread-safety: the factories are safe from any thread.
#pragma once

#include <memory>
#include <string>

#include "blob/blob_store.h"
#include "blob/local/local_store.h"
#include "blob/retry_store.h"
#include "blob/s3/s3_config.h"
#include "sys/clock.h"

namespace ff::blob {

// The S3 store; kInvalidArgument for an unusable config (endpoint, bucket
// name, credentials, part size). `clock` dates the signatures and must
// outlive the store.
Result<std::unique_ptr<BlobStore>> make_s3_store(const S3Config& config,
                                                 const sys::Clock& clock = sys::system_clock());

// The embedded store rooted at `root_dir` (ORCH_DATA_DIR/objects). No I/O
// happens before ensure_ready(). kInvalidArgument for an empty path.
Result<std::unique_ptr<BlobStore>> make_local_store(const std::string& root_dir,
                                                    LocalStoreOptions options = {});

// An in-memory store for tests (see memory/memory_store.h for its test hooks).
std::unique_ptr<BlobStore> make_memory_store();

// Wraps `inner` with retries of transient failures (retry_store.h).
std::unique_ptr<BlobStore> make_retry_store(std::unique_ptr<BlobStore> inner,
                                            RetryPolicy policy = {});

}  // namespace ff::blob
