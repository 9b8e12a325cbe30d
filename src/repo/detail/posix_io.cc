#include "repo/detail/posix_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ff::repo::detail {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int Fd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status Fd::close_checked(const std::string& what) {
  if (::close(release()) != 0) return errno_status(what + ": close", errno);
  return OkStatus();
}

Status errno_status(const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err);
  switch (err) {
    case EEXIST:
      return Conflict(std::move(message));
    case ENOENT:
      return NotFound(std::move(message));
    case EACCES:
    case EPERM:
      return PermissionDenied(std::move(message));
    default:
      return Unavailable(std::move(message));
  }
}

Result<Fd> open_file(const std::string& path, int flags, int mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno_status(path, errno);
  return Fd(fd);
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("write", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

Result<std::string> read_all(int fd, size_t limit) {
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("read", errno);
    }
    if (n == 0) return out;
    if (out.size() + static_cast<size_t>(n) > limit) return TooLarge("file is too large");
    out.append(buf, static_cast<size_t>(n));
  }
}

Status sync_parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  FF_ASSIGN_OR_RETURN(Fd fd, open_file(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
  if (::fsync(fd.get()) != 0) return errno_status(dir + ": fsync", errno);
  return OkStatus();
}

}  // namespace ff::repo::detail
