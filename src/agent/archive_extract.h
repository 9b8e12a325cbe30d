// Extraction of a backup archive (tar, optionally zstd/gzip compressed) into an
// existing, empty directory with libarchive's secure flags: no absolute paths,
// no ".." components, no writing through symlinks. Entry names are also
// checked here before libarchive sees them, so a hostile entry fails the whole
// extraction with a message naming it (kInvalidArgument) instead of being
// skipped. Permissions, mtimes and extended attributes are restored; owners
// too when running as root. setuid bits (and setgid on anything but a
// directory, where it only sets the group new files inherit) are dropped
// unless keep_setid is set; each drop is a warning.
//
// Limits: extraction stops with kTooLarge once the file content would pass
// max_bytes (checked against each entry's declared size before it is written,
// and again per data block) or the entries would pass max_entries, so a
// decompression bomb costs at most the limit in disk space.
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
  bool keep_setid = false;
  size_t max_warnings = 200;
  // The limits, and whose they are for the error message
  // ("AGENT_MAX_RESTORE_BYTES", "the byte_count the snapshot declared", ...).
  uint64_t max_bytes = UINT64_MAX;
  std::string max_bytes_why = "the byte limit";
  bool max_bytes_declared = false;  // max_bytes is what the snapshot declared
  uint64_t max_entries = UINT64_MAX;
  std::string max_entries_why = "the entry limit";
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
// archive, kTooLarge past a limit, kInternal for local write errors.
Result<ExtractResult> extract_archive(const std::string& archive_path, const std::string& dest_dir,
                                      const ExtractOptions& options);

}  // namespace ff::agent
