// File cache: what the last committed repository backup learned about each
// file (size, mtime, ctime, inode, device -> chunk ids and SHA-256), so an
// unchanged file is not read again. Kept per namespace in
// AGENT_STATE_DIR/filecache-<namespace>.v1, where <namespace> is the key id
// or "agent-<agent id>": ids from one key never meet another key's cache.
//
// Format (text, one line per file, sorted by path):
//   "fortfail-filecache v1\n"
//   <path hex> <size> <mtime_ns> <ctime_ns> <inode> <dev> <sha256> <id,id,...|->\n
//   "end <SHA-256 hex of every byte before this line>\n"
// The trailer catches truncation and damage; anything wrong makes load fail
// and the backup reads every file (never a wrong backup). The cache is only a
// hint: the backup still looks every cached id up, so a blob that GC removed
// makes its file be read again.
//
// Thread-safety: reentrant functions on values.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "repo/codec.h"

namespace ff::agent {

struct FileCacheEntry {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t inode = 0;
  uint64_t dev = 0;
  std::string sha256;  // hex
  std::vector<repo::BlobId> content;

  bool same_file(const FileCacheEntry& o) const {
    return size == o.size && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns && inode == o.inode &&
           dev == o.dev;
  }
};

using FileCache = std::unordered_map<std::string, FileCacheEntry>;  // path below BACKUP_DIR

// "<state_dir>/filecache-<namespace_name>.v1"
std::string file_cache_path(const std::string& state_dir, const std::string& namespace_name);

// kNotFound when there is no file; kDataLoss naming the first problem for a
// damaged file or an unknown version.
Result<FileCache> load_file_cache(const std::string& path);

// Written atomically: a temporary file beside `path`, fsync, rename, fsync of
// the directory (created 0700 when missing).
Status save_file_cache(const std::string& path, const FileCache& cache);

}  // namespace ff::agent
