// One SQLite connection with its cache of prepared statements, and Stmt: a
// cached statement checked out for one execution.
//
// Statements are prepared once per connection and keyed by their SQL text, so
// hot paths pay neither parsing nor planning after the first call. Result
// codes map to Status as the Store contract requires: unique or primary key
// violation -> kConflict (callers replace the message with one naming the
// id), busy/locked past the busy timeout and I/O trouble -> kUnavailable,
// anything else -> kInternal. Details go to the log, never into messages.
//
// Thread-safety: a Connection and its Stmts are used by one thread at a time;
// the owner (Database) serialises access. Connections are opened with
// SQLITE_OPEN_NOMUTEX, so SQLite adds no locking of its own.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/status.h"
#include "common/time.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ff::store::sqlite {

class Connection;

// A prepared statement borrowed from its connection's cache. Resets the
// statement when destroyed so the next user starts clean.
// REQUIRES: the Connection outlives the Stmt; one Stmt per SQL text at a time.
class Stmt {
 public:
  Stmt(const Connection* conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept
      : conn_(other.conn_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Binds parameter `index` (1-based). Text is bound without copying:
  // REQUIRES: a bound string outlives the Stmt; temporaries are refused.
  void bind(int index, const std::string& value);
  void bind(int index, std::string&& value) = delete;
  void bind(int index, int64_t value);
  void bind(int index, int value) { bind(index, static_cast<int64_t>(value)); }
  void bind(int index, SystemTime value);
  void bind(int index, const std::optional<SystemTime>& value);
  void bind(int index, const std::optional<std::string>& value);  // nullopt binds NULL
  void bind(int index, const std::optional<int64_t>& value);      // nullopt binds NULL
  // Only a real bool: a string literal must not decay into this overload.
  template <typename B>
  requires std::same_as<B, bool>
  void bind(int index, B value) { bind(index, static_cast<int64_t>(value ? 1 : 0)); }

  // Binds the arguments to parameters 1..N in order.
  template <typename... Args>
  Stmt& bind_all(Args&&... args) {
    int index = 0;
    (bind(++index, std::forward<Args>(args)), ...);
    return *this;
  }

  // Steps once: true when a row is available, false when done.
  Result<bool> next();
  // Steps to completion; for statements that return no rows.
  Status run();
  // Calls fn(const Stmt&) for each remaining row.
  template <typename Fn>
  Status each_row(Fn&& fn) {
    while (true) {
      FF_ASSIGN_OR_RETURN(bool row, next());
      if (!row) return OkStatus();
      fn(static_cast<const Stmt&>(*this));
    }
  }

  // Column accessors for the current row (0-based).
  std::string text(int col) const;
  int64_t int64(int col) const;
  bool is_null(int col) const;
  int column_count() const;

 private:
  const Connection* conn_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;  // first failed bind, reported by next()/run()
};

class Connection {
 public:
  enum class Mode { kWriter, kReader };

  // Opens `path` (":memory:" for a private in-memory database) and applies the
  // connection settings: WAL journal (writer), synchronous=NORMAL, foreign
  // keys on, the busy timeout; readers are query_only. kUnavailable on failure.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, Mode mode,
                                                  std::chrono::milliseconds busy_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Returns the cached statement for `sql`, preparing it on first use.
  Result<Stmt> prepare(std::string_view sql);
  // Runs one or more statements once, uncached (settings, migrations).
  Status exec_script(const char* sql, std::string_view what);

  Status begin_immediate();
  Status begin_deferred();
  Status commit();
  // Rolls back the open transaction, if any; failures are only logged.
  void rollback();
  bool in_transaction() const;

  // Maps result code `rc` of operation `what` to a Status, logging the detail.
  Status error(int rc, std::string_view what) const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> cache_;
};

}  // namespace ff::store::sqlite
