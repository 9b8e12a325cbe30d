// Pool: a bounded set of PostgreSQL connections and the two ways to use one:
// with_connection() (statements in autocommit) and transaction() (BEGIN ...
// COMMIT, rolled back when the function fails or throws).
//
// Connections are opened lazily up to `size`, handed out most recently used
// first, and checked before reuse; a connection that failed or was closed by
// the server (restart, pg_terminate_backend) is dropped and replaced on the
// next call, so the service recovers without a restart. A call that was
// already running on a connection when it died fails with kUnavailable.
//
// Thread-safety: all methods may be called from any thread. A connection is
// used by one caller at a time.
#pragma once

#include <chrono>
#include <condition_variable>
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

  Result<Lease> acquire();
  void release(std::unique_ptr<Connection> conn);

  const std::string conninfo_;
  const std::string schema_;
  const int size_;
  const std::chrono::milliseconds acquire_timeout_;

  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_; most recent last
  int open_ = 0;                                   // guarded by mu_; idle + lent out + being opened
};

}  // namespace ff::store::postgres
