// Backup: one backup (a `backup` command or a scheduled one) end to end:
// BACKUP_DIR (or the command's `paths` below it) archived by archive_writer.h
// into the spool directory, registered with POST /snapshots (checksum, size,
// metadata {file_count, byte_count, compression, source_path, warnings, ...}),
// uploaded through the presigned URL when the orchestrator gives one, else
// PUT to its upload URL, then the spool file is removed.
//
// Events (with the job id when there is a job): backup_started,
// backup_in_progress (phase archive/upload, at most one a second),
// backup_completed with "snapshot_id", or backup_failed with the reason.
//
// Thread-safety: run_backup uses the agent's main loop objects.
#pragma once

#include <string>
#include <vector>

#include "agent/task_context.h"
#include "common/status.h"

namespace ff::agent {

struct BackupRequest {
  std::string job_id;  // empty for a scheduled backup
  std::vector<std::string> paths;
};

// The snapshot id on success (events have been posted by then).
Result<std::string> run_backup(TaskContext& ctx, const BackupRequest& req);

// "<agent id, at most 80 chars>-<YYYYMMDDTHHMMSSZ>-<8 hex>": a valid id.
std::string make_snapshot_id(const std::string& agent_id, SystemTime now, sys::Random& random);

}  // namespace ff::agent
