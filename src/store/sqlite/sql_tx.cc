// SqliteStore's SqlTx: the shared repository-index SQL on the writer (writes)
// or a reader's snapshot (reads).
#include <cctype>

#include "store/detail/sql_tx.h"
#include "store/sqlite/sqlite_store.h"

namespace ff::store::sqlite {

namespace {

// $N -> ?N: the shared SQL never contains '$' elsewhere.
std::string to_sqlite_placeholders(std::string_view sql) {
  std::string out(sql);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && std::isdigit(static_cast<unsigned char>(out[i + 1]))) out[i] = '?';
  }
  return out;
}

class SqliteTx final : public store::detail::SqlTx {
 public:
  explicit SqliteTx(Connection& c) : c_(c) {}

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::vector<store::detail::SqlRow>> query(
      std::string_view sql, const std::vector<store::detail::SqlValue>& params) override {
    FF_ASSIGN_OR_RETURN(Stmt q, c_.prepare(to_sqlite_placeholders(sql)));
    int index = 0;
    for (const store::detail::SqlValue& v : params) {
      ++index;
      if (const auto* i = std::get_if<int64_t>(&v)) {
        q.bind(index, *i);
      } else if (const auto* text = std::get_if<std::string>(&v)) {
        q.bind(index, *text);  // `params` outlives `q`
      } else {
        q.bind(index, std::optional<std::string>());
      }
    }
    std::vector<store::detail::SqlRow> rows;
    FF_TRY(q.each_row([&](const Stmt& r) {
      std::vector<std::optional<std::string>> cols;
      for (int col = 0; col < r.column_count(); ++col) {
        if (r.is_null(col)) {
          cols.emplace_back(std::nullopt);
        } else {
          cols.emplace_back(r.text(col));
        }
      }
      rows.emplace_back(std::move(cols));
    }));
    return rows;
  }

  // One writer: a write transaction already excludes every other.
  Status lock_index(bool) override { return OkStatus(); }

 private:
  Connection& c_;
};

}  // namespace

Status SqliteStore::run_sql(bool write, const std::function<Status(store::detail::SqlTx&)>& fn) {
  auto body = [&](Connection& c) -> Status {
    SqliteTx tx(c);
    return fn(tx);
  };
  if (write) return db_->write(body);
  return db_->read_snapshot(body);
}

}  // namespace ff::store::sqlite
