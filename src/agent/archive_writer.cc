#include "agent/archive_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "agent/archive_error.h"
#include "agent/backup_source.h"
#include "agent/beneath.h"
#include "agent/paths.h"
#include "common/hex.h"

namespace ff::agent {

namespace {

constexpr size_t kBufferSize = 1 << 20;

std::string errno_text(int e) { return std::strerror(e); }

// The archive's output: every compressed byte goes through SHA-256 to the file.
struct Sink {
  int fd = -1;
  Sha256 hash;
  uint64_t size = 0;
  int error = 0;
};

la_ssize_t sink_write(struct archive*, void* user, const void* buf, size_t n) {
  auto* s = static_cast<Sink*>(user);
  const char* p = static_cast<const char*>(buf);
  size_t left = n;
  while (left > 0) {
    ssize_t w = ::write(s->fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      s->error = errno;
      return -1;
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  s->hash.update(buf, n);
  s->size += n;
  return static_cast<la_ssize_t>(n);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// Walks the tree relative to directory descriptors, never following a
// symlink: each entry is looked at with fstatat(AT_SYMLINK_NOFOLLOW) and
// opened with O_NOFOLLOW relative to its parent's descriptor, so a component
// swapped for a symlink during the walk is not followed either.
class Walker {
 public:
  Walker(struct archive* a, int root_fd, const ArchiveOptions& options, ArchiveResult& result)
      : a_(a), root_fd_(root_fd), options_(options), result_(result), buffer_(kBufferSize) {}

  // Archives `rel` ("." for the root), reached beneath the root without
  // following symlinks (kPermissionDenied when it would go through one), and
  // for a directory with `recurse` everything below.
  Status add(const std::string& rel, bool recurse);

 private:
  void warn(std::string text) {
    if (result_.warnings.size() < options_.max_warnings) {
      result_.warnings.push_back(std::move(text));
    } else {
      ++result_.warnings_dropped;
    }
  }
  // `name` in directory `dir_fd`, archived as `rel`.
  Status add_at(int dir_fd, const std::string& name, const std::string& rel, bool recurse);
  Status write_header(archive_entry* e, const std::string& rel);
  Status add_file(int dir_fd, const std::string& name, const std::string& rel,
                  const struct stat& lst);
  Status add_dir(int dir_fd, const std::string& name, const std::string& rel, const struct stat& st,
                 bool recurse);
  void add_xattrs(archive_entry* e, int fd);

  struct archive* a_;
  int root_fd_;
  const ArchiveOptions& options_;
  ArchiveResult& result_;
  std::vector<char> buffer_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;  // first path of each multi-link inode
};

Status Walker::write_header(archive_entry* e, const std::string& rel) {
  int r = archive_write_header(a_, e);
  if (r == ARCHIVE_WARN) {
    warn(rel + ": " + archive_message(a_));
  } else if (r != ARCHIVE_OK) {
    return Internal("archive header for '" + rel + "': " + archive_message(a_));
  }
  return OkStatus();
}

void Walker::add_xattrs(archive_entry* e, int fd) {
  char names[16384];
  ssize_t n = flistxattr(fd, names, sizeof names);
  if (n <= 0) return;
  std::vector<char> value(65536);
  for (ssize_t i = 0; i < n;) {
    const char* name = names + i;
    size_t len = std::strlen(name);
    i += static_cast<ssize_t>(len) + 1;
    ssize_t v = fgetxattr(fd, name, value.data(), value.size());
    if (v < 0) continue;
    archive_entry_xattr_add_entry(e, name, value.data(), static_cast<size_t>(v));
  }
}

Status Walker::add(const std::string& rel, bool recurse) {
  if (rel == ".") return add_at(root_fd_, ".", ".", recurse);
  size_t slash = rel.rfind('/');
  std::string parent = slash == std::string::npos ? "." : rel.substr(0, slash);
  std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  auto dir = open_beneath(root_fd_, parent, O_PATH | O_DIRECTORY);
  if (!dir.ok()) {
    if (dir.status().code() == Code::kNotFound) {
      warn(rel + ": vanished during backup");
      return OkStatus();
    }
    if (dir.status().code() == Code::kPermissionDenied) {
      return PermissionDenied("path '" + rel +
                              "' is refused: it goes through a symlink below BACKUP_DIR, and "
                              "backups never follow symlinks");
    }
    return dir.status();
  }
  return add_at(dir->get(), name, rel, recurse);
}

Status Walker::add_at(int dir_fd, const std::string& name, const std::string& rel, bool recurse) {
  if (options_.cancelled && options_.cancelled()) return Unavailable("cancelled");
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      if (rel == ".") return NotFound("backup source does not exist");
      warn(rel + ": vanished during backup");
      return OkStatus();
    }
    warn(rel + ": " + errno_text(errno));
    return OkStatus();
  }
  if (S_ISDIR(st.st_mode)) return add_dir(dir_fd, name, rel, st, recurse);
  if (rel == ".") return InvalidArgument("backup source is not a directory");
  if (S_ISREG(st.st_mode)) return add_file(dir_fd, name, rel, st);
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
    if (n < 0) {
      warn(rel + ": vanished during backup");
      return OkStatus();
    }
    target.resize(static_cast<size_t>(n));
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_set_size(e.get(), 0);
    archive_entry_copy_pathname(e.get(), rel.c_str());
    archive_entry_copy_symlink(e.get(), target.c_str());
    ++result_.symlink_count;
    return write_header(e.get(), rel);
  }
  warn(rel + ": special file (socket, FIFO or device) skipped");
  return OkStatus();
}

Status Walker::add_dir(int dir_fd, const std::string& name, const std::string& rel,
                       const struct stat& st, bool recurse) {
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0 && recurse) {
    if (rel == ".") return Internal("cannot open backup source: " + errno_text(errno));
    warn(rel + (errno == ENOENT                      ? ": vanished during backup"
                : errno == ELOOP || errno == ENOTDIR ? ": replaced during backup; skipped"
                                                     : ": " + errno_text(errno)));
    return OkStatus();
  }
  std::vector<std::string> names;
  if (recurse) {
    DIR* d = ::fdopendir(::dup(fd.get()));
    if (d == nullptr) {
      warn(rel + ": " + errno_text(errno));
      return OkStatus();
    }
    while (dirent* de = ::readdir(d)) {
      std::string n = de->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
  archive_entry_copy_stat(e.get(), &st);
  archive_entry_set_size(e.get(), 0);
  archive_entry_copy_pathname(e.get(), rel.c_str());
  if (fd.get() >= 0) add_xattrs(e.get(), fd.get());
  ++result_.dir_count;
  FF_TRY(write_header(e.get(), rel));
  for (const auto& n : names) {
    FF_TRY(add_at(fd.get(), n, rel == "." ? n : rel + "/" + n, true));
  }
  return OkStatus();
}

Status Walker::add_file(int dir_fd, const std::string& name, const std::string& rel,
                        const struct stat& lst) {
  std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
  if (lst.st_nlink > 1) {
    auto key = std::make_pair(lst.st_dev, lst.st_ino);
    auto it = links_.find(key);
    if (it != links_.end()) {
      archive_entry_copy_stat(e.get(), &lst);
      archive_entry_set_size(e.get(), 0);
      archive_entry_copy_pathname(e.get(), rel.c_str());
      archive_entry_copy_hardlink(e.get(), it->second.c_str());
      ++result_.hardlink_count;
      ++result_.file_count;
      return write_header(e.get(), rel);
    }
  }
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM)
    fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    warn(rel + (errno == ENOENT  ? ": vanished during backup"
                : errno == ELOOP ? ": replaced by a symlink during backup; skipped"
                                 : ": " + errno_text(errno)));
    return OkStatus();
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    warn(rel + ": changed type during backup; skipped");
    return OkStatus();
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  if (st.st_nlink > 1) links_.emplace(std::make_pair(st.st_dev, st.st_ino), rel);
  archive_entry_copy_stat(e.get(), &st);
  archive_entry_copy_pathname(e.get(), rel.c_str());
  add_xattrs(e.get(), fd);
  Status hs = write_header(e.get(), rel);
  if (!hs.ok()) {
    ::close(fd);
    return hs;
  }
  uint64_t want = static_cast<uint64_t>(st.st_size), done = 0;
  bool short_read = false;
  while (done < want) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), want - done));
    ssize_t n = ::read(fd, buffer_.data(), chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      short_read = true;
      break;
    }
    if (archive_write_data(a_, buffer_.data(), static_cast<size_t>(n)) < 0) {
      ::close(fd);
      return Internal("archive data for '" + rel + "': " + archive_message(a_));
    }
    done += static_cast<uint64_t>(n);
    result_.byte_count += static_cast<uint64_t>(n);
    if (options_.progress) options_.progress(result_.byte_count);
  }
  if (short_read) {
    // The header promised `want` bytes: pad, and say so.
    std::fill(buffer_.begin(), buffer_.end(), 0);
    while (done < want) {
      size_t chunk = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), want - done));
      if (archive_write_data(a_, buffer_.data(), chunk) < 0) {
        ::close(fd);
        return Internal("archive data for '" + rel + "': " + archive_message(a_));
      }
      done += chunk;
      // Counted: byte_count is the file content the archive holds, which
      // restores check against (archive_extract.h).
      result_.byte_count += chunk;
    }
    warn(rel + ": shrank during backup; padded with zeros to its original size");
  } else {
    struct stat after {};
    if (::fstat(fd, &after) == 0 &&
        (after.st_size != st.st_size || after.st_mtim.tv_sec != st.st_mtim.tv_sec ||
         after.st_mtim.tv_nsec != st.st_mtim.tv_nsec)) {
      warn(rel + ": changed during backup; the archived copy may be inconsistent");
    }
  }
  ::close(fd);
  ++result_.file_count;
  return OkStatus();
}

}  // namespace

