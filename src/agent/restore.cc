#include "agent/restore.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "agent/beneath.h"
#include "agent/paths.h"

namespace ff::agent {

namespace fs = std::filesystem;

namespace {

// Writes the tree back to disk while it is being filled, so the syncfs that
// makes it durable before it gets its final name finds little left to write:
// the disk works beside the restore rather than after it.
class BackgroundWriteback {
 public:
  explicit BackgroundWriteback(int fd) : fd_(fd), thread_([this] { run(); }) {}
  ~BackgroundWriteback() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  BackgroundWriteback(const BackgroundWriteback&) = delete;
  BackgroundWriteback& operator=(const BackgroundWriteback&) = delete;

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping_; })) {
      lock.unlock();
      ::syncfs(fd_);
      lock.lock();
    }
  }
  const int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts once the rest is set
};

std::string marker_name(const std::string& name) { return "." + name + ".fortfail-restore"; }
std::string temp_name(const std::string& name, const std::string& job_id) {
  return "." + name + ".ff-partial-" + job_id;
}

std::string errno_text() { return std::strerror(errno); }

bool exists_at(int dir_fd, const std::string& name) {
  struct stat st {};
  return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool is_empty_dir_at(int dir_fd, const std::string& name) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return false;
  }
  bool empty = true;
  while (dirent* de = ::readdir(d)) {
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

Status write_marker(int dir_fd, const std::string& name, const std::string& job_id,
                    const std::string& snapshot_id) {
  std::string m = marker_name(name);
  std::string tmp = m + ".tmp";
  std::string body = "{\"job_id\":\"" + job_id + "\",\"snapshot_id\":\"" + snapshot_id + "\"}\n";
  int fd =
      ::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write restore marker: " + errno_text());
  bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::renameat(dir_fd, tmp.c_str(), dir_fd, m.c_str()) != 0) {
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    return Internal("cannot write restore marker");
  }
  return OkStatus();
}

// Moves the extracted tree `temp` to `name` (both in dir_fd), replacing what
// the caller decided may be replaced; afterwards `temp` holds the old tree (or nothing).
Status place(int dir_fd, const std::string& temp, const std::string& name,
             const std::string& shown) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) {
      return Internal("cannot move the restored tree into place: " + errno_text());
    }
    return OkStatus();
  }
  bool ours = exists_at(dir_fd, marker_name(name));
  if (!S_ISDIR(st.st_mode) || (!ours && !is_empty_dir_at(dir_fd, name))) {
    return Conflict("restore target " + shown +
                    " already exists and is not an earlier FortFail restore; not replaced");
  }
  if (::renameat2(dir_fd, temp.c_str(), dir_fd, name.c_str(), RENAME_EXCHANGE) == 0) {
    return OkStatus();
  }
  // File systems without RENAME_EXCHANGE: a short window without the final name.
  std::string old = temp + ".old";
  if (::renameat(dir_fd, name.c_str(), dir_fd, old.c_str()) != 0) {
    return Internal("cannot replace the earlier restore: " + errno_text());
  }
  if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) {
    int e = errno;
    ::renameat(dir_fd, old.c_str(), dir_fd, name.c_str());
    return Internal("cannot move the restored tree into place: " + std::string(std::strerror(e)));
  }
  ::renameat(dir_fd, old.c_str(), dir_fd, temp.c_str());
  return OkStatus();
}

std::string strip_trailing_slashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// "/a/b" -> "a/b", so that split_beneath takes absolute paths apart too.
std::string without_leading_slashes(const std::string& p) {
  size_t skip = p.find_first_not_of('/');
  return skip == std::string::npos ? std::string() : p.substr(skip);
}

std::string join(const std::vector<std::string>& comps, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i == 0 ? "" : "/") + comps[i];
  return s;
}

}  // namespace

std::string restore_event_type(RestoreMode mode, std::string_view what) {
  return std::string(mode == RestoreMode::kDrill ? "drill_" : "restore_") + std::string(what);
}

std::string RestoreTarget::path() const {
  std::string p = root == "/" ? "" : root;
  if (!parent.empty()) p += "/" + parent;
  return p + "/" + name;
}

std::string restore_temp_path(const std::string& final_path, const std::string& job_id) {
  fs::path f(final_path);
  return (f.parent_path() / temp_name(f.filename().string(), job_id)).string();
}

