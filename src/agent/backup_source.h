// The source of a backup, whatever its format (tar or repository): the
// BACKUP_DIR opened once, and the selected paths below it, each checked to
// exist so that a backup of a missing path fails instead of storing nothing.
//
// Thread-safety: reentrant functions; BackupSource is a move-only value.
#pragma once

#include <string>
#include <vector>

#include "agent/beneath.h"
#include "common/status.h"

namespace ff::agent {

struct BackupSource {
  UniqueFd root;                      // source_dir, opened O_DIRECTORY
  std::vector<std::string> selected;  // normalized relative paths, sorted, unique; empty: all
};

// Opens `source_dir` and resolves `paths` (relative to it, or absolute below
// it). kNotFound naming the path when source_dir or a selected path does not
// exist; kPermissionDenied for a path through a symlink (backups never follow
// them); kInvalidArgument for a path outside source_dir or a source that is
// not a directory.
Result<BackupSource> open_backup_source(const std::string& source_dir,
                                        const std::vector<std::string>& paths);

}  // namespace ff::agent
