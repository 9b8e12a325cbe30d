// ApiClient: the orchestrator's REST API over libcurl, shared by the agent and
// the CLI. JSON requests and responses, bearer token, streamed uploads from a
// callback or a file and streamed downloads to a callback or a file; memory use
// does not grow with the body. Errors come back as ff::Status mapped by
// http_errors.h (401 -> kUnauthenticated, 429 -> kRateLimited, 503 and network
// failures -> kUnavailable, ...), with the server's "detail" as message.
//
// Not guaranteed: retries. Callers decide (see agent/retry.h); last_call()
// exposes the HTTP status and Retry-After of the previous call for them.
//
// Thread-safety: one ApiClient per thread (it owns one curl handle, reused for
// keep-alive). Distinct instances are independent.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "client/options.h"
#include "common/status.h"

namespace ff::client {

struct UploadRequest {
  std::string method = "PUT";
  // A path below the base URL ("/snapshots/x/object") or an absolute URL
  // (a presigned URL; then no Authorization header is sent).
  std::string url;
  std::string content_type = "application/octet-stream";
  uint64_t size = 0;
  // Fills up to `cap` bytes at `buf`; returns how many (0 only at the end).
  std::function<Result<size_t>(char* buf, size_t cap)> read;
  // Called with bytes sent so far; may be empty.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct DownloadRequest {
  std::string url;      // path below the base URL or absolute URL
  uint64_t offset = 0;  // > 0 sends "Range: bytes=offset-"
  // > 0 sends "Range: bytes=offset-(offset+length-1)"; a 200 answer (the whole
  // object) is then accepted only for offset 0, and write() may see more than
  // `length` bytes.
  uint64_t length = 0;
  // Receives the body in order. A non-ok Status aborts the transfer and is returned.
  std::function<Status(std::string_view chunk)> write;
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct DownloadInfo {
  uint64_t bytes = 0;       // bytes passed to write()
  int64_t total_size = -1;  // offset + Content-Length, or -1 when unknown
  std::string etag;         // unquoted
};

class ApiClient {
 public:
  explicit ApiClient(ClientOptions options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  const ClientOptions& options() const { return options_; }
  void set_token(std::string token) { token_ = std::move(token); }
  const std::string& token() const { return token_; }

  // Polled during every transfer (about once a second while idle); returning
  // true aborts it with kUnavailable "cancelled". May be empty.
  void set_abort_check(std::function<bool()> check) { abort_check_ = std::move(check); }

  // One JSON exchange. `body` may be null (no body). An empty 2xx body yields
  // a null json. `extra_timeout` extends the request timeout (long polls).
  Result<nlohmann::json> request(std::string_view method, const std::string& path,
                                 const nlohmann::json* body = nullptr,
                                 std::chrono::seconds extra_timeout = std::chrono::seconds(0));
  Result<nlohmann::json> get(const std::string& path) { return request("GET", path); }
  Result<nlohmann::json> post(const std::string& path, const nlohmann::json& body) {
    return request("POST", path, &body);
  }

  // Streams a request body; returns the parsed JSON response (null if not JSON).
  Result<nlohmann::json> upload(const UploadRequest& req);
  // Streams the file at `file_path` (its size at open time) as the body.
  Result<nlohmann::json> upload_file(std::string url, const std::string& file_path,
                                     std::function<void(uint64_t, uint64_t)> progress = {});

  // Streams a response body to req.write.
  Result<DownloadInfo> download(const DownloadRequest& req);

  const CallInfo& last_call() const { return last_; }

  // Base URL joined with `path` (no double slash); absolute URLs pass through.
  std::string url_for(std::string_view path) const;

  struct Exchange;  // one request in flight; defined in api_client.cc

 private:
  Status perform(Exchange& ex);

  ClientOptions options_;
  std::string token_;
  std::function<bool()> abort_check_;
  CallInfo last_;
  void* curl_ = nullptr;  // CURL*, reused for connection keep-alive
};

}  // namespace ff::client
