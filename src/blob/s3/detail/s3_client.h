// S3Client: signs and sends single S3 operations for the store, its writers
// and readers. It knows S3's wire rules (path-style URLs, SigV4 headers,
// error documents) but nothing of objects' lifecycles.
//
// Classification of answers, in one place:
//   2xx -> ok;  404 -> kNotFound (NoSuchBucket -> kUnavailable: the store is
//   misconfigured or gone, not the object);  416 -> kOutOfRange;
//   5xx, 429, 400 RequestTimeout -> kUnavailable (retried);  transport
//   failures -> kUnavailable (retried);  any other 4xx -> kInternal.
// Messages name the operation, key, HTTP status and S3 error code, never the
// secret key or a signature.
//
// Thread-safety: safe from many threads (the connection pool is shared).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "blob/s3/detail/connection.h"
#include "blob/s3/detail/transfer.h"
#include "blob/s3/s3_config.h"
#include "blob/s3/sigv4.h"
#include "common/status.h"
#include "sys/clock.h"

namespace ff::blob::detail {

struct Endpoint {
  std::string scheme;     // "http" or "https"
  std::string host;       // Host header: "host" or "host:port" (default ports dropped)
  std::string base_path;  // "" or "/prefix" (no trailing '/')
};

// Parses "http(s)://host[:port][/base]"; kInvalidArgument otherwise.
Result<Endpoint> parse_endpoint(std::string_view url);

// One S3 operation.
struct S3Request {
  const char* op = "";  // "PutObject": names the operation in errors and logs
  std::string method;
  std::string key;  // empty for bucket-level operations
  sigv4::Pairs query;
  sigv4::Pairs headers;  // extra headers, signed ("range", "if-match", ...)
  std::string_view body;
  bool stream_response = false;
  std::chrono::milliseconds stall_timeout{0};  // 0: the config's io_timeout
};

struct S3Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

class S3Client {
 public:
  S3Client(S3Config config, Endpoint endpoint, const sys::Clock& clock);

  const S3Config& config() const { return config_; }
  const sys::Clock& clock() const { return clock_; }

  // Starts one attempt and waits for the response headers. Transport errors
  // come back as Status; HTTP errors as the Transfer's status().
  Result<std::unique_ptr<Transfer>> start(const S3Request& request);

  // Starts a request whose body of `size` bytes the caller streams with
  // Transfer::write_body(); nothing is sent yet. `payload_hash` is the body's
  // SHA-256 in hex when known (the server then refuses other bytes), else
  // UNSIGNED-PAYLOAD.
  Result<std::unique_ptr<Transfer>> start_upload(const S3Request& request, uint64_t size,
                                                 std::string payload_hash);

  // One buffered attempt: the whole exchange, classified.
  Result<S3Response> call_once(const S3Request& request);
  // call_once with retries and backoff while the failure is kUnavailable.
  // Only for idempotent requests or bodies kept in memory.
  Result<S3Response> call(const S3Request& request);

  // The Status for a finished non-2xx response (see the table above).
  Status classify(const S3Request& request, long http_status, std::string_view body) const;

  // Sleeps before retry number `attempt` (1-based): a random delay in
  // [d/2, d] with d = min(max_delay, base * 2^(attempt-1)).
  void backoff(int attempt) const;

  Result<sigv4::PresignedUrl> presign_put(const std::string& key,
                                          std::chrono::seconds expires) const;

  // "S3 <op> <key>" for messages.
  static std::string describe(const S3Request& request);

 private:
  std::string path_for(const std::string& key) const;
  HttpRequest sign(const S3Request& request, std::string payload_hash) const;
  TransferOptions transfer_options(const S3Request& request) const;
  std::string payload_hash(std::string_view body) const;

  const S3Config config_;
  const Endpoint endpoint_;
  Endpoint public_endpoint_;
  const sys::Clock& clock_;
  const sigv4::Credentials credentials_;
  const sigv4::Scope scope_;
  ConnectionPool pool_;
};

}  // namespace ff::blob::detail
