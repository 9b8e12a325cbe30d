// PostgresStore: API keys and agent credentials (migration v003).
#include "store/detail/rows.h"
#include "store/postgres/postgres_store.h"

namespace ff::store::postgres {

Status PostgresStore::insert_api_key(const ApiKey& k) {
  return pool_.with_connection([&](Connection& c) -> Status {
    Status st = c.exec("INSERT INTO api_keys (" FF_STORE_API_KEY_COLUMNS
                       ") VALUES ($1, $2, $3, $4, $5, $6)",
                       Params::of(k.id, k.name, k.role, k.key_hash, k.created_at, k.revoked_at))
                    .status();
    if (st.code() == Code::kConflict) return Conflict("API key " + k.id + " already exists");
    return st;
  });
}

Result<std::vector<ApiKey>> PostgresStore::list_api_keys() {
  return pool_.with_connection([](Connection& c) -> Result<std::vector<ApiKey>> {
    FF_ASSIGN_OR_RETURN(PgResult r, c.exec("SELECT " FF_STORE_API_KEY_COLUMNS
                                           " FROM api_keys ORDER BY created_at, id"));
    std::vector<ApiKey> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(detail::api_key_from(r.row(i)));
    return out;
  });
}

Result<ApiKey> PostgresStore::find_api_key_by_hash(const std::string& key_hash) {
  return pool_.with_connection([&](Connection& c) -> Result<ApiKey> {
    FF_ASSIGN_OR_RETURN(
        PgResult r, c.exec("SELECT " FF_STORE_API_KEY_COLUMNS " FROM api_keys WHERE key_hash = $1",
                           Params::of(key_hash)));
    if (r.rows() == 0) return NotFound("API key not found");
    return detail::api_key_from(r.row(0));
  });
}

Status PostgresStore::revoke_api_key(const std::string& id, SystemTime at) {
  return pool_.with_connection([&](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(PgResult r,
                        c.exec("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) "
                               "WHERE id = $1 RETURNING id",
                               Params::of(id, at)));
    if (r.rows() == 0) return NotFound("API key " + id + " not found");
    return OkStatus();
  });
}

Result<AgentCredential> PostgresStore::get_agent_credential(const std::string& agent_id) {
  return pool_.with_connection([&](Connection& c) -> Result<AgentCredential> {
    FF_ASSIGN_OR_RETURN(PgResult r, c.exec("SELECT " FF_STORE_AGENT_CREDENTIAL_COLUMNS
                                           " FROM agent_credentials WHERE agent_id = $1",
                                           Params::of(agent_id)));
    if (r.rows() == 0) return NotFound("agent " + agent_id + " has no credential");
    return detail::agent_credential_from(r.row(0));
  });
}

Result<std::vector<AgentCredential>> PostgresStore::list_agent_credentials() {
  return pool_.with_connection([](Connection& c) -> Result<std::vector<AgentCredential>> {
    FF_ASSIGN_OR_RETURN(PgResult r, c.exec("SELECT " FF_STORE_AGENT_CREDENTIAL_COLUMNS
                                           " FROM agent_credentials ORDER BY agent_id"));
    std::vector<AgentCredential> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(detail::agent_credential_from(r.row(i)));
    return out;
  });
}

Status PostgresStore::put_agent_credential(const AgentCredential& a) {
  return pool_.with_connection([&](Connection& c) -> Status {
    return c
        .exec("INSERT INTO agent_credentials (" FF_STORE_AGENT_CREDENTIAL_COLUMNS
              ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (agent_id) DO UPDATE SET "
              "secret_hash = EXCLUDED.secret_hash, enrollment_hash = EXCLUDED.enrollment_hash, "
              "enrollment_expires_at = EXCLUDED.enrollment_expires_at, "
              "enrolled_at = EXCLUDED.enrolled_at, revoked_at = EXCLUDED.revoked_at",
              Params::of(a.agent_id, a.secret_hash, a.enrollment_hash, a.enrollment_expires_at,
                         a.enrolled_at, a.revoked_at))
        .status();
  });
}

Status PostgresStore::consume_enrollment(const std::string& agent_id,
                                         const std::string& enrollment_hash,
                                         const std::string& secret_hash, SystemTime now) {
  return pool_.with_connection([&](Connection& c) -> Status {
    FF_ASSIGN_OR_RETURN(
        PgResult r,
        c.exec("UPDATE agent_credentials SET secret_hash = $3, enrollment_hash = NULL, "
               "enrollment_expires_at = NULL, enrolled_at = $4 "
               "WHERE agent_id = $1 AND enrollment_hash = $2 AND enrollment_expires_at > $4 "
               "RETURNING agent_id",
               Params::of(agent_id, enrollment_hash, secret_hash, now)));
    if (r.rows() == 0) return NotFound("no such enrollment code");
    return OkStatus();
  });
}

}  // namespace ff::store::postgres
