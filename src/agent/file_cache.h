// File cache: what the last committed repository backup learned about each
// file (size, mtime, ctime, inode, device -> chunk ids, the pack holding each
// chunk, and the file's SHA-256), so an unchanged file is not read again. Kept
// per namespace in AGENT_STATE_DIR/filecache-<namespace>.v2, where <namespace>
// is the key id or "agent-<agent id>": ids from one key never meet another
// key's cache.
//
// Format (text; pack lines first, then one line per file, sorted by path):
//   "fortfail-filecache v2\n"
//   "pack <pack id hex>\n"                         (index 0, 1, ... in order)
//   <path hex> <size> <mtime_ns> <ctime_ns> <inode> <dev> <sha256> <id:pack,id:pack,...|->\n
//   "end <SHA-256 hex of every byte before this line>\n"
// where each chunk's `pack` is the index of a pack line. The trailer catches
// truncation and damage; anything wrong makes load fail and the backup reads
// every file (never a wrong backup). The cache is only a hint: the next backup
// asks the orchestrator to hold the packs it names (one call, not a lookup per
// chunk), and a chunk whose pack is no longer available makes its file be
// read again. A v1 cache (no packs) is ignored: the first backup after an
// upgrade reads every file once.
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
  // Parallel to `content` once resolved: each chunk's pack, an index into
  // FileCache::packs. The walker leaves it empty; the backup fills it after
  // its blobs are stored (attach_packs in repo_backup.cc).
  std::vector<uint32_t> packs;

  bool same_file(const FileCacheEntry& o) const {
    return size == o.size && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns && inode == o.inode &&
           dev == o.dev;
  }
};

struct FileCache {
  std::unordered_map<std::string, FileCacheEntry> files;  // path below BACKUP_DIR
  std::vector<std::string> packs;                         // pack ids (64 hex)
};

// "<state_dir>/filecache-<namespace_name>.v2"
std::string file_cache_path(const std::string& state_dir, const std::string& namespace_name);

// kNotFound when there is no file; kDataLoss naming the first problem for a
// damaged file or an unknown version.
Result<FileCache> load_file_cache(const std::string& path);

// Written atomically: a temporary file beside `path`, fsync, rename, fsync of
// the directory (created 0700 when missing). kInvalidArgument when an entry's
// packs are not resolved (one valid index per chunk). Removes the namespace's
// v1 file beside it, which no version reads any more.
Status save_file_cache(const std::string& path, const FileCache& cache);

}  // namespace ff::agent
