// prove_repo_tree and count_restored_tree (drill.h): the proof of a drill's
// restored tree, read back from disk.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "agent/beneath.h"
#include "agent/drill.h"
#include "common/hex.h"

namespace ff::agent {

namespace {

constexpr size_t kReadChunk = 1u << 20;

std::string join(const std::string& rel, const std::string& name) {
  return rel.empty() ? name : rel + "/" + name;
}

const char* type_name(repo::NodeType t) {
  switch (t) {
    case repo::NodeType::kFile:
    case repo::NodeType::kHardlink:
      return "file";
    case repo::NodeType::kDir:
      return "directory";
    case repo::NodeType::kSymlink:
      return "symlink";
    case repo::NodeType::kFifo:
      return "fifo";
    case repo::NodeType::kCharDev:
      return "character device";
    case repo::NodeType::kBlockDev:
      return "block device";
  }
  return "entry";
}

const char* mode_name(mode_t m) {
  if (S_ISREG(m)) return "file";
  if (S_ISDIR(m)) return "directory";
  if (S_ISLNK(m)) return "symlink";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISCHR(m)) return "character device";
  if (S_ISBLK(m)) return "block device";
  return "socket";
}

bool type_matches(repo::NodeType t, mode_t m) {
  switch (t) {
    case repo::NodeType::kFile:
    case repo::NodeType::kHardlink:
      return S_ISREG(m);
    case repo::NodeType::kDir:
      return S_ISDIR(m);
    case repo::NodeType::kSymlink:
      return S_ISLNK(m);
    case repo::NodeType::kFifo:
      return S_ISFIFO(m);
    case repo::NodeType::kCharDev:
      return S_ISCHR(m);
    case repo::NodeType::kBlockDev:
      return S_ISBLK(m);
  }
  return false;
}

// The names in the directory open at `dir_fd` (which stays open).
Result<std::set<std::string>> list_dir(int dir_fd, const std::string& rel) {
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
  if (d == nullptr) {
    if (fd >= 0) ::close(fd);
    return Internal("cannot list directory '" + (rel.empty() ? "." : rel) +
                    "': " + std::strerror(errno));
  }
  std::set<std::string> names;
  while (dirent* de = ::readdir(d)) {
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) {
      names.insert(de->d_name);
    }
  }
  ::closedir(d);
  return names;
}

class TreeProver {
 public:
  TreeProver(const repo::Codec& codec, PackSource& source, int tree_fd, const ProveOptions& options,
             DrillReport& report)
      : codec_(codec), source_(source), tree_fd_(tree_fd), options_(options), report_(report) {}

  Status run(const repo::BlobId& root) {
    report_.per_file_hashes = true;
    ++report_.dirs_checked;
    FF_TRY(prove_dir(tree_fd_, "", root));
    return report_.verdict();
  }

 private:
  bool cancelled() const { return options_.cancelled && options_.cancelled(); }
  Status prove_dir(int dir_fd, const std::string& rel, const repo::BlobId& id);
  Status prove_entry(int dir_fd, const std::string& child, const repo::Node& n,
                     const struct stat& st);
  Status prove_file(int dir_fd, const std::string& child, const repo::Node& n,
                    const struct stat& st);

  const repo::Codec& codec_;
  PackSource& source_;
  const int tree_fd_;
  const ProveOptions& options_;
  DrillReport& report_;
  uint64_t bytes_done_ = 0;
  std::unordered_map<repo::BlobId, BlobLocation, BlobIdHash> where_;  // trees not yet read
};

