// ListingQuery: one filtered, paginated, newest-first listing on PostgreSQL,
// fetched with its total in a single statement (COUNT(*) OVER ()), so page
// and total come from one snapshot.
//
// Thread-safety: a value type; not shared.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/detail/rows.h"
#include "store/detail/values.h"
#include "store/detail/where.h"
#include "store/postgres/connection.h"
#include "store/store.h"

namespace ff::store::postgres::detail {

class ListingQuery {
 public:
  // REQUIRES: `table` and `columns` (an FF_STORE_*_COLUMNS list) are fixed
  // SQL text and the table has created_at and id.
  ListingQuery(std::string_view table, std::string_view columns)
      : table_(table), columns_(columns), column_count_(store::detail::column_count(columns)) {}

  // Adds "column = value" when `value` is set. REQUIRES: `value` outlives this.
  void equals(std::string_view column, const std::optional<std::string>& value) {
    where_.equals(column, value);
  }

  template <typename T, typename Decode>
  Result<Listing<T>> fetch(Connection& c, const Page& p, Decode decode) const {
    Page page = store::detail::clamp_page(p);
    Params params = filter_params();
    params.add(page.limit);
    params.add(page.offset);
    FF_ASSIGN_OR_RETURN(PgResult r, c.exec(items_sql(), params));
    Listing<T> out;
    out.items.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.items.push_back(decode(r.row(i)));
    if (r.rows() > 0) {
      out.total = r.row(0).int64(column_count_);
    } else if (page.offset > 0) {
      // Past the end the window count has no row to ride on.
      FF_ASSIGN_OR_RETURN(PgResult n, c.exec(count_sql(), filter_params()));
      out.total = n.row(0).int64(0);
    }
    return out;
  }

 private:
  std::string items_sql() const {
    return "SELECT " + columns_ + ", COUNT(*) OVER () FROM " + table_ + where_.sql() +
           " ORDER BY created_at DESC, id DESC LIMIT " + where_.next_placeholder(1) + " OFFSET " +
           where_.next_placeholder(2);
  }
  std::string count_sql() const { return "SELECT COUNT(*) FROM " + table_ + where_.sql(); }
  Params filter_params() const {
    Params params;
    for (const std::string* arg : where_.args()) params.add(*arg);
    return params;
  }

  std::string table_;
  std::string columns_;
  int column_count_;
  store::detail::WhereClause where_{'$'};
};

}  // namespace ff::store::postgres::detail