Result<ArchiveResult> write_archive(const std::string& source_dir, const std::string& out_path,
                                    const ArchiveOptions& options) {
  FF_ASSIGN_OR_RETURN(BackupSource source, open_backup_source(source_dir, options.paths));
  const std::vector<std::string>& roots = source.selected;
  const UniqueFd& root = source.root;

  Sink sink;
  sink.fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (sink.fd < 0) return Internal("cannot create archive file: " + errno_text(errno));
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_write_new());
  archive_write_set_format_pax(a.get());  // full pax: keeps sub-second mtimes
  archive_write_add_filter_zstd(a.get());
  archive_write_set_filter_option(a.get(), "zstd", "compression-level",
                                  std::to_string(options.zstd_level).c_str());
  int threads = options.zstd_threads > 0 ? options.zstd_threads
                                         : static_cast<int>(std::thread::hardware_concurrency());
  // Older libarchive builds lack the option; compression then stays single-threaded.
  (void)archive_write_set_filter_option(a.get(), "zstd", "threads",
                                        std::to_string(std::max(threads, 1)).c_str());
  archive_write_set_bytes_per_block(a.get(), 64 * 1024);
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open2(a.get(), &sink, nullptr, sink_write, nullptr, nullptr) != ARCHIVE_OK) {
    ::close(sink.fd);
    return Internal(std::string("cannot start archive: ") + archive_message(a.get()));
  }

  ArchiveResult result;
  Walker walker(a.get(), root.get(), options, result);
  Status s;
  if (roots.empty()) {
    s = walker.add(".", true);
  } else {
    // The root entry itself (not its other children), then each named subtree
    // with its parent directories.
    s = walker.add(".", false);
    std::vector<std::string> parents_done;
    for (const auto& r : roots) {
      if (!s.ok()) break;
      size_t pos = 0;
      while ((pos = r.find('/', pos)) != std::string::npos && s.ok()) {
        std::string parent = r.substr(0, pos++);
        if (std::find(parents_done.begin(), parents_done.end(), parent) == parents_done.end()) {
          parents_done.push_back(parent);
          s = walker.add(parent, false);
        }
      }
      if (s.ok()) s = walker.add(r, true);
    }
  }
  if (s.ok() && archive_write_close(a.get()) != ARCHIVE_OK) {
    s = Internal(std::string("cannot finish archive: ") + archive_message(a.get()));
  }
  if (s.ok() && sink.error != 0) s = Internal("archive write failed: " + errno_text(sink.error));
  // No fsync: the spool file is read back at once by the upload, which the
  // orchestrator checks against `sha256`; after a crash the backup starts
  // over with a new archive, so durability here would buy nothing.
  ::close(sink.fd);
  if (!s.ok()) {
    ::unlink(out_path.c_str());
    return s;
  }
  result.sha256 = sink.hash.finish_hex();
  result.size = sink.size;
  return result;
}

}  // namespace ff::agent
