#include "blob/s3/detail/connection.h"

#include <mutex>
#include <new>

namespace ff::blob::detail {

namespace {
// libcurl wants one global initialisation before any handle exists; it is
// never undone (handles may live in static objects until exit).
void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}
}  // namespace

Connection::Connection() {
  global_init_once();
  easy_ = curl_easy_init();
  multi_ = curl_multi_init();
  if (easy_ == nullptr || multi_ == nullptr) {
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    throw std::bad_alloc();
  }
}

Connection::~Connection() {
  curl_easy_cleanup(easy_);
  curl_multi_cleanup(multi_);
}

ConnectionPool::ConnectionPool(size_t max_idle) : max_idle_(max_idle) {}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<Connection> ConnectionPool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return std::make_unique<Connection>();
}

void ConnectionPool::release(std::unique_ptr<Connection> c) {
  // Clears options and callbacks but keeps live connections and caches.
  curl_easy_reset(c->easy());
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(c));
}

}  // namespace ff::blob::detail