Result<RestoreTarget> resolve_restore_target(const std::string& restore_dir,
                                             const std::vector<std::string>& extra_roots,
                                             const std::string& snapshot_id,
                                             const std::string& target_path) {
  std::string main_root = strip_trailing_slashes(fs::path(restore_dir).lexically_normal().string());
  if (target_path.empty()) return RestoreTarget{main_root, "", snapshot_id};
  bool absolute = target_path.front() == '/';
  auto split = split_beneath(without_leading_slashes(target_path));
  if (!split.ok()) {
    return PermissionDenied("target_path '" + target_path +
                            "' is refused: '..' components are not allowed");
  }
  std::vector<std::string> comps = std::move(*split);
  std::string root = main_root;
  if (absolute) {
    size_t best = 0;
    bool found = false;
    std::vector<std::string> roots = {main_root};
    for (const auto& r : extra_roots) roots.push_back(strip_trailing_slashes(r));
    for (const auto& r : roots) {
      auto rc = split_beneath(without_leading_slashes(r));
      if (!rc.ok()) continue;
      if (rc->size() > comps.size() || !std::equal(rc->begin(), rc->end(), comps.begin())) continue;
      if (rc->size() == comps.size()) {
        return ValidationError("target_path: '" + target_path +
                               "' names a restore root itself; give a directory below it");
      }
      if (!found || rc->size() > best) {
        best = rc->size();
        root = r;
        found = true;
      }
    }
    if (!found) {
      return PermissionDenied("target_path '" + target_path +
                              "' is refused: it is outside RESTORE_DIR and AGENT_RESTORE_ROOTS");
    }
    comps.erase(comps.begin(), comps.begin() + static_cast<std::ptrdiff_t>(best));
  }
  if (comps.empty()) {
    return ValidationError("target_path: '" + target_path +
                           "' names a restore root itself; give a directory below it");
  }
  return RestoreTarget{root, join(comps, comps.size() - 1), comps.back()};
}

Result<ExtractResult> install_snapshot(const std::string& archive_path,
                                       const std::string& actual_sha256,
                                       const std::string& expected_sha256,
                                       const RestoreTarget& target, const std::string& job_id,
                                       const std::string& snapshot_id, ExtractOptions options,
                                       const CheckTree& check) {
  if (actual_sha256 != expected_sha256) {
    return IntegrityError("checksum mismatch: expected " + expected_sha256 + ", got " +
                          actual_sha256 + "; nothing was extracted");
  }
  return install_tree(
      target, job_id, snapshot_id, std::move(options),
      [&](int, const std::string& dir, const ExtractOptions& opts) {
        return extract_archive(archive_path, dir, opts);
      },
      check);
}

Result<ExtractResult> install_tree(const RestoreTarget& target, const std::string& job_id,
                                   const std::string& snapshot_id, ExtractOptions options,
                                   const FillTree& fill, const CheckTree& check) {
  // The root is the operator's own setting: created and opened as given.
  std::error_code ec;
  fs::create_directories(target.root, ec);
  UniqueFd root(::open(target.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0) return Internal("cannot open the restore root " + target.root);
  // Everything below it is reached without following a symlink.
  auto parent_fd = open_dir_beneath(root.get(), target.parent, /*create=*/true);
  if (!parent_fd.ok()) return parent_fd.status().with_context("target_path");
  int dfd = parent_fd->get();
  std::string shown = target.parent.empty() ? target.name : target.parent + "/" + target.name;
  struct stat st {};
  if (::fstatat(dfd, target.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
    return PermissionDenied("target_path: '" + shown +
                            "' is refused: it is a symlink, and symlinks are never followed there");
  }
  struct statvfs vfs {};
  if (::fstatvfs(dfd, &vfs) == 0) {
    uint64_t avail = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    if (options.max_bytes > avail) {
      if (options.max_bytes_declared) {
        return TooLarge("not enough free space: the snapshot declares " +
                        std::to_string(options.max_bytes) + " bytes of files, " +
                        std::to_string(avail) + " bytes are free; nothing was extracted");
      }
      options.max_bytes = avail;
      options.max_bytes_why = "the free space on the restore file system";
    }
  }
  std::string dir = path_of_fd(dfd);
  if (dir.empty()) return Internal("cannot name the restore directory");
  std::string temp = temp_name(target.name, job_id);
  FF_TRY(remove_tree(dir + "/" + temp));  // a crashed earlier attempt of this job
  FF_TRY(remove_tree(dir + "/" + temp + ".old"));
  if (::mkdirat(dfd, temp.c_str(), 0700) != 0) {
    return Internal("cannot create the temporary restore directory: " + errno_text());
  }
  Result<ExtractResult> extracted = Internal("not filled");
  {
    UniqueFd temp_fd(::openat(dfd, temp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (temp_fd.get() < 0) {
      extracted = Internal("cannot open the temporary restore directory: " + errno_text());
    } else {
      {
        BackgroundWriteback writeback(temp_fd.get());
        extracted = fill(temp_fd.get(), dir + "/" + temp, options);
      }
      // Durable before it gets its final name (and before a drill reads it back).
      if (extracted.ok()) ::syncfs(temp_fd.get());
      if (extracted.ok() && check) {
        if (Status checked = check(temp_fd.get(), *extracted); !checked.ok()) extracted = checked;
      }
    }
  }
  if (!extracted.ok()) {
    remove_tree(dir + "/" + temp).ignore_error();
    return extracted.status();
  }
  Status placed = place(dfd, temp, target.name, target.path());
  remove_tree(dir + "/" + temp).ignore_error();
  if (!placed.ok()) return placed;
  FF_TRY(write_marker(dfd, target.name, job_id, snapshot_id));
  ::fsync(dfd);
  return extracted;
}

}  // namespace ff::agent
