// Transfer: one HTTP exchange over a pooled libcurl connection, driven by
// curl's multi interface from the calling thread (no helper threads).
//
// Two modes for the response body:
//  - buffered: finish() runs the exchange to the end and keeps the body
//    (bounded; S3 answers with small XML documents);
//  - streaming: read_body() hands the body out as the caller asks for it. The
//    transfer is paused while the caller is not reading, so memory stays at
//    about one curl buffer whatever the object size.
// Non-2xx responses always keep (up to 64 KiB of) their body for the error code.
//
// A request body is either a buffer that outlives the Transfer (replayable,
// so curl may resend it on a dead reused connection) or, with
// `stream_body_size`, pushed through write_body() as the caller produces it
// (one pass only; such transfers use a fresh connection).
//
// Timeouts: connecting is bounded by `connect_timeout`; afterwards a transfer
// that moves no byte for `stall_timeout` while a call waits on it fails. Time
// the caller spends away (between read_body calls) does not count.
// Transport failures come back as kUnavailable (retryable) except setup
// errors (bad URL, TLS verification), which are kInternal.
//
// Thread-safety: one thread at a time.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "blob/s3/detail/connection.h"
#include "blob/s3/sigv4.h"
#include "common/status.h"
#include "sys/clock.h"

namespace ff::blob::detail {

struct HttpRequest {
  std::string method;     // GET, HEAD, PUT, POST or DELETE
  std::string url;        // already encoded
  sigv4::Pairs headers;   // sent as given (Host included)
  std::string_view body;  // PUT/POST body; must outlive the Transfer
  // When set, the body (of exactly this many bytes) comes from write_body().
  std::optional<uint64_t> stream_body_size;
};

struct TransferOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds stall_timeout{30000};
  bool stream_response = false;
  size_t max_buffered_body = 1 << 20;  // buffered mode
  std::string ca_file;
};

class Transfer {
 public:
  // Takes a connection from `pool` and starts the request. `pool` and
  // `clock` must outlive the Transfer.
  static Result<std::unique_ptr<Transfer>> start(ConnectionPool& pool, const sys::Clock& clock,
                                                 HttpRequest request, TransferOptions options);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Drives until the final response's headers are in (or the exchange ended).
  Status wait_headers();
  // The final HTTP status; 0 before wait_headers() succeeded.
  long status() const { return status_; }
  // A response header by lowercase name.
  std::optional<std::string> header(const std::string& lower_name) const;

  // Sends `data` as the next bytes of a streamed request body, returning once
  // curl has taken all of it. Fails (kUnavailable for transport trouble) when
  // the exchange ended early, e.g. the server answered an error mid-body;
  // status() and body() then tell why. REQUIRES: stream_body_size was set.
  Status write_body(std::string_view data);

  // Streaming mode: up to `n` body bytes into `buf`; 0 once the body ended
  // completely. REQUIRES: wait_headers() returned ok and status() is 2xx.
  Result<size_t> read_body(char* buf, size_t n);

  // Lets curl process what already arrived, without waiting; true when the
  // exchange has ended (its connection then goes back to the pool for reuse).
  bool settle();

  // Buffered mode (or any non-2xx response): runs to the end, keeping the body.
  Status finish();
  const std::string& body() const { return body_; }

 private:
  Transfer(ConnectionPool& pool, const sys::Clock& clock, HttpRequest request,
           TransferOptions options);
  Status setup();
  // Runs the exchange until `until()` holds or it ended; fails on stall or
  // multi-interface error. The transfer's own result is in curl_result_.
  Status drive(const std::function<bool()>& until);
  Status end_status() const;  // Status of a finished exchange's transport
  bool streaming_body() const { return options_.stream_response && status_ / 100 == 2; }

  static size_t on_header(char* data, size_t size, size_t n, void* self);
  static size_t on_write(char* data, size_t size, size_t n, void* self);
  static size_t on_read(char* data, size_t size, size_t n, void* self);

  ConnectionPool& pool_;
  const sys::Clock& clock_;
  const HttpRequest request_;
  const TransferOptions options_;
  std::unique_ptr<Connection> conn_;
  curl_slist* header_list_ = nullptr;
  bool added_ = false;  // easy handle is in the multi handle
  char errbuf_[CURL_ERROR_SIZE] = {};

  // Request body.
  size_t sent_ = 0;
  std::string_view in_;  // streamed body bytes not yet taken by curl
  bool upload_paused_ = false;
  // Response.
  long status_ = 0;
  bool headers_done_ = false;
  std::map<std::string, std::string> headers_;
  std::string body_;  // buffered or error body
  bool body_overflow_ = false;
  // Streaming hand-over: the caller's buffer during read_body, else spill_.
  char* out_ = nullptr;
  size_t out_cap_ = 0;
  size_t out_len_ = 0;
  std::string spill_;
  size_t spill_pos_ = 0;
  bool paused_ = false;
  // Progress and end.
  uint64_t progress_ = 0;  // bytes moved either way; a change resets the stall clock
  bool done_ = false;
  CURLcode curl_result_ = CURLE_OK;
};

}  // namespace ff::blob::detail
