// Confined path resolution: a relative path opened beneath a directory file
// descriptor without following a symlink in any component and without leaving
// that directory. Restores use it to reach their target below RESTORE_DIR (or
// an AGENT_RESTORE_ROOTS entry), backups to reach each requested path below
// BACKUP_DIR.
//
// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS
// does the work in the kernel; where it is missing (ENOSYS, kernels before
// 5.6) a walk opens one component at a time with openat(O_NOFOLLOW), each
// relative to the descriptor of the one before, so a component swapped for a
// symlink mid-walk is refused just the same.
//
// Not guaranteed: what happens below the returned descriptor afterwards.
// Callers keep working relative to descriptors (openat, mkdirat, renameat).
//
// Thread-safety: reentrant functions; UniqueFd is a move-only value.
#pragma once

#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ff::agent {

// Owns one file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// The components of a relative path, "." and empty ones dropped.
// kPermissionDenied for an absolute path or a ".." component (never allowed,
// even where it would stay inside). An empty result names the directory itself.
Result<std::vector<std::string>> split_beneath(std::string_view rel);

// Opens `rel` beneath `dir_fd` with `flags` (open(2) flags; O_CLOEXEC is
// added). Symlinks are refused in every component but the last; a last
// component that is a symlink is refused too unless `flags` holds
// O_PATH | O_NOFOLLOW, which returns a descriptor of the link itself.
// Errors name `rel` only (never the directory's host path):
//   kPermissionDenied  absolute, "..", through a symlink, escaping `dir_fd`
//   kNotFound          a component is missing
//   kInvalidArgument   a middle component is not a directory
//   kInternal          anything else
Result<UniqueFd> open_beneath(int dir_fd, std::string_view rel, int flags);

// Opens directory `rel` beneath `dir_fd` (O_RDONLY | O_DIRECTORY), creating
// missing components (mode 0755) one at a time with mkdirat. Same errors as
// open_beneath.
Result<UniqueFd> open_dir_beneath(int dir_fd, std::string_view rel, bool create);

// The component-by-component walk open_beneath falls back to without openat2;
// exposed so tests cover it on kernels that have openat2.
Result<UniqueFd> open_beneath_by_walk_for_test(int dir_fd, std::string_view rel, int flags);

// The absolute path the kernel reports for `fd` (via /proc/self/fd), for
// interfaces that only take paths; empty when unknown.
std::string path_of_fd(int fd);

}  // namespace ff::agent
