// Tree: one directory of a snapshot, encoded as a blob (BlobType::kTree).
// Encoding: compact JSON, one object {"nodes":[...]} with nodes sorted by name
// (bytewise), so equal directories give equal blobs and deduplicate.
//
// Node fields (docs/repository-format.md "Tree"):
//   "name"     UTF-8 name; names that are not valid UTF-8 use "name_b64" instead
//   "type"     "file" | "dir" | "symlink" | "hardlink" | "fifo" | "chardev" | "blockdev"
//   "mode"     permission bits incl. setuid/setgid/sticky (st_mode & 07777)
//   "uid","gid", "user","group" (names when known)
//   "mtime_ns","atime_ns","ctime_ns"  nanoseconds since the epoch
//   "size"     file: bytes of content
//   "content"  file: blob ids (hex) of its chunks, in order
//   "sha256"   file: SHA-256 hex of the whole content, checked on restore
//   "sparse"   file: true when the source had holes (all-zero chunks are restored as holes)
//   "subtree"  dir: blob id (hex) of the directory's tree
//   "target"   symlink: target (or "target_b64")
//   "link"     hardlink: path of the first node of the link group, relative to the snapshot root
//   "rdev"     chardev/blockdev: device number
//   "xattrs"   {"name": "<base64 value>"} when present
// Unknown fields are ignored on decode (forward compatibility).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "repo/codec.h"

namespace ff::repo {

enum class NodeType { kFile, kDir, kSymlink, kHardlink, kFifo, kCharDev, kBlockDev };

struct Node {
  std::string name;  // raw bytes (any byte but '/' and NUL)
  NodeType type = NodeType::kFile;
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;
  std::string group;
  int64_t mtime_ns = 0;
  int64_t atime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t size = 0;
  std::vector<BlobId> content;
  std::string sha256;  // hex; files only
  bool sparse = false;
  std::optional<BlobId> subtree;  // dirs only
  std::string target;             // symlinks: raw bytes
  std::string link;               // hardlinks: raw bytes of a path relative to the root
  uint64_t rdev = 0;
  std::map<std::string, std::string> xattrs;  // name -> raw value
};

struct Tree {
  std::vector<Node> nodes;  // encode_tree sorts by name
};

std::string encode_tree(Tree tree);
// kDataLoss naming the first bad field (a tree blob passed its id check, so
// a bad field means a bug or a hostile key holder; never trusted blindly):
// names must not be empty, ".", "..", or contain '/' or NUL; duplicate names
// are refused.
Result<Tree> decode_tree(std::string_view encoded);

}  // namespace ff::repo
