#include "agent/file_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/hex.h"

namespace ff::agent {

namespace {

constexpr char kHeader[] = "fortfail-filecache v2\n";
constexpr std::string_view kPackPrefix = "pack ";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool from_hex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

// Splits off the next space-separated field of `line`.
std::string_view next_field(std::string_view& line) {
  size_t sp = line.find(' ');
  std::string_view f = line.substr(0, sp);
  line = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  return f;
}

template <typename T>
bool parse_number(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool parse_chunks(std::string_view list, size_t pack_count, FileCacheEntry* e) {
  if (list == "-") return true;
  while (true) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    size_t colon = item.find(':');
    if (colon == std::string_view::npos) return false;
    auto id = repo::parse_blob_id(item.substr(0, colon));
    uint32_t pack = 0;
    if (!id.ok() || !parse_number(item.substr(colon + 1), &pack) || pack >= pack_count) {
      return false;
    }
    e->content.push_back(*id);
    e->packs.push_back(pack);
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

bool parse_line(std::string_view line, size_t pack_count, std::string* path, FileCacheEntry* e) {
  std::string_view path_hex = next_field(line);
  if (!parse_number(next_field(line), &e->size) || !parse_number(next_field(line), &e->mtime_ns) ||
      !parse_number(next_field(line), &e->ctime_ns) || !parse_number(next_field(line), &e->inode) ||
      !parse_number(next_field(line), &e->dev)) {
    return false;
  }
  e->sha256 = std::string(next_field(line));
  std::string_view chunks = next_field(line);
  if (!line.empty() || !from_hex(path_hex, path) || path->empty() || !is_lower_hex(e->sha256, 64)) {
    return false;
  }
  return parse_chunks(chunks, pack_count, e);
}

}  // namespace

std::string file_cache_path(const std::string& state_dir, const std::string& namespace_name) {
  return state_dir + "/filecache-" + namespace_name + ".v2";
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
  size_t line_no = 1;
  while (std::getline(f, line)) {
    ++line_no;
    if (line.rfind("end ", 0) == 0) {
      if (line.substr(4) != hash.finish_hex()) return damaged("checksum mismatch");
      if (f.peek() != EOF) return damaged("data after the end line");
      return cache;
    }
    if (line.rfind(kPackPrefix, 0) == 0 && cache.files.empty()) {
      std::string id = line.substr(kPackPrefix.size());
      if (!is_lower_hex(id, 64)) return damaged("bad pack line " + std::to_string(line_no));
      cache.packs.push_back(std::move(id));
    } else {
      std::string p;
      FileCacheEntry e;
      if (!parse_line(line, cache.packs.size(), &p, &e)) {
        return damaged("bad line " + std::to_string(line_no));
      }
      cache.files[std::move(p)] = std::move(e);
    }
    hash.update(line);
    hash.update("\n");
  }
  return damaged("truncated (no end line)");
}

Status save_file_cache(const std::string& path, const FileCache& cache) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::vector<const std::pair<const std::string, FileCacheEntry>*> sorted;
  sorted.reserve(cache.files.size());
  for (const auto& kv : cache.files) {
    const FileCacheEntry& e = kv.second;
    if (e.packs.size() != e.content.size() ||
        std::any_of(e.packs.begin(), e.packs.end(),
                    [&](uint32_t p) { return p >= cache.packs.size(); })) {
      return InvalidArgument("file cache: the packs of " + kv.first + " are not resolved");
    }
    sorted.push_back(&kv);
  }
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  std::string body = kHeader;
  for (const std::string& pack : cache.packs) {
    body.append(kPackPrefix).append(pack).push_back('\n');
  }
  for (const auto* kv : sorted) {
    const FileCacheEntry& e = kv->second;
    body += to_hex(kv->first) + " " + std::to_string(e.size) + " " + std::to_string(e.mtime_ns) +
            " " + std::to_string(e.ctime_ns) + " " + std::to_string(e.inode) + " " +
            std::to_string(e.dev) + " " + e.sha256 + " ";
    if (e.content.empty()) body += "-";
    for (size_t i = 0; i < e.content.size(); ++i) {
      if (i) body.push_back(',');
      body.append(repo::blob_id_hex(e.content[i])).push_back(':');
      body.append(std::to_string(e.packs[i]));
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
  // The v1 cache of the same namespace (no packs) would never be read again.
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".v2") == 0) {
    ::unlink((path.substr(0, path.size() - 3) + ".v1").c_str());
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return OkStatus();
}

}  // namespace ff::agent
