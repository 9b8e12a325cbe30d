// Store: the repository index's sessions, lookups, announcements, commits and
// reads. One SQL text for both backends (detail/sql_tx.h); see store.h for
// the contracts and migrations/v004_repository.cc for the tables.
#include <set>

#include <nlohmann/json.hpp>

#include "store/detail/repository_sql.h"
#include "store/detail/rows.h"
#include "store/store.h"

namespace ff::store {

using detail::SqlTx;
using detail::SqlValue;

namespace {

Status extend(SqlTx& tx, const std::string& session_id, SystemTime expires_at) {
  return tx
      .query("UPDATE repo_sessions SET expires_at = $2 WHERE id = $1",
             {session_id, detail::sql_time(expires_at)})
      .status();
}

// Holds `pack_id` for the session; `announced` (the session will upload it or
// just did) is never taken back by a later plain hold.
Status hold(SqlTx& tx, const std::string& session_id, const std::string& pack_id, bool announced) {
  return tx
      .query(
          "INSERT INTO session_packs (session_id, pack_id, announced) VALUES ($1, $2, $3) "
          "ON CONFLICT (session_id, pack_id) DO UPDATE "
          "SET announced = (session_packs.announced OR excluded.announced)",
          {session_id, pack_id, detail::sql_bool(announced)})
      .status();
}

Status insert_blobs(SqlTx& tx, const std::string& pack_id, const std::vector<PackBlob>& blobs) {
  nlohmann::json list = nlohmann::json::array();
  for (const PackBlob& b : blobs) {
    list.push_back({{"id", b.id}, {"type", b.type}, {"offset", b.offset}, {"length", b.length}});
  }
  // A blob declared twice in one pack keeps its first entry.
  const char* sql =
      tx.dialect() == SqlTx::Dialect::kPostgres
          ? "INSERT INTO pack_blobs (pack_id, blob_id, type, \"offset\", length) "
            "SELECT $1, e->>'id', e->>'type', (e->>'offset')::bigint, (e->>'length')::bigint "
            "FROM jsonb_array_elements($2::jsonb) AS e ON CONFLICT DO NOTHING"
          : "INSERT INTO pack_blobs (pack_id, blob_id, type, \"offset\", length) "
            "SELECT $1, json_extract(value, '$.id'), json_extract(value, '$.type'), "
            "json_extract(value, '$.offset'), json_extract(value, '$.length') "
            "FROM json_each($2) WHERE true ON CONFLICT DO NOTHING";
  return tx.query(sql, {pack_id, list.dump()}).status();
}

}  // namespace

Status Store::insert_repo_session(const RepoSession& s) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    Status st = tx.query("INSERT INTO repo_sessions (" FF_STORE_REPO_SESSION_COLUMNS
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         {s.id, s.agent_id, s.repository, detail::sql_bool(s.encrypted),
                          detail::sql_time(s.created_at), detail::sql_time(s.expires_at),
                          detail::sql_time(s.closed_at)})
                    .status();
    if (st.code() == Code::kConflict) return Conflict("session " + s.id + " already exists");
    return st;
  });
}

Result<RepoSession> Store::get_repo_session(const std::string& id) {
  std::optional<RepoSession> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT " FF_STORE_REPO_SESSION_COLUMNS
                                            " FROM repo_sessions WHERE id = $1",
                                            {id}));
    if (rows.empty()) return NotFound("session " + id + " not found");
    out = detail::repo_session_from(rows[0]);
    return OkStatus();
  }));
  return *out;
}

Status Store::close_repo_session(const std::string& id, SystemTime now) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows, tx.query("UPDATE repo_sessions SET closed_at = $2 "
                                            "WHERE id = $1 AND closed_at IS NULL RETURNING id",
                                            {id, detail::sql_time(now)}));
    if (rows.empty()) {
      FF_ASSIGN_OR_RETURN(auto any, tx.query("SELECT 1 FROM repo_sessions WHERE id = $1", {id}));
      if (any.empty()) return NotFound("session " + id + " not found");
      return Conflict("session " + id + " is already closed");
    }
    return tx.query("DELETE FROM session_packs WHERE session_id = $1", {id}).status();
  });
}

Result<std::vector<std::pair<std::string, std::string>>> Store::lookup_blobs(
    const std::string& session_id, const std::vector<std::string>& blob_ids, SystemTime now,
    SystemTime expires_at) {
  std::vector<std::pair<std::string, std::string>> known;
  FF_TRY(run_sql(true, [&](SqlTx& tx) -> Status {
    known.clear();
    FF_TRY(tx.lock_index(false));
    FF_ASSIGN_OR_RETURN(RepoSession s, detail::live_session(tx, session_id, now));
    FF_ASSIGN_OR_RETURN(
        auto rows,
        tx.query("SELECT b.blob_id, MIN(b.pack_id) FROM pack_blobs b "
                 "JOIN packs p ON p.id = b.pack_id "
                 "WHERE b.blob_id IN " +
                     detail::json_texts(tx, 1) +
                     " AND p.repository = $2 AND p.status = 'available' GROUP BY b.blob_id",
                 {detail::json_array(blob_ids), s.repository}));
    std::set<std::string> packs;
    for (const auto& r : rows) {
      known.emplace_back(r.text(0), r.text(1));
      packs.insert(r.text(1));
    }
    for (const std::string& pack : packs) FF_TRY(hold(tx, session_id, pack, false));
    return extend(tx, session_id, expires_at);
  }));
  return known;
}

