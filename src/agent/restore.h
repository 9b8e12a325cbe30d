// Restore: one `restore` command end to end. The snapshot is downloaded to the
// spool directory with SHA-256 computed as the bytes arrive (an interrupted
// download resumes with Range), compared with the snapshot's checksum BEFORE
// anything is extracted, extracted (archive_extract.h) into a temporary
// directory beside the final one, synced, and renamed into place: a failed
// restore leaves no partial tree under the final name.
//
// Idempotent per job: a redelivered command (after a crash) removes the
// previous attempt's temporary directory and starts over; a tree already put
// in place by an earlier FortFail restore (recorded by a marker file
// ".<name>.fortfail-restore" beside it) is replaced whole. Any other existing,
// non-empty target is left alone and the restore fails.
//
// Events: restore_started, restore_in_progress (phase, bytes_done, bytes_total;
// at most one a second), then restore_completed with counts or restore_failed
// with the reason. A stop request abandons the restore silently (temporary
// files removed) so that the orchestrator's lease redelivers it.
//
// Thread-safety: functions are reentrant; run_restore uses the agent's main loop objects.
#pragma once

#include <string>

#include "agent/archive_extract.h"
#include "agent/task_context.h"
#include "common/status.h"

namespace ff::agent {

struct RestoreRequest {
  std::string job_id;
  std::string snapshot_id;
  std::string target_path;  // optional: absolute, or relative to RESTORE_DIR
};

// Returns the outcome for logs; events have been posted by then.
Status run_restore(TaskContext& ctx, const RestoreRequest& req);

// Where the restore lands: target_path (relative ones below restore_dir) or
// restore_dir/<snapshot_id>. kValidation for an empty or root target.
Result<std::string> resolve_restore_target(const std::string& restore_dir,
                                           const std::string& snapshot_id,
                                           const std::string& target_path);

// The verification and placement half of a restore, exposed for tests:
// fails with kIntegrity when actual_sha256 != expected_sha256 (nothing is
// extracted), else extracts `archive_path` into a temporary sibling of
// `final_path` and renames it into place (replacing an earlier FortFail
// restore or an empty directory). On any failure nothing is left under
// `final_path` or the temporary name.
Result<ExtractResult> install_snapshot(const std::string& archive_path,
                                       const std::string& actual_sha256,
                                       const std::string& expected_sha256,
                                       const std::string& final_path, const std::string& job_id,
                                       const std::string& snapshot_id,
                                       const ExtractOptions& options);

// The temporary directory install_snapshot uses for `final_path` and `job_id`.
std::string restore_temp_path(const std::string& final_path, const std::string& job_id);

}  // namespace ff::agent
