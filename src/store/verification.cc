// Store: the verification stamps of snapshots and agents, the packs a
// snapshot references, and the queue of orchestrator-run jobs — one SQL text
// for both backends (detail/sql_tx.h); columns from migrations/v007.
#include "store/detail/rows.h"
#include "store/detail/sql_tx.h"
#include "store/store.h"

namespace ff::store {

using detail::SqlTx;

Status Store::mark_snapshot_verified(const std::string& snapshot_id, SystemTime at) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows,
                        tx.query("UPDATE snapshots SET verified_at = $2 WHERE id = $1 RETURNING id",
                                 {snapshot_id, detail::sql_time(at)}));
    if (rows.empty()) return NotFound("snapshot " + snapshot_id + " not found");
    return OkStatus();
  });
}

Status Store::mark_snapshot_proven(const std::string& snapshot_id, SystemTime at) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    auto when = detail::sql_time(at);
    FF_ASSIGN_OR_RETURN(
        auto rows,
        tx.query("UPDATE snapshots SET proven_restorable_at = $2 WHERE id = $1 RETURNING agent_id",
                 {snapshot_id, when}));
    if (rows.empty()) return NotFound("snapshot " + snapshot_id + " not found");
    // Forward only: a late report of an older drill never moves it back.
    return tx
        .query(
            "UPDATE agents SET last_proven_restorable_at = $2 WHERE id = $1 AND "
            "(last_proven_restorable_at IS NULL OR last_proven_restorable_at < $2)",
            {rows[0].text(0), when})
        .status();
  });
}

Result<int64_t> Store::reconcile_drill_proofs() {
  int64_t changed = 0;
  FF_TRY(run_sql(true, [&](SqlTx& tx) -> Status {
    // The newest completed drill per snapshot, where it is newer than the stamp.
    constexpr const char* kNewest =
        "(SELECT MAX(j.updated_at) FROM restore_jobs j WHERE j.kind = 'drill' AND "
        "j.status = 'completed' AND j.snapshot_id = snapshots.id)";
    FF_ASSIGN_OR_RETURN(
        auto rows, tx.query(std::string("UPDATE snapshots SET proven_restorable_at = ") + kNewest +
                                " WHERE " + kNewest +
                                " > COALESCE(proven_restorable_at, -1) RETURNING agent_id, "
                                "proven_restorable_at",
                            {}));
    changed = static_cast<int64_t>(rows.size());
    for (const auto& r : rows) {
      FF_TRY(tx.query("UPDATE agents SET last_proven_restorable_at = $2 WHERE id = $1 AND "
                      "(last_proven_restorable_at IS NULL OR last_proven_restorable_at < $2)",
                      {r.text(0), r.int64(1)})
                 .status());
    }
    return OkStatus();
  }));
  return changed;
}

Result<std::vector<Pack>> Store::list_snapshot_packs(const std::string& snapshot_id) {
  std::vector<Pack> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    out.clear();
    FF_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT p.id, p.repository, p.agent_id, p.size, "
                                            "p.status, p.created_at, p.uploaded_at "
                                            "FROM snapshot_packs sp JOIN packs p ON p.id = "
                                            "sp.pack_id WHERE sp.snapshot_id = $1 ORDER BY p.id",
                                            {snapshot_id}));
    for (const auto& r : rows) out.push_back(detail::pack_from(r));
    return OkStatus();
  }));
  return out;
}

Result<std::optional<RestoreJob>> Store::next_runnable_job(const std::string& kind,
                                                           SystemTime stale_before) {
  std::optional<RestoreJob> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    out.reset();
    FF_ASSIGN_OR_RETURN(
        auto rows,
        tx.query("SELECT " FF_STORE_RESTORE_JOB_COLUMNS
                 " FROM restore_jobs WHERE kind = $1 AND (status = 'pending' OR "
                 "(status = 'in_progress' AND updated_at <= $2)) ORDER BY created_at, id LIMIT 1",
                 {kind, detail::sql_time(stale_before)}));
    if (!rows.empty()) out = detail::restore_job_from(rows[0]);
    return OkStatus();
  }));
  return out;
}

Result<std::vector<std::string>> Store::snapshots_referencing_pack(const std::string& pack_id) {
  std::vector<std::string> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    out.clear();
    FF_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT snapshot_id FROM snapshot_packs WHERE "
                                            "pack_id = $1 ORDER BY snapshot_id",
                                            {pack_id}));
    for (const auto& r : rows) out.push_back(r.text(0));
    return OkStatus();
  }));
  return out;
}

}  // namespace ff::store
