// Pooled libcurl handles for the S3 store. A Connection pairs an easy handle
// with the multi handle that drives it; the multi handle owns the connection
// cache, so the TCP (and TLS) connection survives from one request to the next
// when the same Connection is reused.
//
// Thread-safety: a Connection belongs to one thread at a time; the pool is
// safe from many threads.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <vector>

namespace ff::blob::detail {

class Connection {
 public:
  Connection();  // throws std::bad_alloc when libcurl cannot allocate
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  CURL* easy() const { return easy_; }
  CURLM* multi() const { return multi_; }

 private:
  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
};

class ConnectionPool {
 public:
  explicit ConnectionPool(size_t max_idle);
  ~ConnectionPool();

  // An idle connection, or a new one.
  std::unique_ptr<Connection> acquire();
  // Returns `c` for reuse. REQUIRES: its easy handle is not in the multi handle.
  void release(std::unique_ptr<Connection> c);

 private:
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
};

}  // namespace ff::blob::detail
