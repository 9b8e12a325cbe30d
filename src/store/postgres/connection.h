// One libpq connection with its prepared statements, and the values that go
// in and out of it: Params (bound text parameters) and PgResult/PgRow.
//
// Every statement with parameters is prepared once per connection (named by
// its SQL text) and executed with PQexecPrepared; values are always bound,
// never spliced into SQL. Result states map to Status as the Store contract
// requires: unique violation (23505) -> kConflict (callers replace the message
// with one naming the id); connection loss, server shutdown, resource
// shortage, serialization failure or deadlock -> kUnavailable; anything else
// -> kInternal. After a connection-level failure the connection is broken()
// and its pool drops it. Details are logged; messages never contain SQL or
// connection strings.
//
// Thread-safety: a Connection is used by one thread at a time (the pool hands
// it out exclusively). Params and PgResult are plain values.
#pragma once

#include <chrono>
#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace ff::store::postgres {

// Statement parameters in text format, in $1..$N order.
class Params {
 public:
  template <typename... Args>
  static Params of(const Args&... args) {
    Params p;
    (p.add(args), ...);
    return p;
  }

  void add(const std::string& v) { values_.emplace_back(v); }
  void add(int64_t v) { values_.emplace_back(std::to_string(v)); }
  void add(int v) { values_.emplace_back(std::to_string(v)); }
  void add(SystemTime t);  // unix milliseconds
  void add(const std::optional<SystemTime>& t);
  void add(const std::optional<std::string>& v) { values_.emplace_back(v); }  // nullopt is NULL
  void add(const std::optional<int64_t>& v) {
    values_.emplace_back(v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt);
  }
  // Only a real bool: a string literal must not decay into this overload.
  template <typename B>
  requires std::same_as<B, bool>
  void add(B v) { values_.emplace_back(v ? "true" : "false"); }

  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;  // nullopt is SQL NULL
};

// One row of a PgResult; the accessors the shared row decoders need.
class PgRow {
 public:
  PgRow(const PGresult* r, int row) : r_(r), row_(row) {}
  std::string text(int col) const;
  int64_t int64(int col) const;
  bool is_null(int col) const;

 private:
  const PGresult* r_;
  int row_;
};

// Owns a PGresult.
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  PgResult(PgResult&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  ~PgResult();

  int rows() const;
  int columns() const;
  PgRow row(int i) const { return PgRow(r_, i); }
  // Rows affected by an INSERT/UPDATE/DELETE.
  int64_t affected() const;
  const PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

class Connection {
 public:
  // Connects with `conninfo` (a libpq URI or key=value string) and, when
  // `schema` is not empty, sets search_path to it. kUnavailable when the
  // server cannot be reached or refuses the login.
  static Result<std::unique_ptr<Connection>> connect(const std::string& conninfo,
                                                     const std::string& schema);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Executes `sql` with `params` bound, preparing it on first use here.
  Result<PgResult> exec(std::string_view sql, const Params& params = {});
  // Runs parameterless statements as one simple query (BEGIN, COMMIT,
  // migration scripts). `what` names it in logs.
  Status exec_script(const char* sql, std::string_view what);

  Status begin();
  Status commit();
  // Rolls back the open transaction, if any; failures only mark the connection broken.
  void rollback();

  // True once a connection-level failure was seen; never reuse it then.
  bool broken() const { return broken_; }
  // Checks a connection taken from the idle pool: false when it failed or
  // the server sent something while it was idle (an error before closing it:
  // restart, pg_terminate_backend), so the caller gets a fresh one instead of
  // a failure.
  bool usable_when_idle();

  // For a connection that LISTENs (its own, never a pooled one): waits up to
  // `timeout` for the server, then returns the notifications received as
  // (channel, payload) pairs, maybe none. kUnavailable (and broken()) when
  // the connection failed.
  Result<std::vector<std::pair<std::string, std::string>>> wait_notifications(
      std::chrono::milliseconds timeout);

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  // Maps a result that is not a success to a Status; ok for a success.
  Status check(const PGresult* r, std::string_view what);

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  PGconn* conn_;
  // SQL text -> prepared statement name on this connection.
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> prepared_;
  bool broken_ = false;
};

}  // namespace ff::store::postgres
