#include "agent/repo_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "agent/background_sha.h"
#include "agent/backup_source.h"
#include "agent/beneath.h"
#include "agent/paths.h"
#include "agent/repo_node.h"
#include "common/hex.h"
#include "repo/chunker.h"
#include "repo/tree.h"

namespace ff::agent {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// Files from this size on are hashed on the helper thread: below it the
// hand-off costs more than the hash.
constexpr uint64_t kBackgroundShaBytes = 1u << 20;

class Walker {
 public:
  Walker(const repo::Codec& codec, BlobSink& sink, const WalkOptions& options,
         std::vector<std::string> selected, WalkStats& stats)
      : codec_(codec),
        chunker_(codec.gear()),
        sink_(sink),
        options_(options),
        selected_(std::move(selected)),
        stats_(stats),
        buffer_(2 * chunker_.params().max) {}

  // The tree id of directory `fd` (the root when rel is "").
  Result<repo::BlobId> dir(int fd, const std::string& rel);

 private:
  void warn(std::string text) {
    if (stats_.warnings.size() < options_.max_warnings) {
      stats_.warnings.push_back(std::move(text));
    } else {
      ++stats_.warnings_dropped;
    }
  }
  // Everything below `rel` is backed up (no `paths`, or rel is at or below one).
  bool whole(const std::string& rel) const {
    if (selected_.empty()) return true;
    for (const auto& s : selected_) {
      if (rel == s ||
          (rel.size() > s.size() && rel.compare(0, s.size(), s) == 0 && rel[s.size()] == '/')) {
        return true;
      }
    }
    return false;
  }
  // `rel` leads to a requested path.
  bool on_the_way(const std::string& rel) const {
    for (const auto& s : selected_) {
      if (s.size() > rel.size() && s.compare(0, rel.size(), rel) == 0 && s[rel.size()] == '/') {
        return true;
      }
    }
    return false;
  }
  // Fills a regular file's node; false when it was skipped (with a warning).
  Result<bool> file(int dir_fd, const std::string& name, const std::string& rel,
                    const struct stat& lst, repo::Node& n);
  Result<bool> read_content(int fd, const std::string& rel, repo::Node& n);

