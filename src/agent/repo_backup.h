// Repository backup: one backup (a `backup` command or a scheduled one) in the
// repository format (docs/repository-format.md). BACKUP_DIR (or the command's
// `paths` below it) is walked without following any symlink (each entry is
// looked at with fstatat(AT_SYMLINK_NOFOLLOW) and opened with O_NOFOLLOW
// relative to its parent's descriptor, as archive_writer.h does); files are cut
// into chunks (repo::Chunker), chunks the namespace does not hold yet are
// sealed into packs and uploaded (blob_saver.h, repo_transfer.h), directories
// become tree blobs bottom-up, and the session is committed with the root
// tree's id and the counts.
//
// File cache (file_cache.h): a file whose size, mtime, ctime, inode and device
// equal the last committed backup's is not read again, provided the pack the
// cache records for each of its chunks is still available (the cache's packs
// are held first, in one call per 10,000 packs). The cache is rewritten only
// after a successful commit.
//
// Events as for tar backups (backup.h): backup_started, backup_in_progress
// (phase "read" or "upload"), backup_completed with snapshot_id, size (logical
// bytes), stored_bytes (bytes of packs this backup uploaded), file_count; or
// backup_failed with the reason, after which the session is aborted.
//
// Not guaranteed: a point-in-time copy. Files changing while read are stored
// as read, with a warning.
//
// Thread-safety: run_repo_backup uses the agent's main loop objects; pack
// uploads run on one internal worker thread.
#pragma once

#include <string>

#include "agent/backup.h"
#include "agent/task_context.h"
#include "common/status.h"
#include "repo/codec.h"

namespace ff::agent {

// The snapshot id on success (events have been posted by then).
Result<std::string> run_repo_backup(TaskContext& ctx, const BackupRequest& req);

// The file cache's namespace name: the key id, or "agent-<agent id>" for plain.
std::string file_cache_namespace(const repo::Codec& codec, const std::string& agent_id);

}  // namespace ff::agent
