// Repository walk: a directory tree turned into repo::Node values and tree
// blobs, bottom-up, never following a symlink: each entry is looked at with
// fstatat(AT_SYMLINK_NOFOLLOW) and opened with O_NOFOLLOW relative to its
// parent's descriptor (as archive_writer.h does), requested `paths` are
// reached with beneath.h. Regular files are cut with repo::Chunker (a buffer
// of twice params.max) and each chunk given to the sink with its id; files
// the old cache vouches for (file_cache.h) are not read when the sink knows
// every one of their ids. Hard links (same device and inode) after the first
// become "hardlink" nodes naming the first path. Sockets are skipped with a
// warning. Directories and symlinks are recorded without atime (listing or
// reading one changes it, so each backup would see a new value).
//
// Thread-safety: walk_tree is reentrant; the sink is called from its thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/file_cache.h"
#include "common/status.h"
#include "repo/codec.h"
#include "repo/tree.h"

namespace ff::agent {

struct WalkStats {
  uint64_t file_count = 0;  // regular files, hard links, FIFOs and devices
  uint64_t dir_count = 0;   // the root included
  uint64_t symlink_count = 0;
  uint64_t hardlink_count = 0;
  uint64_t byte_count = 0;    // logical bytes of file content
  uint64_t bytes_read = 0;    // of those, read from disk (not from the cache)
  uint64_t files_cached = 0;  // files taken from the cache
  std::vector<std::string> warnings;
  uint64_t warnings_dropped = 0;
  // The root directory's own mode, owner and times (trees hold only the
  // entries below it); travels in the snapshot metadata as "root".
  repo::Node root;
};

// The root's metadata as JSON for the snapshot metadata, and back (a missing
// or malformed value gives nullopt: the restore then leaves the root as created).
nlohmann::json root_metadata(const repo::Node& root);
std::optional<repo::Node> parse_root_metadata(const nlohmann::json& j);

// Where a walk puts what it produces; a test can keep the blobs in memory.
class BlobSink {
 public:
  virtual ~BlobSink() = default;
  virtual bool known(const repo::BlobId& id) const = 0;
  virtual Status add(repo::BlobType type, const repo::BlobId& id, std::string_view plaintext) = 0;
};

struct WalkOptions {
  std::vector<std::string> paths;  // relative to the root; empty: everything
  const FileCache* old_cache = nullptr;
  FileCache* new_cache = nullptr;  // filled with every regular file seen
  std::function<bool()> cancelled;
  std::function<void(const WalkStats&)> progress;  // after each file
  size_t max_warnings = 200;
};

// Walks `source_dir` into tree blobs (and data blobs) given to `sink`;
// returns the root tree's id. kNotFound for a missing source, kInvalidArgument
// for a bad `paths` entry, kPermissionDenied for one through a symlink.
Result<repo::BlobId> walk_tree(const std::string& source_dir, const repo::Codec& codec,
                               BlobSink& sink, const WalkOptions& options, WalkStats& stats);

}  // namespace ff::agent
