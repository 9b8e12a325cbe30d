#include "store/detail/repository_sql.h"

#include <nlohmann/json.hpp>

#include "store/detail/rows.h"

namespace ff::store::detail {

std::string json_texts(const SqlTx& tx, int param) {
  std::string n = std::to_string(param);
  if (tx.dialect() == SqlTx::Dialect::kPostgres) {
    return "(SELECT jsonb_array_elements_text($" + n + "::jsonb) AS v)";
  }
  return "(SELECT value AS v FROM json_each($" + n + "))";
}

std::string json_array(const std::vector<std::string>& ids) { return nlohmann::json(ids).dump(); }

const char* for_update(const SqlTx& tx) {
  return tx.dialect() == SqlTx::Dialect::kPostgres ? " FOR UPDATE" : "";
}

Result<RepoSession> live_session(SqlTx& tx, const std::string& id, SystemTime now) {
  FF_ASSIGN_OR_RETURN(auto rows, tx.query(std::string("SELECT " FF_STORE_REPO_SESSION_COLUMNS
                                                      " FROM repo_sessions WHERE id = $1") +
                                              for_update(tx),
                                          {id}));
  if (rows.empty()) return NotFound("session " + id + " not found");
  RepoSession s = repo_session_from(rows[0]);
  if (s.closed_at) return Conflict("session " + id + " is closed (committed or aborted)");
  if (s.expires_at <= now) {
    return Conflict("session " + id +
                    " has expired (ORCH_REPO_SESSION_TTL_SECONDS); start a new session");
  }
  return s;
}

Status insert_snapshot_row(SqlTx& tx, const Snapshot& s) {
  const std::string metadata = s.metadata_json.empty() ? "{}" : s.metadata_json;
  auto text = [](const std::optional<std::string>& v) -> SqlValue {
    return v ? SqlValue(*v) : SqlValue(std::monostate{});
  };
  auto number = [](const std::optional<int64_t>& v) -> SqlValue {
    return v ? SqlValue(*v) : SqlValue(std::monostate{});
  };
  auto st =
      tx.query("INSERT INTO snapshots (" FF_STORE_SNAPSHOT_INSERT_COLUMNS
               ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
               {s.id, s.agent_id, s.checksum, s.size, metadata, s.status, sql_time(s.created_at),
                sql_time(s.uploaded_at), s.format, text(s.repository), sql_bool(s.encrypted),
                text(s.root), number(s.logical_size), s.stored_bytes, number(s.file_count)})
          .status();
  if (st.code() == Code::kConflict) return Conflict("snapshot " + s.id + " already exists");
  return st;
}

}  // namespace ff::store::detail
