// S3Store: the BlobStore on an S3-compatible server, spoken to directly over
// libcurl with hand-written SigV4 (s3/sigv4.h). Path-style addressing:
// <endpoint>/<bucket>/<key>.
//
//  - ensure_ready: HEAD bucket, PUT bucket when missing (already owned is
//    fine), then aborts multipart uploads older than abort_uploads_older_than
//    (orphans of a crash; skipped where the server cannot list them).
//  - ping: one HEAD bucket, no retries (readiness wants a quick answer).
//  - create: a streaming writer, one PUT or a multipart upload (s3_writer.h).
//  - open: a streaming ranged GET (s3_reader.h); stat: HEAD; remove: DELETE
//    (absent is ok); presign_put: a SigV4 query-signed PUT URL.
// Idempotent requests are retried with backoff on transient failures
// (S3Config::max_retries). Connections are pooled and reused.
//
// Not guaranteed: on servers without AbortMultipartUpload (s3rver) aborted
// uploads leave their parts on the server (logged).
//
// Thread-safety: safe from many threads; each Writer and Reader from one
// thread at a time. Writers and Readers must not outlive the store.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "blob/s3/s3_config.h"
#include "common/time.h"
#include "sys/clock.h"

namespace ff::blob {

namespace detail {
class S3Client;
}

struct MultipartUploadInfo {
  std::string key;
  std::string upload_id;
  SystemTime initiated;
};

class S3Store final : public BlobStore {
 public:
  // kInvalidArgument for a malformed endpoint, an empty bucket or credentials.
  // `clock` (signing time) must outlive the store.
  static Result<std::unique_ptr<S3Store>> create_store(const S3Config& config,
                                                       const sys::Clock& clock);
  ~S3Store() override;

  std::string kind() const override { return "s3"; }
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

  // ListMultipartUploads (first 1000) under `prefix`. kInternal naming
  // NotImplemented on servers without it (s3rver).
  Result<std::vector<MultipartUploadInfo>> list_multipart_uploads(const std::string& prefix);
  // AbortMultipartUpload; kNotFound when the upload is gone.
  Status abort_multipart_upload(const std::string& key, const std::string& upload_id);

 private:
  explicit S3Store(std::unique_ptr<detail::S3Client> client);
  Status create_bucket();
  void abort_stale_uploads();

  std::unique_ptr<detail::S3Client> client_;
};

}  // namespace ff::blob
