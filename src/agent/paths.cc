#include "agent/paths.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

namespace ff::agent {

namespace fs = std::filesystem;

bool is_contained_name(std::string_view name) {
  if (name.empty() || name.front() == '/') return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<std::string> relative_inside(const std::string& root, const std::string& path) {
  fs::path p(path);
  fs::path r = fs::path(root).lexically_normal();
  fs::path rel =
      p.is_absolute() ? p.lexically_normal().lexically_relative(r) : p.lexically_normal();
  std::string s = rel.generic_string();
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s.empty() || s == "." || !is_contained_name(s)) {
    return InvalidArgument("path '" + path + "' is not inside the backup directory");
  }
  return s;
}

Status remove_tree(const std::string& path) {
  std::error_code ec;
  auto st = fs::symlink_status(path, ec);
  if (ec || st.type() == fs::file_type::not_found) return OkStatus();
  if (st.type() == fs::file_type::directory) {
    ::chmod(path.c_str(), 0700);
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0700);
    }
  }
  ec.clear();
  fs::remove_all(path, ec);
  if (ec)
    return Internal("cannot remove " + fs::path(path).filename().string() + ": " + ec.message());
  return OkStatus();
}

}  // namespace ff::agent
