// Restore: one `restore` command end to end. The snapshot is downloaded to the
// spool directory with SHA-256 computed as the bytes arrive (an interrupted
// download resumes with Range), compared with the snapshot's checksum BEFORE
// anything is extracted, extracted (archive_extract.h) into a temporary
// directory beside the final one, synced, and renamed into place: a failed
// restore leaves no partial tree under the final name.
//
// Confinement: the target lies under RESTORE_DIR or an AGENT_RESTORE_ROOTS
// entry (resolve_restore_target), and every directory from that root down is
// opened with beneath.h, so a symlink anywhere below the root (one left by an
// earlier restore, say) makes the restore fail instead of being followed. The
// root itself is the operator's and may be reached through symlinks.
// Extraction stops at the bytes and entries the snapshot declared, the
// agent's caps and the free space (archive_extract.h); setuid bits are
// dropped unless AGENT_KEEP_SETID is set.
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
// Drills (drill.h) are restores in RestoreMode::kDrill: the same download,
// checks, confinement and placement, into the drill's scratch directory
// instead of a target, with drill_* events, a proof of the placed tree and the
// scratch removed at the end.
//
// Thread-safety: functions are reentrant; run_restore uses the agent's main loop objects.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent_api.h"
#include "agent/archive_extract.h"
#include "agent/config.h"
#include "agent/task_context.h"
#include "common/status.h"

namespace ff::agent {

enum class RestoreMode { kRestore, kDrill };

struct RestoreRequest {
  std::string job_id;
  std::string snapshot_id;
  std::string target_path;  // optional: absolute, or relative to RESTORE_DIR; never for drills
  RestoreMode mode = RestoreMode::kRestore;
};

// The event type `what` ("started", "in_progress", "completed", "failed") of
// a task in `mode`: "restore_started", "drill_started", ...
std::string restore_event_type(RestoreMode mode, std::string_view what);

// Returns the outcome for logs; events have been posted by then.
Status run_restore(TaskContext& ctx, const RestoreRequest& req);

// Where a restore lands, split at the root it is confined to.
struct RestoreTarget {
  std::string root;    // RESTORE_DIR or an AGENT_RESTORE_ROOTS entry, absolute
  std::string parent;  // directories from root to the target ("" when directly below)
  std::string name;    // the target directory's own name

  std::string path() const;  // root/parent/name, for messages and events
};

// Where the restore lands: target_path (relative ones below restore_dir;
// absolute ones must lie below restore_dir or one of `extra_roots`) or
// restore_dir/<snapshot_id>. kPermissionDenied, naming the rule, for a path
// outside every root or with a ".." component; kValidation for a target that
// names a root itself. Purely lexical: symlinks are refused later, when the
// path is opened.
Result<RestoreTarget> resolve_restore_target(const std::string& restore_dir,
                                             const std::vector<std::string>& extra_roots,
                                             const std::string& snapshot_id,
                                             const std::string& target_path);

// Run on the filled temporary directory (`dir_fd`) after it was synced and
// before it gets its final name, with what the fill reported; an error aborts
// the install like a failed fill (nothing is left). Drills prove the tree here.
using CheckTree = std::function<Status(int dir_fd, const ExtractResult& filled)>;

// The verification and placement half of a restore, exposed for tests:
// fails with kIntegrity when actual_sha256 != expected_sha256 (nothing is
// extracted), else opens target.parent beneath target.root (creating missing
// directories, refusing symlinks with kPermissionDenied), checks free space,
// extracts `archive_path` into a temporary sibling of the target and renames
// it into place (replacing an earlier FortFail restore or an empty directory).
// On any failure nothing is left under the target or the temporary name.
Result<ExtractResult> install_snapshot(const std::string& archive_path,
                                       const std::string& actual_sha256,
                                       const std::string& expected_sha256,
                                       const RestoreTarget& target, const std::string& job_id,
                                       const std::string& snapshot_id, ExtractOptions options,
                                       const CheckTree& check = {});

// What install_tree runs to fill the temporary directory: `dir_fd` is open on
// it (O_RDONLY | O_DIRECTORY), `dir_path` names it for path-based interfaces.
using FillTree = std::function<Result<ExtractResult>(int dir_fd, const std::string& dir_path,
                                                     const ExtractOptions& options)>;

// install_snapshot without the checksum check and with any way of filling
// the tree: the same confinement, free-space check (which may lower
// options.max_bytes), temporary directory, sync, `check` (when given), rename
// into place and marker.
Result<ExtractResult> install_tree(const RestoreTarget& target, const std::string& job_id,
                                   const std::string& snapshot_id, ExtractOptions options,
                                   const FillTree& fill, const CheckTree& check = {});

// Sets opts' byte and entry limits: the snapshot's declared byte_count and
// entry count (file_count + dir_count + symlink_count) where it declared them,
// each capped by the agent's AGENT_MAX_RESTORE_BYTES / _ENTRIES.
void apply_restore_limits(const SnapshotInfo& info, const AgentConfig& config,
                          ExtractOptions& opts);

// The temporary directory install_snapshot uses for `final_path` and `job_id`.
std::string restore_temp_path(const std::string& final_path, const std::string& job_id);

}  // namespace ff::agent
