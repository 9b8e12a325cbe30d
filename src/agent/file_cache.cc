#include "agent/file_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/hex.h"

namespace ff::agent {

namespace {

constexpr char kHeader[] = "fortfail-filecache v1\n";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool from_hex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

bool parse_line(const std::string& line, std::string* path, FileCacheEntry* e) {
  std::istringstream in(line);
  std::string path_hex, ids;
  if (!(in >> path_hex >> e->size >> e->mtime_ns >> e->ctime_ns >> e->inode >> e->dev >>
        e->sha256 >> ids)) {
    return false;
  }
  if (!from_hex(path_hex, path) || path->empty() || !is_lower_hex(e->sha256, 64)) return false;
  if (ids == "-") return true;
  size_t start = 0;
  while (start <= ids.size()) {
    size_t end = std::min(ids.find(',', start), ids.size());
    auto id = repo::parse_blob_id(std::string_view(ids).substr(start, end - start));
    if (!id.ok()) return false;
    e->content.push_back(*id);
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string file_cache_path(const std::string& state_dir, const std::string& namespace_name) {
  return state_dir + "/filecache-" + namespace_name + ".v1";
}

Result<FileCache> load_file_cache(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    if (errno == ENOENT) return NotFound("no file cache");
    return DataLoss("file cache " + path + ": cannot read: " + std::strerror(errno));
  }
  auto damaged = [&](const std::string& why) {
    return DataLoss("file cache " + path + ": " + why);
  };
  std::string line;
  if (!std::getline(f, line) || line + "\n" != kHeader) {
    return damaged("unknown format or version");
  }
  Sha256 hash;
  hash.update(kHeader);
  FileCache cache;
  while (std::getline(f, line)) {
    if (line.rfind("end ", 0) == 0) {
      if (line.substr(4) != hash.finish_hex()) return damaged("checksum mismatch");
      if (f.peek() != EOF) return damaged("data after the end line");
      return cache;
    }
    std::string p;
    FileCacheEntry e;
    if (!parse_line(line, &p, &e)) return damaged("bad line " + std::to_string(cache.size() + 2));
    hash.update(line);
    hash.update("\n");
    cache[p] = std::move(e);
  }
  return damaged("truncated (no end line)");
}

Status save_file_cache(const std::string& path, const FileCache& cache) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::vector<const FileCache::value_type*> sorted;
  sorted.reserve(cache.size());
  for (const auto& kv : cache) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  std::string body = kHeader;
  for (const auto* kv : sorted) {
    const FileCacheEntry& e = kv->second;
    body += to_hex(kv->first) + " " + std::to_string(e.size) + " " + std::to_string(e.mtime_ns) +
            " " + std::to_string(e.ctime_ns) + " " + std::to_string(e.inode) + " " +
            std::to_string(e.dev) + " " + e.sha256 + " ";
    if (e.content.empty()) body += "-";
    for (size_t i = 0; i < e.content.size(); ++i) {
      body += (i ? "," : "") + repo::blob_id_hex(e.content[i]);
    }
    body += "\n";
  }
  body += "end " + sha256_hex(body) + "\n";
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Internal("file cache: cannot create " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < body.size()) {
    ssize_t w = ::write(fd, body.data() + done, body.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    done += static_cast<size_t>(w);
  }
  bool ok = done == body.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Internal("file cache: cannot write " + path);
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return OkStatus();
}

}  // namespace ff::agent
