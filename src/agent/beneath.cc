#include "agent/beneath.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>

namespace ff::agent {

namespace {

Status symlink_refused(std::string_view rel) {
  return PermissionDenied("'" + std::string(rel) +
                          "' is refused: it goes through a symlink, and symlinks are never "
                          "followed there");
}

// Maps a failed open of component `comp` (looked up in `parent_fd`) to a Status.
Status classify(int err, int parent_fd, const std::string& comp, std::string_view rel) {
  std::string r(rel);
  if (err == ENOTDIR || err == ELOOP) {
    struct stat st {};
    if (err == ELOOP ||
        (::fstatat(parent_fd, comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)))
      return symlink_refused(rel);
    return InvalidArgument("'" + r + "': a component is not a directory");
  }
  if (err == EXDEV) return PermissionDenied("'" + r + "' is refused: it leaves its root");
  if (err == ENOENT) return NotFound("'" + r + "' does not exist");
  return Internal("'" + r + "': " + std::strerror(err));
}

std::string join(const std::vector<std::string>& comps) {
  std::string s;
  for (const auto& c : comps) s += (s.empty() ? "" : "/") + c;
  return s.empty() ? "." : s;
}

Result<UniqueFd> walk(int dir_fd, std::string_view rel, const std::vector<std::string>& comps,
                      int flags) {
  if (comps.empty()) {
    int fd = ::openat(dir_fd, ".", flags | O_CLOEXEC);
    if (fd < 0) return classify(errno, dir_fd, ".", rel);
    return UniqueFd(fd);
  }
  UniqueFd cur;
  auto at = [&] { return cur.get() >= 0 ? cur.get() : dir_fd; };
  for (size_t i = 0; i + 1 < comps.size(); ++i) {
    int fd = ::openat(at(), comps[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return classify(errno, at(), comps[i], rel);
    cur = UniqueFd(fd);
  }
  int fd = ::openat(at(), comps.back().c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return classify(errno, at(), comps.back(), rel);
  return UniqueFd(fd);
}

std::atomic<bool> g_no_openat2{false};

}  // namespace

Result<std::vector<std::string>> split_beneath(std::string_view rel) {
  if (!rel.empty() && rel.front() == '/') {
    return PermissionDenied("'" + std::string(rel) + "' is refused: it is an absolute path");
  }
  std::vector<std::string> comps;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view c = rel.substr(start, end - start);
    if (c == "..") {
      return PermissionDenied("'" + std::string(rel) +
                              "' is refused: '..' components are not allowed");
    }
    if (!c.empty() && c != ".") comps.emplace_back(c);
    start = end + 1;
  }
  return comps;
}

Result<UniqueFd> open_beneath_by_walk_for_test(int dir_fd, std::string_view rel, int flags) {
  FF_ASSIGN_OR_RETURN(auto comps, split_beneath(rel));
  return walk(dir_fd, rel, comps, flags);
}

Result<UniqueFd> open_beneath(int dir_fd, std::string_view rel, int flags) {
  FF_ASSIGN_OR_RETURN(auto comps, split_beneath(rel));
  if (!g_no_openat2.load(std::memory_order_relaxed)) {
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    std::string path = join(comps);
    long fd = ::syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    int err = errno;
    if (err != ENOSYS) {
      if (err == ELOOP) return symlink_refused(rel);
      // Which component failed is unknown here: let the walk find and name it.
      if (err == ENOTDIR) return walk(dir_fd, rel, comps, flags);
      return classify(err, dir_fd, comps.empty() ? "." : comps.back(), rel);
    }
    g_no_openat2.store(true, std::memory_order_relaxed);
  }
  return walk(dir_fd, rel, comps, flags);
}

Result<UniqueFd> open_dir_beneath(int dir_fd, std::string_view rel, bool create) {
  FF_ASSIGN_OR_RETURN(auto comps, split_beneath(rel));
  if (!create) return open_beneath(dir_fd, rel, O_RDONLY | O_DIRECTORY);
  UniqueFd cur;
  auto at = [&] { return cur.get() >= 0 ? cur.get() : dir_fd; };
  for (const auto& c : comps) {
    int fd = ::openat(at(), c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      if (::mkdirat(at(), c.c_str(), 0755) != 0 && errno != EEXIST) {
        return classify(errno, at(), c, rel);
      }
      fd = ::openat(at(), c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) return classify(errno, at(), c, rel);
    cur = UniqueFd(fd);
  }
  int fd = ::openat(at(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return classify(errno, at(), ".", rel);
  return UniqueFd(fd);
}

std::string path_of_fd(int fd) {
  char buf[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0 || buf[0] != '/') return "";
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace ff::agent
