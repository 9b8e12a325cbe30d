// S3Config: how to reach an S3-compatible server (AWS S3, MinIO, Ceph,
// s3rver). Filled by src/config from S3_ENDPOINT, S3_ACCESS_KEY,
// S3_SECRET_KEY, S3_BUCKET, S3_REGION; the rest are tuning knobs with
// production defaults that tests shrink.
//
// Thread-safety: a plain value.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ff::blob {

enum class PayloadSigning {
  kAuto,    // hash bodies over http; UNSIGNED-PAYLOAD over https (TLS protects them)
  kAlways,  // always send the body's SHA-256 (costs one hash pass per part)
  kNever,   // always UNSIGNED-PAYLOAD
};

struct S3Config {
  // "http(s)://host[:port][/base-path]"; buckets are addressed path-style.
  std::string endpoint;
  std::string access_key;
  std::string secret_key;
  std::string bucket;
  std::string region = "us-east-1";
  // Endpoint written into presigned URLs when clients reach the server under
  // another name than the orchestrator does (e.g. a public host). Empty: `endpoint`.
  std::string public_endpoint;

  // Objects up to part_size bytes go up in one PUT; larger ones use multipart
  // upload with parts of this size. Real S3 needs >= 5 MiB (all but the last
  // part); s3rver and tests may use less. A writer buffers at most one part.
  uint64_t part_size = 8ull << 20;
  // An object whose expected_size (given to create()) is above part_size and
  // at most this goes up as ONE streaming PUT instead of a multipart upload:
  // no buffering at all and one copy on the server (completing a multipart
  // upload copies the whole object again on s3rver and some gateways), but
  // the PUT cannot be retried (the client retries the upload) and the writer
  // must receive exactly expected_size bytes (else kIntegrity). The body is
  // signed with its SHA-256 when the caller knows it (create_checked), so
  // AWS S3 and MinIO refuse other bytes. A PUT cut short leaves nothing on
  // AWS S3; s3rver keeps the truncated bytes, which the writer then deletes
  // (and which verification leaves pending if a crash prevented that).
  // AWS caps single PUTs at 5 GiB, so larger objects always use multipart.
  // Zero: always multipart above part_size.
  uint64_t stream_put_max_size = 5ull << 30;

  std::chrono::milliseconds connect_timeout{5000};
  // A transfer that moves no byte for this long fails (kUnavailable). Only
  // time spent waiting inside a call counts, so a slow consumer of a Reader
  // does not trip it.
  std::chrono::milliseconds io_timeout{30000};
  // Same, for CompleteMultipartUpload, which may legitimately think for long.
  std::chrono::milliseconds complete_timeout{600000};

  // Retries of one request after a transient failure (connection error,
  // timeout, 5xx, throttling), with exponential backoff and full jitter.
  int max_retries = 4;
  std::chrono::milliseconds retry_base_delay{100};
  std::chrono::milliseconds retry_max_delay{5000};

  PayloadSigning payload_signing = PayloadSigning::kAuto;
  // Idle connections kept for reuse.
  size_t max_idle_connections = 16;
  // ensure_ready() aborts multipart uploads in the bucket started longer ago
  // than this (orphans of a crash). Zero disables the sweep; do that when the
  // bucket is shared with other writers.
  std::chrono::seconds abort_uploads_older_than{24 * 3600};
  // Optional CA bundle for https endpoints (PEM); empty: the system's.
  std::string ca_file;
};

}  // namespace ff::blob