Result<std::vector<std::string>> Store::hold_packs(const std::string& session_id,
                                                   const std::vector<std::string>& pack_ids,
                                                   SystemTime now, SystemTime expires_at) {
  std::vector<std::string> held;
  FF_TRY(run_sql(true, [&](SqlTx& tx) -> Status {
    held.clear();
    // The same lock and the same "available, held in this transaction" rule
    // as a lookup, so GC's marking never takes a pack this returns.
    FF_TRY(tx.lock_index(false));
    FF_ASSIGN_OR_RETURN(RepoSession s, detail::live_session(tx, session_id, now));
    FF_ASSIGN_OR_RETURN(auto rows,
                        tx.query("SELECT id FROM packs WHERE id IN " + detail::json_texts(tx, 1) +
                                     " AND repository = $2 AND status = 'available' "
                                     "ORDER BY id",
                                 {detail::json_array(pack_ids), s.repository}));
    for (const auto& r : rows) {
      held.push_back(r.text(0));
      FF_TRY(hold(tx, session_id, held.back(), false));
    }
    return extend(tx, session_id, expires_at);
  }));
  return held;
}

Result<Pack> Store::announce_pack(const std::string& session_id, const Pack& pack,
                                  const std::vector<PackBlob>& blobs, SystemTime now,
                                  SystemTime expires_at) {
  std::optional<Pack> out;
  FF_TRY(run_sql(true, [&](SqlTx& tx) -> Status {
    FF_TRY(tx.lock_index(false));
    FF_ASSIGN_OR_RETURN(RepoSession s, detail::live_session(tx, session_id, now));
    FF_ASSIGN_OR_RETURN(auto rows, tx.query(std::string("SELECT " FF_STORE_PACK_COLUMNS
                                                        " FROM packs WHERE id = $1") +
                                                detail::for_update(tx),
                                            {pack.id}));
    Pack stored = pack;
    stored.repository = s.repository;
    if (!rows.empty()) {
      Pack existing = detail::pack_from(rows[0]);
      if (existing.repository != s.repository) {
        return Conflict("pack " + pack.id + " belongs to another repository");
      }
      if (existing.status == "deleting") {
        return Conflict("pack " + pack.id +
                        " is being deleted by garbage collection; write a new pack");
      }
      if (existing.status == "available") {
        out = existing;
        FF_TRY(hold(tx, session_id, pack.id, false));
        return extend(tx, session_id, expires_at);
      }
      // Pending or corrupt: an upload that never finished or failed its
      // check; this announcement replaces it, its agent uploads it now.
      stored.created_at = existing.created_at;
      FF_TRY(tx.query("DELETE FROM pack_blobs WHERE pack_id = $1", {pack.id}).status());
      FF_TRY(tx.query("UPDATE packs SET size = $2, agent_id = $3, status = 'pending', "
                      "uploaded_at = NULL WHERE id = $1",
                      {pack.id, pack.size, pack.agent_id})
                 .status());
    } else {
      FF_TRY(tx.query("INSERT INTO packs (" FF_STORE_PACK_COLUMNS
                      ") VALUES ($1, $2, $3, $4, 'pending', $5, NULL)",
                      {pack.id, s.repository, pack.agent_id, pack.size,
                       detail::sql_time(pack.created_at)})
                 .status());
    }
    stored.status = "pending";
    stored.uploaded_at.reset();
    FF_TRY(insert_blobs(tx, pack.id, blobs));
    FF_TRY(hold(tx, session_id, pack.id, true));
    out = stored;
    return extend(tx, session_id, expires_at);
  }));
  return *out;
}

Result<Pack> Store::get_pack(const std::string& id) {
  std::optional<Pack> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(
        auto rows, tx.query("SELECT " FF_STORE_PACK_COLUMNS " FROM packs WHERE id = $1", {id}));
    if (rows.empty()) return NotFound("pack " + id + " not found");
    out = detail::pack_from(rows[0]);
    return OkStatus();
  }));
  return *out;
}

Status Store::extend_sessions_holding(const std::string& pack_id, SystemTime now,
                                      SystemTime expires_at) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    return tx
        .query(
            "UPDATE repo_sessions SET expires_at = $3 WHERE closed_at IS NULL "
            "AND expires_at > $2 AND expires_at < $3 AND id IN "
            "(SELECT session_id FROM session_packs WHERE pack_id = $1)",
            {pack_id, detail::sql_time(now), detail::sql_time(expires_at)})
        .status();
  });
}

