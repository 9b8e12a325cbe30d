#include "agent/credential_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ff::agent {

namespace {

std::string path_of(const std::string& dir) { return dir + "/" + kAgentSecretFile; }

Status errno_status(const std::string& what) {
  return Unavailable(what + ": " + std::strerror(errno));
}

Status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("AGENT_STATE_DIR " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return errno_status("AGENT_STATE_DIR " + dir);
  return OkStatus();
}

}  // namespace

Result<std::optional<std::string>> load_agent_secret(const std::string& state_dir) {
  std::string path = path_of(state_dir);
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return errno_status("agent secret " + path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return PermissionDenied("agent secret " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return PermissionDenied("agent secret " + path + " must be readable by its owner only (0600)");
  }
  std::string secret(512, '\0');
  ssize_t n = ::read(fd, secret.data(), secret.size());
  ::close(fd);
  if (n < 0) return errno_status("agent secret " + path);
  secret.resize(static_cast<size_t>(n));
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return PermissionDenied("agent secret " + path + " is empty");
  return std::optional<std::string>(std::move(secret));
}

Status prepare_state_dir(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return Unavailable("AGENT_STATE_DIR " + state_dir + ": " + ec.message());
  ::chmod(state_dir.c_str(), 0700);
  if (::access(state_dir.c_str(), W_OK) != 0) {
    return errno_status("AGENT_STATE_DIR " + state_dir + " is not writable");
  }
  return OkStatus();
}

Status save_agent_secret(const std::string& state_dir, const std::string& secret) {
  FF_TRY(prepare_state_dir(state_dir));
  std::string path = path_of(state_dir);
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return errno_status("agent secret " + tmp);
  std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = errno_status("agent secret " + path);
    ::unlink(tmp.c_str());
    return s;
  }
  return sync_dir(state_dir);
}

Result<std::string> exchange_enrollment_code(client::ApiClient& client, const std::string& agent_id,
                                             const std::string& code) {
  client.set_token("");
  auto r = client.post("/auth/enroll",
                       nlohmann::json{{"agent_id", agent_id}, {"enrollment_code", code}});
  if (!r.ok()) {
    if (r.status().code() == Code::kPermissionDenied) {
      return Unauthenticated("the orchestrator refused the enrollment code: " +
                             r.status().message());
    }
    return r.status().with_context("enrollment");
  }
  if (!r->is_object() || !r->contains("agent_secret") || !(*r)["agent_secret"].is_string()) {
    return Unavailable("enrollment response without agent_secret");
  }
  return (*r)["agent_secret"].get<std::string>();
}

}  // namespace ff::agent
