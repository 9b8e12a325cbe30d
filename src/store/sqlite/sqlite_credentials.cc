// SqliteStore: API keys and agent credentials (migration v003).
#include "store/detail/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace ff::store::sqlite {

Status SqliteStore::insert_api_key(const ApiKey& k) {
  return db_->write([&](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("INSERT INTO api_keys (" FF_STORE_API_KEY_COLUMNS
                                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    Status st = q.bind_all(k.id, k.name, k.role, k.key_hash, k.created_at, k.revoked_at).run();
    if (st.code() == Code::kConflict) return Conflict("API key " + k.id + " already exists");
    return st;
  });
}

Result<std::vector<ApiKey>> SqliteStore::list_api_keys() {
  return db_->read([](Connection& c) -> Result<std::vector<ApiKey>> {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT " FF_STORE_API_KEY_COLUMNS
                                          " FROM api_keys ORDER BY created_at, id"));
    std::vector<ApiKey> out;
    FF_TRY(q.each_row([&](const Stmt& r) { out.push_back(detail::api_key_from(r)); }));
    return out;
  });
}

Result<ApiKey> SqliteStore::find_api_key_by_hash(const std::string& key_hash) {
  return db_->read([&](Connection& c) -> Result<ApiKey> {
    FF_ASSIGN_OR_RETURN(
        Stmt q, c.prepare("SELECT " FF_STORE_API_KEY_COLUMNS " FROM api_keys WHERE key_hash = ?1"));
    FF_ASSIGN_OR_RETURN(bool row, q.bind_all(key_hash).next());
    if (!row) return NotFound("API key not found");
    return detail::api_key_from(q);
  });
}

Status SqliteStore::revoke_api_key(const std::string& id, SystemTime at) {
  return db_->write([&](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("UPDATE api_keys SET revoked_at = "
                                          "COALESCE(revoked_at, ?2) WHERE id = ?1 RETURNING id"));
    FF_ASSIGN_OR_RETURN(bool row, q.bind_all(id, at).next());
    if (!row) return NotFound("API key " + id + " not found");
    return OkStatus();
  });
}

Result<AgentCredential> SqliteStore::get_agent_credential(const std::string& agent_id) {
  return db_->read([&](Connection& c) -> Result<AgentCredential> {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT " FF_STORE_AGENT_CREDENTIAL_COLUMNS
                                          " FROM agent_credentials WHERE agent_id = ?1"));
    FF_ASSIGN_OR_RETURN(bool row, q.bind_all(agent_id).next());
    if (!row) return NotFound("agent " + agent_id + " has no credential");
    return detail::agent_credential_from(q);
  });
}

Result<std::vector<AgentCredential>> SqliteStore::list_agent_credentials() {
  return db_->read([](Connection& c) -> Result<std::vector<AgentCredential>> {
    FF_ASSIGN_OR_RETURN(Stmt q, c.prepare("SELECT " FF_STORE_AGENT_CREDENTIAL_COLUMNS
                                          " FROM agent_credentials ORDER BY agent_id"));
    std::vector<AgentCredential> out;
    FF_TRY(q.each_row([&](const Stmt& r) { out.push_back(detail::agent_credential_from(r)); }));
    return out;
  });
}

Status SqliteStore::put_agent_credential(const AgentCredential& a) {
  return db_->write([&](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(
        Stmt q,
        c.prepare("INSERT OR REPLACE INTO agent_credentials (" FF_STORE_AGENT_CREDENTIAL_COLUMNS
                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    return q
        .bind_all(a.agent_id, a.secret_hash, a.enrollment_hash, a.enrollment_expires_at,
                  a.enrolled_at, a.revoked_at)
        .run();
  });
}

Status SqliteStore::consume_enrollment(const std::string& agent_id,
                                       const std::string& enrollment_hash,
                                       const std::string& secret_hash, SystemTime now) {
  return db_->write([&](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(
        Stmt q, c.prepare("UPDATE agent_credentials SET secret_hash = ?3, enrollment_hash = NULL, "
                          "enrollment_expires_at = NULL, enrolled_at = ?4 "
                          "WHERE agent_id = ?1 AND enrollment_hash = ?2 "
                          "AND enrollment_expires_at > ?4 RETURNING agent_id"));
    FF_ASSIGN_OR_RETURN(bool row, q.bind_all(agent_id, enrollment_hash, secret_hash, now).next());
    if (!row) return NotFound("no such enrollment code");
    return OkStatus();
  });
}

}  // namespace ff::store::sqlite
