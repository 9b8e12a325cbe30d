#include "store/postgres/pool.h"

#include <spdlog/spdlog.h>

namespace ff::store::postgres {

Pool::Pool(std::string conninfo, std::string schema, int size,
           std::chrono::milliseconds acquire_timeout)
    : conninfo_(std::move(conninfo)),
      schema_(std::move(schema)),
      size_(size),
      acquire_timeout_(acquire_timeout) {}

Result<Pool::Lease> Pool::acquire() {
  auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  std::unique_lock lock(mu_);
  while (true) {
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->usable_when_idle()) return Lease(this, std::move(conn));
      --open_;
      lock.unlock();
      spdlog::info("postgres: dropping a connection closed by the server");
      conn.reset();
      lock.lock();
      continue;
    }
    if (open_ < size_) {
      ++open_;
      lock.unlock();
      auto conn = Connection::connect(conninfo_, schema_);
      if (!conn.ok()) {
        lock.lock();
        --open_;
        freed_.notify_one();
        return conn.status();
      }
      return Lease(this, std::move(conn).value());
    }
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_) {
      spdlog::warn("postgres: no free connection within {} ms", acquire_timeout_.count());
      return Unavailable("database busy: no free connection");
    }
  }
}

void Pool::release(std::unique_ptr<Connection> conn) {
  bool keep = !conn->broken();
  if (!keep) conn.reset();  // closes outside the lock below
  std::lock_guard lock(mu_);
  if (keep) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  freed_.notify_one();
}

}  // namespace ff::store::postgres