  const repo::Codec& codec_;
  repo::Chunker chunker_;
  BlobSink& sink_;
  const WalkOptions& options_;
  const std::vector<std::string> selected_;
  WalkStats& stats_;
  std::vector<uint8_t> buffer_;
  std::unique_ptr<BackgroundSha> background_sha_;  // started by the first large file
  OwnerNames owners_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;  // first path of each multi-link inode
};

Result<repo::BlobId> Walker::dir(int fd, const std::string& rel) {
  std::vector<std::string> names;
  {
    DIR* d = ::fdopendir(::dup(fd));
    if (d == nullptr) return Internal("cannot list '" + rel + "': " + errno_text(errno));
    while (dirent* de = ::readdir(d)) {
      std::string n = de->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  const bool all = whole(rel);
  repo::Tree tree;
  for (const auto& name : names) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    if (!all && !whole(child) && !on_the_way(child)) continue;
    if (options_.cancelled && options_.cancelled()) return Unavailable("cancelled");
    struct stat st {};
    if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      warn(child + (errno == ENOENT ? ": vanished during backup" : ": " + errno_text(errno)));
      continue;
    }
    if (S_ISSOCK(st.st_mode)) {
      warn(child + ": socket skipped");
      continue;
    }
    repo::Node n = node_from_stat(name, st);
    n.user = owners_.user(n.uid);
    n.group = owners_.group(n.gid);
    switch (n.type) {
      case repo::NodeType::kDir: {
        UniqueFd sub(::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub.get() < 0) {
          warn(child + (errno == ENOENT                      ? ": vanished during backup"
                        : errno == ELOOP || errno == ENOTDIR ? ": replaced during backup; skipped"
                                                             : ": " + errno_text(errno)));
          continue;
        }
        n.xattrs = read_xattrs(sub.get());
        // Listing a directory updates its atime (relatime): recorded, it would
        // make every backup's trees new ones.
        n.atime_ns = 0;
        FF_ASSIGN_OR_RETURN(repo::BlobId id, dir(sub.get(), child));
        n.subtree = id;
        ++stats_.dir_count;
        break;
      }
      case repo::NodeType::kFile: {
        FF_ASSIGN_OR_RETURN(bool kept, file(fd, name, child, st, n));
        if (!kept) continue;
        break;
      }
      case repo::NodeType::kSymlink: {
        std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
        ssize_t len = ::readlinkat(fd, name.c_str(), target.data(), target.size());
        if (len < 0) {
          warn(child + ": vanished during backup");
          continue;
        }
        target.resize(static_cast<size_t>(len));
        n.target = std::move(target);
        n.atime_ns = 0;  // readlink updates it, like listing a directory
        ++stats_.symlink_count;
        break;
      }
      default:  // FIFOs and devices: the node says it all
        ++stats_.file_count;
        break;
    }
    tree.nodes.push_back(std::move(n));
  }
  std::string encoded = repo::encode_tree(std::move(tree));
  repo::BlobId id = codec_.id_of(encoded);
  FF_TRY(sink_.add(repo::BlobType::kTree, id, encoded));
  return id;
}

Result<bool> Walker::file(int dir_fd, const std::string& name, const std::string& rel,
                          const struct stat& lst, repo::Node& n) {
  if (lst.st_nlink > 1) {
    auto it = links_.find({lst.st_dev, lst.st_ino});
    if (it != links_.end()) {
      n.type = repo::NodeType::kHardlink;
      n.link = it->second;
      n.size = 0;
      n.sparse = false;
      ++stats_.hardlink_count;
      ++stats_.file_count;
      return true;
    }
  }
  int raw = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
  if (raw < 0 && errno == EPERM)
    raw = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) {
    warn(rel + (errno == ENOENT  ? ": vanished during backup"
                : errno == ELOOP ? ": replaced by a symlink during backup; skipped"
                                 : ": " + errno_text(errno)));
    return false;
  }
  UniqueFd fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    warn(rel + ": changed type during backup; skipped");
    return false;
  }
  std::string user = std::move(n.user), group = std::move(n.group);
  n = node_from_stat(n.name, st);
  n.user = std::move(user);
  n.group = std::move(group);
  n.xattrs = read_xattrs(fd.get());
  if (st.st_nlink > 1) links_.emplace(std::make_pair(st.st_dev, st.st_ino), rel);

  FileCacheEntry entry;
  entry.size = static_cast<uint64_t>(st.st_size);
  entry.mtime_ns = n.mtime_ns;
  entry.ctime_ns = n.ctime_ns;
  entry.inode = static_cast<uint64_t>(st.st_ino);
  entry.dev = static_cast<uint64_t>(st.st_dev);
  const FileCacheEntry* cached = nullptr;
  if (options_.old_cache) {
    auto it = options_.old_cache->files.find(rel);
    if (it != options_.old_cache->files.end() && it->second.same_file(entry) &&
        std::all_of(it->second.content.begin(), it->second.content.end(),
                    [&](const repo::BlobId& id) { return sink_.known(id); })) {
      cached = &it->second;
    }
  }
  if (cached) {
    n.content = cached->content;
    n.sha256 = cached->sha256;
    ++stats_.files_cached;
  } else {
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    FF_ASSIGN_OR_RETURN(bool read, read_content(fd.get(), rel, n));
    if (!read) return false;
    // A file that changed while read is stored as read, but not cached.
    struct stat after {};
    if (::fstat(fd.get(), &after) != 0 || after.st_size != st.st_size ||
        after.st_mtim.tv_sec != st.st_mtim.tv_sec || after.st_mtim.tv_nsec != st.st_mtim.tv_nsec ||
        n.size != static_cast<uint64_t>(st.st_size)) {
      warn(rel + ": changed during backup; the stored copy may be inconsistent");
      entry.size = UINT64_MAX;
    }
  }
  if (options_.new_cache && entry.size != UINT64_MAX) {
    entry.content = n.content;
    entry.sha256 = n.sha256;
    options_.new_cache->files[rel] = std::move(entry);
  }
  ++stats_.file_count;
  stats_.byte_count += n.size;
  if (options_.progress) options_.progress(stats_);
  return true;
}

