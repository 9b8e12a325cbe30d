#include "agent/repo_node.h"

#include <grp.h>
#include <pwd.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cstring>
#include <vector>

namespace ff::agent {

namespace {

int64_t ns_of(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

repo::NodeType type_of(mode_t mode) {
  if (S_ISDIR(mode)) return repo::NodeType::kDir;
  if (S_ISLNK(mode)) return repo::NodeType::kSymlink;
  if (S_ISFIFO(mode)) return repo::NodeType::kFifo;
  if (S_ISCHR(mode)) return repo::NodeType::kCharDev;
  if (S_ISBLK(mode)) return repo::NodeType::kBlockDev;
  return repo::NodeType::kFile;
}

}  // namespace

repo::Node node_from_stat(const std::string& name, const struct stat& st) {
  repo::Node n;
  n.name = name;
  n.type = type_of(st.st_mode);
  n.mode = st.st_mode & 07777;
  n.uid = st.st_uid;
  n.gid = st.st_gid;
  n.mtime_ns = ns_of(st.st_mtim);
  n.atime_ns = ns_of(st.st_atim);
  n.ctime_ns = ns_of(st.st_ctim);
  if (n.type == repo::NodeType::kFile) {
    n.size = static_cast<uint64_t>(st.st_size);
    n.sparse = looks_sparse(st);
  }
  if (n.type == repo::NodeType::kCharDev || n.type == repo::NodeType::kBlockDev) {
    n.rdev = static_cast<uint64_t>(st.st_rdev);
  }
  return n;
}

std::map<std::string, std::string> read_xattrs(int fd) {
  std::map<std::string, std::string> out;
  ssize_t n = ::flistxattr(fd, nullptr, 0);
  if (n <= 0) return out;
  std::vector<char> names(static_cast<size_t>(n));
  n = ::flistxattr(fd, names.data(), names.size());
  if (n <= 0) return out;
  for (ssize_t i = 0; i < n;) {
    const char* name = names.data() + i;
    i += static_cast<ssize_t>(std::strlen(name)) + 1;
    ssize_t len = ::fgetxattr(fd, name, nullptr, 0);
    if (len < 0) continue;
    std::string value(static_cast<size_t>(len), '\0');
    len = ::fgetxattr(fd, name, value.data(), value.size());
    if (len < 0) continue;
    value.resize(static_cast<size_t>(len));
    out.emplace(name, std::move(value));
  }
  return out;
}

const std::string& OwnerNames::user(uint32_t uid) {
  auto it = users_.find(uid);
  if (it != users_.end()) return it->second;
  std::string name;
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    name = found->pw_name;
  }
  return users_.emplace(uid, std::move(name)).first->second;
}

const std::string& OwnerNames::group(uint32_t gid) {
  auto it = groups_.find(gid);
  if (it != groups_.end()) return it->second;
  std::string name;
  struct group gr {};
  struct group* found = nullptr;
  std::vector<char> buf(16384);
  if (::getgrgid_r(gid, &gr, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    name = found->gr_name;
  }
  return groups_.emplace(gid, std::move(name)).first->second;
}

}  // namespace ff::agent