Status Store::update_pack_status(const std::string& id, const std::string& from,
                                 const std::string& to, std::optional<SystemTime> uploaded_at) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows, tx.query("UPDATE packs SET status = $3, "
                                            "uploaded_at = COALESCE($4, uploaded_at) "
                                            "WHERE id = $1 AND status = $2 RETURNING id",
                                            {id, from, to, detail::sql_time(uploaded_at)}));
    if (!rows.empty()) return OkStatus();
    FF_ASSIGN_OR_RETURN(auto now, tx.query("SELECT status FROM packs WHERE id = $1", {id}));
    if (now.empty()) return NotFound("pack " + id + " not found");
    return Conflict("pack " + id + " is " + now[0].text(0) + ", not " + from);
  });
}

Result<Snapshot> Store::commit_repo_session(const std::string& session_id, Snapshot snapshot,
                                            SystemTime now) {
  FF_TRY(run_sql(true, [&](SqlTx& tx) -> Status {
    FF_TRY(tx.lock_index(false));
    FF_ASSIGN_OR_RETURN(RepoSession s, detail::live_session(tx, session_id, now));
    FF_ASSIGN_OR_RETURN(auto missing,
                        tx.query("SELECT p.id, p.status FROM session_packs h "
                                 "JOIN packs p ON p.id = h.pack_id WHERE h.session_id = $1 "
                                 "AND p.status <> 'available' ORDER BY p.id LIMIT 1",
                                 {session_id}));
    if (!missing.empty()) {
      return Conflict("pack " + missing[0].text(0) + " is " + missing[0].text(1) +
                      ", not available: upload it before committing");
    }
    FF_ASSIGN_OR_RETURN(auto added, tx.query("SELECT COALESCE(SUM(p.size), 0) FROM session_packs h "
                                             "JOIN packs p ON p.id = h.pack_id "
                                             "WHERE h.session_id = $1 AND h.announced",
                                             {session_id}));
    snapshot.stored_bytes = added[0].int64(0);
    snapshot.repository = s.repository;
    snapshot.encrypted = s.encrypted;
    FF_TRY(detail::insert_snapshot_row(tx, snapshot));
    FF_TRY(tx.query("INSERT INTO snapshot_packs (snapshot_id, pack_id) "
                    "SELECT $1, pack_id FROM session_packs WHERE session_id = $2",
                    {snapshot.id, session_id})
               .status());
    FF_TRY(tx.query("UPDATE repo_sessions SET closed_at = $2 WHERE id = $1",
                    {session_id, detail::sql_time(now)})
               .status());
    // The snapshot references the packs now; the holds have done their job.
    return tx.query("DELETE FROM session_packs WHERE session_id = $1", {session_id}).status();
  }));
  return snapshot;
}

Result<std::vector<std::pair<std::string, BlobLocation>>> Store::locate_blobs(
    const std::string& snapshot_id, const std::vector<std::string>& blob_ids) {
  std::vector<std::pair<std::string, BlobLocation>> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    out.clear();
    FF_ASSIGN_OR_RETURN(
        auto rows, tx.query("SELECT b.blob_id, b.pack_id, b.\"offset\", b.length FROM pack_blobs b "
                            "JOIN snapshot_packs sp ON sp.pack_id = b.pack_id "
                            "WHERE sp.snapshot_id = $1 AND b.blob_id IN " +
                                detail::json_texts(tx, 2) + " ORDER BY b.blob_id, b.pack_id",
                            {snapshot_id, detail::json_array(blob_ids)}));
    for (const auto& r : rows) {
      if (!out.empty() && out.back().first == r.text(0)) continue;  // one pack per blob
      out.emplace_back(r.text(0), BlobLocation{r.text(1), r.int64(2), r.int64(3)});
    }
    return OkStatus();
  }));
  return out;
}

Result<bool> Store::agent_may_read_pack(const std::string& pack_id, const std::string& agent_id) {
  bool may = false;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(
        auto rows, tx.query("SELECT 1 FROM snapshot_packs sp JOIN snapshots s "
                            "ON s.id = sp.snapshot_id WHERE sp.pack_id = $1 AND (s.agent_id = $2 "
                            "OR EXISTS (SELECT 1 FROM restore_jobs j WHERE j.snapshot_id = s.id "
                            "AND j.target_agent_id = $2)) LIMIT 1",
                            {pack_id, agent_id}));
    may = !rows.empty();
    return OkStatus();
  }));
  return may;
}

Result<int64_t> Store::agent_pack_bytes(const std::string& agent_id) {
  int64_t bytes = 0;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT COALESCE(SUM(size), 0) FROM packs "
                                            "WHERE agent_id = $1 AND status <> 'deleting'",
                                            {agent_id}));
    bytes = rows[0].int64(0);
    return OkStatus();
  }));
  return bytes;
}

}  // namespace ff::store
