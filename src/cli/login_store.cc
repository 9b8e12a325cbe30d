#include "cli/login_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ff::cli {

std::string login_path(const EnvLookup& env) {
  if (auto v = env("FORTFAIL_CONFIG"); v && !v->empty()) return *v;
  if (auto v = env("XDG_CONFIG_HOME"); v && !v->empty()) return *v + "/fortfail/token";
  std::string home = env("HOME").value_or("");
  if (home.empty()) home = ".";
  return home + "/.config/fortfail/token";
}

Result<StoredLogin> load_login(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("not logged in (no " + path + "); run `fortfail login` first");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) {
    return InvalidArgument(path + " is not a fortfail login file; run `fortfail login` again");
  }
  StoredLogin l;
  l.token = j["token"];
  if (j.contains("url") && j["url"].is_string()) l.url = j["url"];
  return l;
}

Status save_login(const std::string& path, const StoredLogin& login) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    bool existed = std::filesystem::exists(parent, ec);
    std::filesystem::create_directories(parent, ec);
    if (ec) return Internal("cannot create " + parent.string() + ": " + ec.message());
    if (!existed) ::chmod(parent.c_str(), 0700);
  }
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  std::string body = nlohmann::json{{"url", login.url}, {"token", login.token}}.dump(2) + "\n";
  bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Internal("cannot write " + path);
  }
  return OkStatus();
}

}  // namespace ff::cli
