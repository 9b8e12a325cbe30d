// Version 3: credentials (named API keys, per-agent secrets and revocations).
//
// Only SHA-256 hex digests of keys, agent secrets and enrollment codes are
// stored: a copy of the database mints nothing. A revoked API key keeps its
// row (revoked_at set) so its id stays refused. agent_credentials.revoked_at
// refuses the agent's tokens issued at or before it (and, while the agent is
// not enrolled again, its registration-secret tokens).
#include "store/migrations/versions.h"

namespace ff::store::migrations {

const Migration kV003Credentials = {
    3,
    "credentials",
    R"sql(
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE agent_credentials (
  agent_id TEXT PRIMARY KEY NOT NULL,
  secret_hash TEXT,
  enrollment_hash TEXT,
  enrollment_expires_at INTEGER,
  enrolled_at INTEGER,
  revoked_at INTEGER
);
)sql",
    R"sql(
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE agent_credentials (
  agent_id TEXT PRIMARY KEY,
  secret_hash TEXT,
  enrollment_hash TEXT,
  enrollment_expires_at BIGINT,
  enrolled_at BIGINT,
  revoked_at BIGINT
);
)sql",
};

}  // namespace ff::store::migrations
