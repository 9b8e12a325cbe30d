// Store: garbage collection of packs (see store.h and the safety argument in
// docs/repository-format.md). Marking is one transaction holding the index
// lock exclusively, so no lookup or commit can hold or reference a pack
// between the check and the mark; lookups then never return a deleting pack.
#include "store/detail/repository_sql.h"
#include "store/detail/rows.h"
#include "store/store.h"

namespace ff::store {

using detail::SqlTx;

namespace {

// The conditions on a `packs` row, $1 = now. Packs already deleting are left
// to list_deleting_packs.
constexpr const char* kUnreferenced =
    "status <> 'deleting' AND NOT EXISTS (SELECT 1 FROM snapshot_packs sp "
    "WHERE sp.pack_id = packs.id)";
constexpr const char* kHeld =
    "EXISTS (SELECT 1 FROM session_packs h JOIN repo_sessions s ON s.id = h.session_id "
    "WHERE h.pack_id = packs.id AND s.closed_at IS NULL AND s.expires_at > $1)";

}  // namespace

Result<GcMark> Store::mark_unreferenced_packs(SystemTime now, SystemTime cutoff, bool dry_run) {
  GcMark out;
  FF_TRY(run_sql(true, [&](SqlTx& tx) -> Status {
    out = GcMark{};
    FF_TRY(tx.lock_index(true));
    auto t = detail::sql_time(now);
    auto c = detail::sql_time(cutoff);
    std::string where = std::string(" WHERE ") + kUnreferenced;
    FF_ASSIGN_OR_RETURN(auto held,
                        tx.query("SELECT COUNT(*) FROM packs" + where + " AND " + kHeld, {t}));
    out.kept_held = held[0].int64(0);
    FF_ASSIGN_OR_RETURN(auto young, tx.query("SELECT COUNT(*) FROM packs" + where + " AND NOT " +
                                                 kHeld + " AND created_at > $2",
                                             {t, c}));
    out.kept_young = young[0].int64(0);
    std::string due = where + " AND NOT " + kHeld + " AND created_at <= $2";
    FF_ASSIGN_OR_RETURN(auto rows,
                        tx.query(dry_run ? "SELECT " FF_STORE_PACK_COLUMNS " FROM packs" + due
                                         : "UPDATE packs SET status = 'deleting'" + due +
                                               " RETURNING " FF_STORE_PACK_COLUMNS,
                                 {t, c}));
    for (const auto& r : rows) out.marked.push_back(detail::pack_from(r));
    if (dry_run) return OkStatus();
    // Holds of sessions that are no longer live protect nothing; live_session
    // refuses those sessions, so they cannot come back to need them.
    return tx
        .query(
            "DELETE FROM session_packs WHERE session_id IN (SELECT id FROM repo_sessions "
            "WHERE closed_at IS NOT NULL OR expires_at <= $1)",
            {t})
        .status();
  }));
  return out;
}

Result<std::vector<Pack>> Store::list_deleting_packs(int limit) {
  std::vector<Pack> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    out.clear();
    FF_ASSIGN_OR_RETURN(
        auto rows, tx.query("SELECT " FF_STORE_PACK_COLUMNS " FROM packs WHERE status = 'deleting' "
                            "ORDER BY created_at, id LIMIT $1",
                            {int64_t{limit}}));
    for (const auto& r : rows) out.push_back(detail::pack_from(r));
    return OkStatus();
  }));
  return out;
}

Status Store::delete_pack(const std::string& id) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows,
                        tx.query("DELETE FROM packs WHERE id = $1 AND status = 'deleting' "
                                 "RETURNING id",
                                 {id}));
    if (!rows.empty()) return OkStatus();
    FF_ASSIGN_OR_RETURN(auto any, tx.query("SELECT status FROM packs WHERE id = $1", {id}));
    if (any.empty()) return NotFound("pack " + id + " not found");
    return Conflict("pack " + id + " is " + any[0].text(0) + ", not deleting");
  });
}

}  // namespace ff::store