Result<bool> Walker::read_content(int fd, const std::string& rel, repo::Node& n) {
  const size_t max = chunker_.params().max;
  uint8_t* buf = buffer_.data();
  size_t start = 0, end = 0;
  uint64_t left = n.size;  // read no more than lstat said: a growing log stops somewhere
  bool eof = false;
  // A large file's SHA-256 runs on a helper thread while this one computes
  // the chunk ids; it reads buffer_, so it is drained before every refill
  // and on every way out.
  Sha256 sha;
  BackgroundSha* background = nullptr;
  if (n.size >= kBackgroundShaBytes) {
    if (!background_sha_) background_sha_ = std::make_unique<BackgroundSha>();
    background = background_sha_.get();
    background->reset();
  }
  struct DrainOnExit {
    BackgroundSha* sha;
    ~DrainOnExit() {
      if (sha) sha->drain();
    }
  } drain_on_exit{background};
  uint64_t total = 0;
  n.content.clear();
  for (;;) {
    if (!eof && end - start < max) {
      if (background) background->drain();
      if (start > 0) {
        std::memmove(buf, buf + start, end - start);
        end -= start;
        start = 0;
      }
      while (!eof && end < buffer_.size()) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(buffer_.size() - end, left));
        if (want == 0) {
          eof = true;
          break;
        }
        ssize_t r = ::read(fd, buf + end, want);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
          warn(rel + ": read failed (" + errno_text(errno) + "); skipped");
          return false;
        }
        if (r == 0) {
          warn(rel + ": shrank during backup");
          eof = true;
          break;
        }
        end += static_cast<size_t>(r);
        left -= static_cast<uint64_t>(r);
      }
    }
    if (start == end) break;
    if (options_.cancelled && options_.cancelled()) return Unavailable("cancelled");
    size_t len = chunker_.cut(buf + start, end - start);
    std::string_view chunk(reinterpret_cast<const char*>(buf + start), len);
    if (background) {
      background->update(chunk);
    } else {
      sha.update(chunk);
    }
    repo::BlobId id = codec_.id_of(chunk);
    FF_TRY(sink_.add(repo::BlobType::kData, id, chunk));
    n.content.push_back(id);
    start += len;
    total += len;
    stats_.bytes_read += len;
  }
  n.size = total;
  n.sha256 = background ? background->finish_hex() : sha.finish_hex();
  return true;
}

}  // namespace

nlohmann::json root_metadata(const repo::Node& root) {
  return {{"mode", root.mode},
          {"uid", root.uid},
          {"gid", root.gid},
          {"mtime_ns", root.mtime_ns},
          {"atime_ns", root.atime_ns}};
}

std::optional<repo::Node> parse_root_metadata(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  for (const char* k : {"mode", "uid", "gid"}) {
    if (!j.contains(k) || !j[k].is_number_unsigned() || j[k].get<uint64_t>() > UINT32_MAX) {
      return std::nullopt;
    }
  }
  for (const char* k : {"mtime_ns", "atime_ns"}) {
    if (!j.contains(k) || !j[k].is_number_integer()) return std::nullopt;
  }
  repo::Node n;
  n.name = ".";
  n.type = repo::NodeType::kDir;
  n.mode = j["mode"].get<uint32_t>() & 07777;
  n.uid = j["uid"].get<uint32_t>();
  n.gid = j["gid"].get<uint32_t>();
  n.mtime_ns = j["mtime_ns"].get<int64_t>();
  n.atime_ns = j["atime_ns"].get<int64_t>();
  return n;
}

Result<repo::BlobId> walk_tree(const std::string& source_dir, const repo::Codec& codec,
                               BlobSink& sink, const WalkOptions& options, WalkStats& stats) {
  FF_ASSIGN_OR_RETURN(BackupSource source, open_backup_source(source_dir, options.paths));
  const std::vector<std::string>& selected = source.selected;
  const UniqueFd& root = source.root;
  struct stat st {};
  if (::fstat(root.get(), &st) == 0) {
    stats.root = node_from_stat(".", st);
    stats.root.atime_ns = 0;
    stats.root.xattrs = read_xattrs(root.get());
  }
  Walker walker(codec, sink, options, selected, stats);
  ++stats.dir_count;
  return walker.dir(root.get(), "");
}

}  // namespace ff::agent
