// Store: counts for metrics, one SQL text for both backends (detail/sql_tx.h).
#include "store/detail/sql_tx.h"
#include "store/detail/values.h"
#include "store/store.h"

namespace ff::store {

using detail::SqlTx;

namespace {

Status count_into(SqlTx& tx, const std::string& kind, const std::string& table, bool bytes,
                  std::vector<StatusCount>& out) {
  std::string sql = "SELECT status, COUNT(*), " +
                    std::string(bytes ? "COALESCE(SUM(size), 0)" : "0") + " FROM " + table +
                    " GROUP BY status ORDER BY status";
  FF_ASSIGN_OR_RETURN(auto rows, tx.query(sql, {}));
  for (const auto& r : rows) out.push_back({kind, r.text(0), r.int64(1), r.int64(2)});
  return OkStatus();
}

}  // namespace

Result<StoreSummary> Store::summarize() {
  StoreSummary out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    out = StoreSummary{};
    // restore_jobs holds restores, drills and verify jobs: counted by kind.
    FF_ASSIGN_OR_RETURN(auto kinds, tx.query("SELECT kind, status, COUNT(*) FROM restore_jobs "
                                             "GROUP BY kind, status ORDER BY kind, status",
                                             {}));
    for (const auto& r : kinds) out.jobs.push_back({r.text(0), r.text(1), r.int64(2), 0});
    FF_TRY(count_into(tx, "backup", "backup_jobs", false, out.jobs));
    FF_TRY(count_into(tx, "snapshot", "snapshots", true, out.objects));
    FF_TRY(count_into(tx, "pack", "packs", true, out.objects));
    FF_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT agent_id, MAX(COALESCE(uploaded_at, "
                                            "created_at)) FROM snapshots WHERE status = "
                                            "'available' GROUP BY agent_id ORDER BY agent_id",
                                            {}));
    for (const auto& r : rows)
      out.last_backup.emplace_back(r.text(0), detail::from_unix_ms(r.int64(1)));
    return OkStatus();
  }));
  return out;
}

}  // namespace ff::store
