// Builds the WHERE clause of a filtered listing from optional equality
// filters. Only fixed column names enter the SQL text; values are always bound
// parameters, numbered in the backend's placeholder style (?N or $N).
//
// Thread-safety: a value type; not shared.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ff::store::detail {

class WhereClause {
 public:
  // `placeholder_prefix` is "?" for SQLite and "$" for PostgreSQL.
  explicit WhereClause(char placeholder_prefix) : prefix_(placeholder_prefix) {}

  // Adds "column = <next placeholder>" when `value` is set.
  // REQUIRES: `column` is a fixed identifier, `value` outlives this object.
  void equals(std::string_view column, const std::optional<std::string>& value) {
    if (!value) return;
    sql_ += args_.empty() ? " WHERE " : " AND ";
    sql_ += column;
    sql_ += " = ";
    args_.push_back(&*value);
    sql_ += placeholder(static_cast<int>(args_.size()));
  }

  // " WHERE ..." or "" when no filter is set.
  const std::string& sql() const { return sql_; }
  // Values in placeholder order, starting at 1.
  const std::vector<const std::string*>& args() const { return args_; }
  // The placeholder that follows the filters' ones, `n` places on (1-based).
  std::string next_placeholder(int n) const {
    return placeholder(static_cast<int>(args_.size()) + n);
  }

 private:
  std::string placeholder(int index) const { return prefix_ + std::to_string(index); }

  char prefix_;
  std::string sql_;
  std::vector<const std::string*> args_;
};

}  // namespace ff::store::detail
