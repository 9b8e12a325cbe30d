// Extraction of a backup archive (tar, optionally zstd/gzip compressed) into an
// existing, empty directory with libarchive's secure flags: no absolute paths,
// no ".." components, no writing through symlinks. Entry names are also
// checked here before libarchive sees them, so a hostile entry fails the whole
// extraction with a message naming it (kInvalidArgument) instead of being
// skipped. Permissions, mtimes and extended attributes are restored; owners
// too when running as root.
//
// Not guaranteed: cleaning up. On failure `dest_dir` holds whatever was
// written so far; the caller extracts into a temporary directory and removes
// it (see restore.h).
//
// Thread-safety: reentrant; uses the process's current directory read-only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace ff::agent {

struct ExtractOptions {
  // Polled between entries and data blocks; true abandons with kUnavailable "cancelled".
  std::function<bool()> cancelled;
  // Compressed bytes consumed so far and the archive size.
  std::function<void(uint64_t done, uint64_t total)> progress;
  bool restore_owner = false;
  size_t max_warnings = 200;
};

struct ExtractResult {
  uint64_t file_count = 0;  // regular files, hard links included
  uint64_t dir_count = 0;
  uint64_t symlink_count = 0;
  uint64_t hardlink_count = 0;
  uint64_t byte_count = 0;  // regular file content written
  std::vector<std::string> warnings;
};

// kInvalidArgument for an unsafe or unsupported entry, kDataLoss for a damaged
// archive, kInternal for local write errors.
Result<ExtractResult> extract_archive(const std::string& archive_path, const std::string& dest_dir,
                                      const ExtractOptions& options);

}  // namespace ff::agent
