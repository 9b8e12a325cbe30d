// PostgresStore's SqlTx: the shared repository-index SQL in one READ
// COMMITTED transaction, with the index advisory lock.
#include "store/detail/sql_tx.h"
#include "store/postgres/postgres_store.h"

namespace ff::store::postgres {

namespace {

// "FFRI"; the second key is the schema, so schemas sharing a database (the
// tests) do not serialize against each other.
constexpr int kIndexLockKey = 0x46465249;

class PostgresTx final : public store::detail::SqlTx {
 public:
  explicit PostgresTx(Connection& c) : c_(c) {}

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<std::vector<store::detail::SqlRow>> query(
      std::string_view sql, const std::vector<store::detail::SqlValue>& params) override {
    Params p;
    for (const store::detail::SqlValue& v : params) {
      if (const auto* i = std::get_if<int64_t>(&v)) {
        p.add(*i);
      } else if (const auto* text = std::get_if<std::string>(&v)) {
        p.add(*text);
      } else {
        p.add(std::optional<std::string>());
      }
    }
    FF_ASSIGN_OR_RETURN(PgResult r, c_.exec(sql, p));
    std::vector<store::detail::SqlRow> rows;
    rows.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      PgRow row = r.row(i);
      std::vector<std::optional<std::string>> cols;
      for (int col = 0; col < r.columns(); ++col) {
        if (row.is_null(col)) {
          cols.emplace_back(std::nullopt);
        } else {
          cols.emplace_back(row.text(col));
        }
      }
      rows.emplace_back(std::move(cols));
    }
    return rows;
  }

  Status lock_index(bool exclusive) override {
    return c_
        .exec(exclusive ? "SELECT pg_advisory_xact_lock($1::integer, hashtext(current_schema()))"
                        : "SELECT pg_advisory_xact_lock_shared($1::integer, "
                          "hashtext(current_schema()))",
              Params::of(kIndexLockKey))
        .status();
  }

 private:
  Connection& c_;
};

}  // namespace

Status PostgresStore::run_sql(bool, const std::function<Status(store::detail::SqlTx&)>& fn) {
  return pool_.transaction([&](Connection& c) -> Status {
    PostgresTx tx(c);
    return fn(tx);
  });
}

}  // namespace ff::store::postgres
