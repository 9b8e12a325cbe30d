// Version 7: verify jobs and restore drills (docs/verification.md).
//
// Drills and verify jobs are jobs about one snapshot, like restores, so they
// live in restore_jobs with a `kind` ("restore", "drill", "verify") instead of
// twin tables: one row shape, one event path, one cancel, and a running drill
// or verify pins its snapshot exactly as a running restore does. `params` is
// the kind's request as a JSON object (a verify job's read_data, say).
// A verify job is run by the orchestrator: its target_agent_id is "" and its
// snapshot_id is "" when it covers an agent's or every snapshot.
//
// snapshots.verified_at: the last verify job that re-read (or, without
// read_data, found) every object of the snapshot intact.
// snapshots.proven_restorable_at: the last drill that restored the snapshot
// and proved every file. agents.last_proven_restorable_at: the newest of
// those for the agent's snapshots, kept on the agent so that retention
// deleting the snapshot does not forget when the machine was last proven.
#include "store/migrations/versions.h"

namespace ff::store::migrations {

const Migration kV007Verification = {
    7,
    "verification",
    R"sql(
ALTER TABLE restore_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'restore';
ALTER TABLE restore_jobs ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
CREATE INDEX restore_jobs_kind_created ON restore_jobs (kind, created_at, id);
ALTER TABLE snapshots ADD COLUMN verified_at INTEGER;
ALTER TABLE snapshots ADD COLUMN proven_restorable_at INTEGER;
ALTER TABLE agents ADD COLUMN last_proven_restorable_at INTEGER;
)sql",
    R"sql(
ALTER TABLE restore_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'restore';
ALTER TABLE restore_jobs ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
CREATE INDEX restore_jobs_kind_created ON restore_jobs (kind, created_at, id);
ALTER TABLE snapshots ADD COLUMN verified_at BIGINT;
ALTER TABLE snapshots ADD COLUMN proven_restorable_at BIGINT;
ALTER TABLE agents ADD COLUMN last_proven_restorable_at BIGINT;
)sql",
};

}  // namespace ff::store::migrations
