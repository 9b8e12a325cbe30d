// Pool: a bounded set of PostgreSQL connections and the two ways to use one:
// with_connection() (statements in autocommit) and transaction() (BEGIN ...
// COMMIT, rolled back when the function fails or throws).
//
// Connections are opened lazily up to `size`, handed out most recently used
// first, and checked before reuse. When all are lent out, callers queue and
// are served in arrival order: a returned connection goes straight to the
// longest waiter, so a thread that gives one back and asks again at once
// cannot overtake the queue. A connection that failed or was closed by the
// server (restart, pg_terminate_backend) is dropped and replaced on the next
// call, so the service recovers without a restart. A call that was
// already running on a connection when it died fails with kUnavailable.
//
// Thread-safety: all methods may be called from any thread. A connection is
// used by one caller at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "store/postgres/connection.h"

namespace ff::store::postgres {

class Pool {
 public:
  // REQUIRES: size >= 1.
  Pool(std::string conninfo, std::string schema, int size,
       std::chrono::milliseconds acquire_timeout);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // The most connections open at once.
  int size() const { return size_; }
  // Opens connections until `size` are open, leaving them idle, so a fresh
  // orchestrator's first burst of requests waits for none of the connection
  // start-ups (about 10 ms each). Best effort: a slot whose connection fails
  // opens on demand as before.
  void warm_up();

  // Callers queued for a connection right now (diagnostics and tests).
  size_t waiting() const {
    std::lock_guard lock(mu_);
    return waiters_.size();
  }

  // Runs fn(Connection&) -> Status or Result<T> on a pooled connection.
  // kUnavailable when no connection can be had within the acquire timeout.
  template <typename Fn>
  auto with_connection(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    FF_ASSIGN_OR_RETURN(Lease lease, acquire());
    return fn(*lease);
  }

  // Runs fn(Connection&) inside BEGIN ... COMMIT (READ COMMITTED; callers take
  // the row locks they need). Rolls back when fn fails or throws.
  template <typename Fn>
  auto transaction(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    FF_ASSIGN_OR_RETURN(Lease lease, acquire());
    Connection& conn = *lease;
    FF_TRY(conn.begin());
    RollbackGuard guard{&conn};
    auto result = fn(conn);
    if (!result.ok()) return result;
    FF_TRY(conn.commit());
    guard.conn = nullptr;
    return result;
  }

 private:
  // A connection borrowed from the pool; returns it (or drops it when broken).
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) pool_->release(std::move(conn_));
    }
    Connection& operator*() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  struct RollbackGuard {
    Connection* conn;
    ~RollbackGuard() {
      if (conn != nullptr) conn->rollback();
    }
  };

  // A caller queued for a connection; lives on that caller's stack.
  struct Waiter {
    std::condition_variable cv;
    bool served = false;               // set with conn, or with the right to open one
    std::unique_ptr<Connection> conn;  // handed over by release(); null: open a new one
  };

  Result<Lease> acquire();
  void release(std::unique_ptr<Connection> conn);
  // A connection slot fell free (dropped or failed to open): passes the right
  // to open one to the longest waiter, or counts it free. REQUIRES: mu_ held.
  void free_slot();
  // Hands `conn` (null: the right to open one) to the longest waiter.
  // REQUIRES: mu_ held, waiters_ not empty.
  void serve_longest_waiter(std::unique_ptr<Connection> conn);
  Result<Lease> open_connection();  // on a slot already counted in open_

  const std::string conninfo_;
  const std::string schema_;
  const int size_;
  const std::chrono::milliseconds acquire_timeout_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_; most recent last
  std::deque<Waiter*> waiters_;  // guarded by mu_; oldest first; non-empty only when idle_ is empty
  int open_ = 0;                 // guarded by mu_; idle + lent out + being opened
};

}  // namespace ff::store::postgres
