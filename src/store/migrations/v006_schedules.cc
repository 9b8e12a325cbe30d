// Version 6: schedules (docs/schedules.md).
//
// Exactly one of `cron` (5 fields, UTC) and `interval_seconds` is set.
// `next_run_at` is the occurrence the scheduler waits for; replicas claim an
// occurrence by moving it forward with a compare-and-set, so only one runs it.
// `paths_json` / `retention_json` are the request's JSON as text (NULL when
// not given). `retention_applied_job_id` is the last backup job retention
// ran for: retention runs once per successful job.
#include "store/migrations/versions.h"

namespace ff::store::migrations {

const Migration kV006Schedules = {
    6,
    "schedules",
    R"sql(
CREATE TABLE schedules (
  id TEXT PRIMARY KEY NOT NULL,
  agent_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  cron TEXT,
  interval_seconds INTEGER,
  paths_json TEXT,
  retention_json TEXT,
  target_agent_id TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  next_run_at INTEGER NOT NULL,
  last_run_at INTEGER,
  last_job_id TEXT,
  last_status TEXT,
  last_error TEXT,
  retention_applied_job_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX schedules_due ON schedules (enabled, next_run_at);
)sql",
    R"sql(
CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  cron TEXT,
  interval_seconds BIGINT,
  paths_json TEXT,
  retention_json TEXT,
  target_agent_id TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  next_run_at BIGINT NOT NULL,
  last_run_at BIGINT,
  last_job_id TEXT,
  last_status TEXT,
  last_error TEXT,
  retention_applied_job_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX schedules_due ON schedules (enabled, next_run_at);
)sql",
};

}  // namespace ff::store::migrations
