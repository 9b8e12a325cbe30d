// Version 2: backup jobs.
//
// A backup job's events go to job_events and its `backup` command to commands,
// like a restore job's: job ids are unique across kinds, so those tables need
// no second column to tell the kinds apart. snapshot_id stays NULL until the
// agent reports the snapshot it uploaded; like restore_jobs.snapshot_id it has
// no foreign key, so a finished job keeps naming a deleted snapshot.
#include "store/migrations/versions.h"

namespace ff::store::migrations {

const Migration kV002BackupJobs = {
    2,
    "backup_jobs",
    R"sql(
CREATE TABLE backup_jobs (
  id TEXT PRIMARY KEY NOT NULL,
  agent_id TEXT NOT NULL,
  paths TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL,
  snapshot_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX backup_jobs_agent_created ON backup_jobs (agent_id, created_at, id);
CREATE INDEX backup_jobs_created ON backup_jobs (created_at, id);
)sql",
    R"sql(
CREATE TABLE backup_jobs (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  paths TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL,
  snapshot_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX backup_jobs_agent_created ON backup_jobs (agent_id, created_at, id);
CREATE INDEX backup_jobs_created ON backup_jobs (created_at, id);
)sql",
};

}  // namespace ff::store::migrations
