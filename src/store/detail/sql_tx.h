// SqlTx: one open transaction of either backend behind a small, dialect-aware
// interface, so queries that are the same SQL on SQLite and PostgreSQL (the
// repository index) are written once. The backends implement it over their
// own connections (sqlite/sql_tx.cc, postgres/sql_tx.cc).
//
// Statements use PostgreSQL's $N placeholders; the SQLite side rewrites them
// to ?N. Values are bound, never spliced. Rows come back as text (NULL kept)
// and are decoded with the same accessors as the backends' own rows.
//
// Thread-safety: an SqlTx belongs to the thread running its transaction.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace ff::store::detail {

using SqlValue = std::variant<std::monostate, int64_t, std::string>;  // monostate: NULL

// One result row; the accessors the shared row decoders (rows.h) use.
class SqlRow {
 public:
  explicit SqlRow(std::vector<std::optional<std::string>> cols) : cols_(std::move(cols)) {}
  std::string text(int col) const { return cols_.at(col).value_or(""); }
  int64_t int64(int col) const {
    const std::optional<std::string>& v = cols_.at(col);
    int64_t out = 0;
    if (v) std::from_chars(v->data(), v->data() + v->size(), out);
    return out;
  }
  bool is_null(int col) const { return !cols_.at(col).has_value(); }

 private:
  std::vector<std::optional<std::string>> cols_;
};

class SqlTx {
 public:
  enum class Dialect { kSqlite, kPostgres };
  virtual ~SqlTx() = default;

  virtual Dialect dialect() const = 0;
  // Runs one statement with `params` bound to $1..$N and returns its rows.
  virtual Result<std::vector<SqlRow>> query(std::string_view sql,
                                            const std::vector<SqlValue>& params) = 0;
  // Serializes GC marking against lookups and commits for the rest of the
  // transaction: shared for those, exclusive for GC. PostgreSQL takes a
  // transaction-level advisory lock; SQLite has one writer and needs nothing.
  virtual Status lock_index(bool exclusive) = 0;
};

inline SqlValue sql_time(SystemTime t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline SqlValue sql_time(const std::optional<SystemTime>& t) {
  return t ? sql_time(*t) : SqlValue(std::monostate{});
}
inline SqlValue sql_bool(bool b) { return int64_t{b ? 1 : 0}; }

}  // namespace ff::store::detail
