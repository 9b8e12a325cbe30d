// Backup archives: a directory tree written as a pax tar compressed with zstd
// (libarchive), hashed with SHA-256 in the same pass, to a file. Regular files,
// directories, symlinks and hard links, with permissions, owners, mtimes
// (nanoseconds) and extended attributes where present. The root appears as
// the entry "." so its mode and mtime travel too. Entry names are relative
// and sorted, so the same tree gives the same entry order.
//
// Symlinks are archived as symlinks and never followed, in the walk and in
// the requested `paths`: each is reached beneath the root with beneath.h, and
// one that goes through a symlink fails the archive with kPermissionDenied.
// The root itself (BACKUP_DIR) is opened as given.
//
// Files that vanish or change while being read are recorded as warnings and
// the backup goes on; a file that shrank is padded with zeros to the size in
// its header (the warning says so). Sockets, FIFOs and devices are skipped
// with a warning. Memory stays bounded whatever the tree (one 1 MiB buffer
// plus the hard-link table and one path per directory level).
//
// Thread-safety: write_archive is reentrant; it must not run concurrently with
// another process changing the locale.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace ff::agent {

struct ArchiveOptions {
  int zstd_level = 3;
  int zstd_threads = 0;  // 0: one per core
  // Paths relative to the root to include (and everything below them); empty:
  // the whole tree. Each must stay inside the root.
  std::vector<std::string> paths;
  // Polled between files; true abandons the archive with kUnavailable "cancelled".
  std::function<bool()> cancelled;
  // Called now and then with file bytes read so far.
  std::function<void(uint64_t bytes_read)> progress;
  size_t max_warnings = 200;  // beyond this, warnings are counted, not listed
};

struct ArchiveResult {
  std::string sha256;       // hex of the archive file's bytes
  uint64_t size = 0;        // archive file size
  uint64_t file_count = 0;  // regular files (hard links included)
  uint64_t dir_count = 0;
  uint64_t symlink_count = 0;
  uint64_t hardlink_count = 0;
  uint64_t byte_count = 0;  // bytes of regular file content (zero padding included)
  std::vector<std::string> warnings;
  uint64_t warnings_dropped = 0;
};

// Writes `source_dir` to `out_path` (created or truncated, fsynced).
// kNotFound when source_dir is missing, kInvalidArgument for a bad `paths`
// entry, kPermissionDenied for one through a symlink, kInternal for write errors.
Result<ArchiveResult> write_archive(const std::string& source_dir, const std::string& out_path,
                                    const ArchiveOptions& options);

}  // namespace ff::agent