Status TreeProver::prove_dir(int dir_fd, const std::string& rel, const repo::BlobId& id) {
  FF_TRY(locate_blobs(source_, {id}, where_));
  FF_TRY(source_.prepare());
  FF_ASSIGN_OR_RETURN(repo::Tree tree,
                      read_tree_blob(codec_, source_, id, where_.at(id), rel, nullptr));
  where_.erase(id);
  // One locate for every subdirectory's tree instead of one each.
  std::vector<repo::BlobId> subtrees;
  for (const auto& n : tree.nodes) {
    if (n.type == repo::NodeType::kDir && n.subtree) subtrees.push_back(*n.subtree);
  }
  FF_TRY(locate_blobs(source_, subtrees, where_));
  FF_ASSIGN_OR_RETURN(std::set<std::string> unseen, list_dir(dir_fd, rel));
  for (const auto& n : tree.nodes) {
    if (cancelled()) return Unavailable("cancelled");
    std::string child = join(rel, n.name);
    unseen.erase(n.name);
    struct stat st {};
    if (::fstatat(dir_fd, n.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      bool device = n.type == repo::NodeType::kCharDev || n.type == repo::NodeType::kBlockDev;
      if (device && options_.devices_optional) continue;  // the restore warned about it
      report_.mismatch(child, std::string("missing ") + type_name(n.type) + " " + child);
      continue;
    }
    if (!type_matches(n.type, st.st_mode)) {
      report_.mismatch(child, "type mismatch: " + child + " (expected " + type_name(n.type) +
                                  ", found " + mode_name(st.st_mode) + ")");
      continue;
    }
    FF_TRY(prove_entry(dir_fd, child, n, st));
  }
  for (const auto& name : unseen) {
    report_.mismatch(join(rel, name), "unexpected entry: " + join(rel, name));
  }
  return OkStatus();
}

Status TreeProver::prove_entry(int dir_fd, const std::string& child, const repo::Node& n,
                               const struct stat& st) {
  switch (n.type) {
    case repo::NodeType::kDir: {
      ++report_.dirs_checked;
      if (!n.subtree) return DataLoss("directory '" + child + "' has no subtree");
      UniqueFd sub(
          ::openat(dir_fd, n.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub.get() < 0) {
        report_.mismatch(child,
                         "unreadable directory " + child + " (" + std::strerror(errno) + ")");
        return OkStatus();
      }
      return prove_dir(sub.get(), child, *n.subtree);
    }
    case repo::NodeType::kFile:
      return prove_file(dir_fd, child, n, st);
    case repo::NodeType::kSymlink: {
      ++report_.symlinks_checked;
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t len = ::readlinkat(dir_fd, n.name.c_str(), target.data(), target.size());
      target.resize(len < 0 ? 0 : static_cast<size_t>(len));
      if (len < 0 || target != n.target) {
        report_.mismatch(child, "symlink mismatch: " + child + " (expected -> '" + n.target +
                                    "', got -> '" + target + "')");
      }
      return OkStatus();
    }
    case repo::NodeType::kHardlink: {
      // Its content is the first node's, hashed under that node's path: the
      // same inode proves the link.
      ++report_.files_checked;
      auto first = open_beneath(tree_fd_, n.link, O_PATH | O_NOFOLLOW);
      struct stat fst {};
      if (!first.ok() || ::fstat(first->get(), &fst) != 0 || fst.st_ino != st.st_ino ||
          fst.st_dev != st.st_dev) {
        report_.mismatch(child, "hard link mismatch: " + child + " is not a link to " + n.link);
        return OkStatus();
      }
      ++report_.files_verified;
      return OkStatus();
    }
    default:
      ++report_.files_checked;  // fifos and devices: no content, the type is the proof
      return OkStatus();
  }
}

Status TreeProver::prove_file(int dir_fd, const std::string& child, const repo::Node& n,
                              const struct stat& st) {
  ++report_.files_checked;
  if (static_cast<uint64_t>(st.st_size) != n.size) {
    report_.mismatch(child, "size mismatch: " + child + " (expected " + std::to_string(n.size) +
                                " bytes, got " + std::to_string(st.st_size) + ")");
    return OkStatus();
  }
  UniqueFd fd(::openat(dir_fd, n.name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    report_.mismatch(child, "unreadable file " + child + " (" + std::strerror(errno) + ")");
    return OkStatus();
  }
  // The restore synced the tree, so its pages are clean: dropping them makes
  // this read come from the disk rather than from what the restore wrote.
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
  Sha256 sha;
  std::string buf(kReadChunk, '\0');
  uint64_t got = 0;
  for (;;) {
    if (cancelled()) return Unavailable("cancelled");
    ssize_t r = ::read(fd.get(), buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      report_.mismatch(child, "unreadable file " + child + " (" + std::strerror(errno) + ")");
      return OkStatus();
    }
    if (r == 0) break;
    sha.update(buf.data(), static_cast<size_t>(r));
    got += static_cast<uint64_t>(r);
    bytes_done_ += static_cast<uint64_t>(r);
    if (options_.progress) options_.progress(bytes_done_, options_.bytes_total);
  }
  std::string hex = sha.finish_hex();
  if (got != n.size) {
    report_.mismatch(child, "size mismatch: " + child + " (expected " + std::to_string(n.size) +
                                " bytes, read " + std::to_string(got) + ")");
  } else if (hex != n.sha256) {
    report_.mismatch(child, "content mismatch: " + child + " (expected sha256 " + n.sha256 +
                                ", got " + hex + ")");
  } else {
    ++report_.files_verified;
    report_.bytes_verified += got;
  }
  return OkStatus();
}

Status count_dir(int dir_fd, const std::string& rel, const ProveOptions& options,
                 DrillReport& report) {
  FF_ASSIGN_OR_RETURN(std::set<std::string> names, list_dir(dir_fd, rel));
  for (const auto& name : names) {
    if (options.cancelled && options.cancelled()) return Unavailable("cancelled");
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      ++report.symlinks_checked;
    } else if (S_ISDIR(st.st_mode)) {
      ++report.dirs_checked;
      UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub.get() < 0) return Internal("cannot open directory '" + join(rel, name) + "'");
      FF_TRY(count_dir(sub.get(), join(rel, name), options, report));
    } else {
      ++report.files_checked;
    }
  }
  return OkStatus();
}

}  // namespace

Status prove_repo_tree(const repo::Codec& codec, PackSource& source, const repo::BlobId& root,
                       int tree_fd, const ProveOptions& options, DrillReport& report) {
  TreeProver prover(codec, source, tree_fd, options, report);
  return prover.run(root);
}

CheckTree repo_tree_check(const repo::Codec& codec, PackSource& source, const repo::BlobId& root,
                          const ProveOptions& options, DrillReport& report) {
  return [&codec, &source, root, &options, &report](int dir_fd, const ExtractResult& filled) {
    ProveOptions o = options;
    o.bytes_total = filled.byte_count;
    return prove_repo_tree(codec, source, root, dir_fd, o, report);
  };
}

Status count_restored_tree(int tree_fd, const ProveOptions& options, DrillReport& report) {
  report.per_file_hashes = false;
  ++report.dirs_checked;
  return count_dir(tree_fd, "", options, report);
}

}  // namespace ff::agent
