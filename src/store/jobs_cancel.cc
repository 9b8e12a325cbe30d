// Store: cancelling a job of either kind, written once for both backends
// over SqlTx (see store.h).
#include <string>

#include <nlohmann/json.hpp>

#include "store/detail/sql_tx.h"
#include "store/store.h"

namespace ff::store {

using detail::SqlTx;

namespace {

struct KindTable {
  const char* table;
  const char* agent_column;
  const char* snapshot_column;  // the restore job's pinned snapshot; the backup job's product
  const char* kind_filter;      // restore_jobs holds several kinds
};

KindTable table_of(JobKind kind) {
  switch (kind) {
    case JobKind::kBackup:
      return {"backup_jobs", "agent_id", "snapshot_id", ""};
    case JobKind::kRestore:
      return {"restore_jobs", "target_agent_id", "snapshot_id", " AND kind = 'restore'"};
    case JobKind::kDrill:
      return {"restore_jobs", "target_agent_id", "snapshot_id", " AND kind = 'drill'"};
    case JobKind::kVerify:
      return {"restore_jobs", "target_agent_id", "snapshot_id", " AND kind = 'verify'"};
  }
  return {"restore_jobs", "target_agent_id", "snapshot_id", " AND kind = 'restore'"};
}

}  // namespace

const char* job_kind_name(JobKind kind) {
  switch (kind) {
    case JobKind::kRestore:
      return "restore";
    case JobKind::kBackup:
      return "backup";
    case JobKind::kDrill:
      return "drill";
    case JobKind::kVerify:
      return "verify";
  }
  return "restore";
}

Result<CancelledJob> Store::cancel_job(JobKind kind, const std::string& id, const CancelRule& rule,
                                       SystemTime now) {
  if (!rule) return Internal("cancel_job needs a rule");
  KindTable t = table_of(kind);
  CancelledJob out;
  FF_TRY(run_sql(true, [&](SqlTx& tx) -> Status {
    out = CancelledJob{};
    out.kind = kind;
    // FOR UPDATE: an agent's event on this job waits until the cancel commits
    // and then finds it finished. SQLite has one writer and needs nothing.
    std::string lock = tx.dialect() == SqlTx::Dialect::kPostgres ? " FOR UPDATE" : "";
    FF_ASSIGN_OR_RETURN(auto rows, tx.query(std::string("SELECT status, ") + t.agent_column + ", " +
                                                t.snapshot_column + " FROM " + t.table +
                                                " WHERE id = $1" + t.kind_filter + lock,
                                            {id}));
    if (rows.empty())
      return NotFound(std::string(job_kind_name(kind)) + " job " + id + " not found");
    out.id = id;
    out.previous_status = rows[0].text(0);
    out.agent_id = rows[0].text(1);
    if (!rows[0].is_null(2)) out.snapshot_id = rows[0].text(2);
    FF_ASSIGN_OR_RETURN(out.status, rule(out.previous_status));
    auto at = detail::sql_time(now);
    FF_TRY(tx.query(std::string("UPDATE ") + t.table +
                        " SET status = $2, updated_at = $3 WHERE id = $1",
                    {id, out.status, at})
               .status());
    FF_ASSIGN_OR_RETURN(auto cmds, tx.query("UPDATE commands SET status = $2, "
                                            "lease_expires_at = NULL, updated_at = $3 "
                                            "WHERE job_id = $1 AND status IN ('pending', 'sent') "
                                            "RETURNING delivery_count",
                                            {id, out.status, at}));
    for (const auto& c : cmds) {
      if (c.int64(0) > 0) {
        ++out.commands_delivered;
      } else {
        ++out.commands_withdrawn;
      }
    }
    // The job's own log says why it stopped, for whoever reads the job; the
    // WAL's job_cancelled record stays the audit trail.
    nlohmann::json metadata = {{"previous_status", out.previous_status},
                               {"commands_withdrawn", out.commands_withdrawn},
                               {"commands_delivered", out.commands_delivered}};
    FF_TRY(tx.query("INSERT INTO job_events (job_id, agent_id, event_type, message, metadata, "
                    "timestamp) VALUES ($1, $2, 'job_cancelled', $3, $4, $5)",
                    {id, out.agent_id, "cancelled by an operator (was " + out.previous_status + ")",
                     metadata.dump(), at})
               .status());
    out.updated_at = now;
    return OkStatus();
  }));
  return out;
}

}  // namespace ff::store
