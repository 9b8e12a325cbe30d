// repo::Node values from what the file system says about an entry (lstat,
// xattrs, owner names), for repository backups; and the reverse direction's
// small helpers for restores.
//
// Thread-safety: OwnerNames is not thread-safe (one per backup); the free
// functions are reentrant.
#pragma once

#include <sys/stat.h>

#include <map>
#include <string>

#include "repo/tree.h"

namespace ff::agent {

// Type, mode bits, owner ids, times, size (files) and rdev (devices) of an
// entry from its lstat; the caller fills content, subtree, target and link.
// REQUIRES: st is not a socket.
repo::Node node_from_stat(const std::string& name, const struct stat& st);

// Extended attributes of an open file or directory (none when unsupported).
std::map<std::string, std::string> read_xattrs(int fd);

// uid/gid -> user/group name, looked up once each (empty when unknown).
class OwnerNames {
 public:
  const std::string& user(uint32_t uid);
  const std::string& group(uint32_t gid);

 private:
  std::map<uint32_t, std::string> users_;
  std::map<uint32_t, std::string> groups_;
};

// True when the file's allocated blocks cover less than its size (it has holes).
inline bool looks_sparse(const struct stat& st) {
  return st.st_size > 0 &&
         static_cast<uint64_t>(st.st_blocks) * 512 < static_cast<uint64_t>(st.st_size);
}

}  // namespace ff::agent
