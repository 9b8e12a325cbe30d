#include "agent/backup_source.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/paths.h"

namespace ff::agent {

Result<BackupSource> open_backup_source(const std::string& source_dir,
                                        const std::vector<std::string>& paths) {
  BackupSource out;
  for (const auto& p : paths) {
    FF_ASSIGN_OR_RETURN(std::string rel, relative_inside(source_dir, p));
    out.selected.push_back(rel);
  }
  std::sort(out.selected.begin(), out.selected.end());
  out.selected.erase(std::unique(out.selected.begin(), out.selected.end()), out.selected.end());
  out.root = UniqueFd(::open(source_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (out.root.get() < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound("backup source " + source_dir + " does not exist");
    if (err == ENOTDIR) return InvalidArgument("backup source is not a directory");
    return Internal("cannot open backup source: " + std::string(std::strerror(err)));
  }
  for (const auto& s : out.selected) {
    auto probe = open_beneath(out.root.get(), s, O_PATH | O_NOFOLLOW);
    if (probe.ok()) continue;
    if (probe.status().code() == Code::kPermissionDenied) {
      return PermissionDenied("path '" + s +
                              "' is refused: it goes through a symlink below BACKUP_DIR, and "
                              "backups never follow symlinks");
    }
    if (probe.status().code() == Code::kNotFound) {
      return NotFound("path '" + s + "' does not exist below the backup source " + source_dir);
    }
    return probe.status().with_context("path '" + s + "'");
  }
  return out;
}

}  // namespace ff::agent
