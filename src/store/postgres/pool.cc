#include "store/postgres/pool.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/shared_work.h"

namespace ff::store::postgres {

namespace {
constexpr size_t kWarmUpThreads = 8;
}  // namespace

Pool::Pool(std::string conninfo, std::string schema, int size,
           std::chrono::milliseconds acquire_timeout)
    : conninfo_(std::move(conninfo)),
      schema_(std::move(schema)),
      size_(size),
      acquire_timeout_(acquire_timeout) {}

Result<Pool::Lease> Pool::acquire() {
  auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  std::unique_lock lock(mu_);
  std::unique_ptr<Connection> conn;
  if (!idle_.empty()) {
    conn = std::move(idle_.back());
    idle_.pop_back();
  } else if (open_ < size_) {
    ++open_;
  } else {
    Waiter me;
    waiters_.push_back(&me);
    if (!me.cv.wait_until(lock, deadline, [&] { return me.served; })) {
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
      spdlog::warn("postgres: no free connection within {} ms", acquire_timeout_.count());
      return Unavailable("database busy: no free connection");
    }
    conn = std::move(me.conn);
  }
  if (conn) {
    if (conn->usable_when_idle()) return Lease(this, std::move(conn));
    // Closed by the server while idle: its slot is ours, for a new one.
    lock.unlock();
    spdlog::info("postgres: dropping a connection closed by the server");
    conn.reset();
  } else {
    lock.unlock();
  }
  return open_connection();
}

Result<Pool::Lease> Pool::open_connection() {
  auto conn = Connection::connect(conninfo_, schema_);
  if (!conn.ok()) {
    std::lock_guard lock(mu_);
    free_slot();
    return conn.status();
  }
  return Lease(this, std::move(conn).value());
}

void Pool::warm_up() {
  size_t missing = 0;
  {
    std::lock_guard lock(mu_);
    missing = static_cast<size_t>(size_ - open_);
    open_ = size_;  // the slots are ours until each connection is released
  }
  // A few at a time: each start-up is a round trip and a server fork, and a
  // large pool opened one after another would hold up the start by seconds.
  share_work(missing, std::min<size_t>(missing, kWarmUpThreads), "postgres warm-up",
             [this](size_t, size_t) -> Status {
               auto conn = Connection::connect(conninfo_, schema_);
               if (conn.ok()) {
                 release(std::move(conn).value());
               } else {
                 std::lock_guard lock(mu_);
                 free_slot();  // opened on demand later
               }
               return OkStatus();
             })
      .ignore_error();
}

void Pool::free_slot() {
  if (waiters_.empty()) {
    --open_;
    return;
  }
  serve_longest_waiter(nullptr);  // it opens one
}

void Pool::serve_longest_waiter(std::unique_ptr<Connection> conn) {
  Waiter* next = waiters_.front();
  waiters_.pop_front();
  next->conn = std::move(conn);
  next->served = true;
  next->cv.notify_one();
}

void Pool::release(std::unique_ptr<Connection> conn) {
  bool keep = !conn->broken();
  if (!keep) conn.reset();  // closes outside the lock below
  std::lock_guard lock(mu_);
  if (!keep) return free_slot();
  if (waiters_.empty()) return idle_.push_back(std::move(conn));
  serve_longest_waiter(std::move(conn));
}

}  // namespace ff::store::postgres
