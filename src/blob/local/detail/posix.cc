#include "blob/local/detail/posix.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ff::blob::detail {

Status errno_status(std::string_view op, std::string_view key, int err) {
  std::string msg =
      "local store: " + std::string(op) + " " + std::string(key) + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return NotFound(std::move(msg));
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EAGAIN:
      return Unavailable(std::move(msg));
    default:
      return Internal(std::move(msg));
  }
}

Status write_all(int fd, std::string_view data, std::string_view key) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("write", key, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return OkStatus();
}

Status sync_dir(const std::string& dir, std::string_view key) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("open directory of", key, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return errno_status("sync directory of", key, err);
  return OkStatus();
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status create_dirs_durable(const std::string& root, const std::string& dir, std::string_view key) {
  if (dir.size() <= root.size()) return OkStatus();
  // Walk the components below root, creating what is missing.
  size_t pos = root.size();
  while (pos < dir.size()) {
    size_t next = dir.find('/', pos + 1);
    if (next == std::string::npos) next = dir.size();
    const std::string current = dir.substr(0, next);
    if (::mkdir(current.c_str(), 0755) == 0) {
      FF_TRY(sync_dir(parent_dir(current), key));
    } else if (errno != EEXIST) {
      return errno_status("create directory for", key, errno);
    }
    pos = next;
  }
  return OkStatus();
}

}  // namespace ff::blob::detail
