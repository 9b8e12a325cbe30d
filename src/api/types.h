// Plain request and response structs: what handlers see of HTTP. No Beast
// here, so handlers are tested without sockets.
//
// Bodies are either a string (JSON and small payloads), a BodySource the
// transport pulls from (downloads), or, for upload routes, a BodySink the
// transport pushes chunks into while reading.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/token.h"
#include "common/status.h"

namespace ff::api {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;                                      // "GET", "POST", ...
  std::string path;                                        // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::unordered_map<std::string, std::string> params;     // from the route pattern
  std::string authorization;
  std::string content_type;
  std::string range;
  std::optional<uint64_t> content_length;
  std::string body;
  std::string client_address;
  std::string request_id;
  std::optional<auth::Claims> claims;  // set once the bearer token is verified
  // Long polls: when this request is a re-run after a wake-up or timeout.
  std::optional<std::chrono::steady_clock::time_point> poll_deadline;

  const std::string* query_param(std::string_view name) const;
  const std::string& param(const std::string& name) const { return params.at(name); }
};

// Pulled by the transport on a worker thread; read returns 0 at the end.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual Result<size_t> read(char* buf, size_t n) = 0;
};

// Asks the transport to park the request until `key` is notified or the
// deadline passes, then run the handler again with poll_deadline set.
struct LongPoll {
  std::string key;
  uint64_t generation = 0;
  std::chrono::steady_clock::time_point deadline;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
  std::unique_ptr<BodySource> stream;  // when set, replaces body
  uint64_t stream_length = 0;          // Content-Length of the stream
  std::optional<LongPoll> long_poll;

  static Response json(int status, std::string body);
  void add_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// Receives an upload's body chunks, in order, on a worker thread.
class BodySink {
 public:
  virtual ~BodySink() = default;  // aborts when neither finish() nor fail() ran
  virtual Status write(std::string_view chunk) = 0;
  // The whole body arrived.
  virtual Response finish() = 0;
};

}  // namespace ff::api
