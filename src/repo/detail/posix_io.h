// The few POSIX file calls the repository library makes itself (key files
// need O_EXCL and a mode; packs keep one descriptor open while blobs arrive),
// mapped to Status. Messages name the operation and the path given by the
// caller: these files are local to the agent or CLI, never a client's.
//
// Thread-safety: an Fd from one thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ff::repo::detail {

// Owns a file descriptor; closes it on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  int release();
  void reset();
  // close(2) with its result: the last chance to learn a write failed.
  Status close_checked(const std::string& what);

 private:
  int fd_ = -1;
};

// EEXIST -> kConflict, ENOENT -> kNotFound, EACCES/EPERM -> kPermissionDenied,
// anything else kUnavailable (a disk may come back).
Status errno_status(const std::string& what, int err);
Result<Fd> open_file(const std::string& path, int flags, int mode);
Status write_all(int fd, std::string_view data);
// Reads to the end of the file; kTooLarge past `limit` bytes.
Result<std::string> read_all(int fd, size_t limit);
// Makes a creation in the file's directory durable.
Status sync_parent_dir(const std::string& path);

}  // namespace ff::repo::detail
