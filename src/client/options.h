// Connection settings shared by the API client and the event stream.
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ff::client {

struct ClientOptions {
  // "http://host:port" or "https://host:port", optionally with a path prefix.
  std::string base_url;
  // PEM bundle / directory of CA certificates for https and wss; empty = system default.
  std::string ca_file;
  std::string ca_dir;
  // Skips certificate verification. Development only.
  bool insecure = false;
  std::chrono::seconds connect_timeout{10};
  // Ceiling for one JSON request (long polls add their wait to it).
  std::chrono::seconds request_timeout{60};
  // A transfer slower than 1 byte/s for this long is abandoned.
  std::chrono::seconds stall_timeout{60};
  std::string user_agent = "fortfail-client";
};

// What the last call saw of the server, beside its Status.
struct CallInfo {
  long http_status = 0;  // 0 when no response arrived
  // From Retry-After on 429/503.
  std::optional<std::chrono::seconds> retry_after;
  // X-Total-Count of a list answer: matching items ignoring the page.
  std::optional<int64_t> total_count;
  // The body of a 4xx/5xx answer (its first 4 KiB), for fields beside "detail".
  std::string error_body;
};

}  // namespace ff::client
