// Version 1: agents, snapshots, restore jobs, commands and job events.
//
// The seed kept a job's log as a JSON array on the job row; here each line is
// a job_events row so appending is one INSERT, not a read-modify-write.
// restore_jobs.snapshot_id has no foreign key on purpose: a snapshot may be
// deleted once its jobs are finished, and the finished jobs keep naming it.
// commands.job_id and job_events.job_id name restore jobs today and other job
// kinds later, so they carry no foreign key either.
//
// job_events.id on SQLite is the rowid without AUTOINCREMENT: new rows get
// max(id) + 1, increasing as long as events are never deleted, and each
// insert saves the write to sqlite_sequence.
//
// commands_open is a partial index over the only rows lease_commands looks at;
// its WHERE clause must appear verbatim in that query for the planner to use it.
#include "store/migrations/versions.h"

namespace ff::store::migrations {

const Migration kV001Initial = {
    1,
    "initial",
    R"sql(
CREATE TABLE agents (
  id TEXT PRIMARY KEY NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);

CREATE TABLE snapshots (
  id TEXT PRIMARY KEY NOT NULL,
  agent_id TEXT NOT NULL,
  checksum TEXT NOT NULL,
  size INTEGER NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  uploaded_at INTEGER
);
CREATE INDEX snapshots_agent_created ON snapshots (agent_id, created_at, id);
CREATE INDEX snapshots_created ON snapshots (created_at, id);

CREATE TABLE restore_jobs (
  id TEXT PRIMARY KEY NOT NULL,
  snapshot_id TEXT NOT NULL,
  target_agent_id TEXT NOT NULL,
  target_path TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX restore_jobs_snapshot ON restore_jobs (snapshot_id, status);
CREATE INDEX restore_jobs_target_created ON restore_jobs (target_agent_id, created_at, id);
CREATE INDEX restore_jobs_created ON restore_jobs (created_at, id);

CREATE TABLE commands (
  id TEXT PRIMARY KEY NOT NULL,
  agent_id TEXT NOT NULL,
  job_id TEXT NOT NULL,
  command_type TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  lease_expires_at INTEGER,
  delivery_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX commands_agent_created ON commands (agent_id, created_at, id);
CREATE INDEX commands_job ON commands (job_id);
CREATE INDEX commands_open ON commands (agent_id, created_at, id)
  WHERE status IN ('pending', 'sent');

CREATE TABLE job_events (
  id INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  message TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  timestamp INTEGER NOT NULL
);
CREATE INDEX job_events_job ON job_events (job_id, id);
)sql",
    R"sql(
CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);

CREATE TABLE snapshots (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  checksum TEXT NOT NULL,
  size BIGINT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  uploaded_at BIGINT
);
CREATE INDEX snapshots_agent_created ON snapshots (agent_id, created_at, id);
CREATE INDEX snapshots_created ON snapshots (created_at, id);

CREATE TABLE restore_jobs (
  id TEXT PRIMARY KEY,
  snapshot_id TEXT NOT NULL,
  target_agent_id TEXT NOT NULL,
  target_path TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX restore_jobs_snapshot ON restore_jobs (snapshot_id, status);
CREATE INDEX restore_jobs_target_created ON restore_jobs (target_agent_id, created_at, id);
CREATE INDEX restore_jobs_created ON restore_jobs (created_at, id);

CREATE TABLE commands (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  job_id TEXT NOT NULL,
  command_type TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  lease_expires_at BIGINT,
  delivery_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX commands_agent_created ON commands (agent_id, created_at, id);
CREATE INDEX commands_job ON commands (job_id);
CREATE INDEX commands_open ON commands (agent_id, created_at, id)
  WHERE status IN ('pending', 'sent');

CREATE TABLE job_events (
  id BIGSERIAL PRIMARY KEY,
  job_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  message TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  timestamp BIGINT NOT NULL
);
CREATE INDEX job_events_job ON job_events (job_id, id);
)sql",
};

}  // namespace ff::store::migrations
