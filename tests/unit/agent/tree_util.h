// Test helpers: build a sample tree, describe a tree as a manifest (path ->
// type, mode, mtime, size, content hash, link target), write raw tar archives.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "common/hex.h"

namespace ff::agent::testing {

namespace fs = std::filesystem;

inline std::string make_temp_dir(const std::string& prefix) {
  std::string tmpl = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  char* d = ::mkdtemp(tmpl.data());
  return d ? std::string(d) : std::string();
}

inline void write_file(const std::string& path, const std::string& data, mode_t mode = 0644) {
  std::ofstream(path, std::ios::binary) << data;
  ::chmod(path.c_str(), mode);
}

inline void set_mtime(const std::string& path, time_t sec, long nsec = 0) {
  struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
  ::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW);
}

inline std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// Nested and empty dirs, 0-byte and multi-MiB files, symlinks (relative,
// absolute, dangling), a hard link, unicode and space names, modes, mtimes, an xattr.
inline void make_sample_tree(const std::string& root) {
  fs::create_directories(root + "/a/b/c");
  fs::create_directories(root + "/empty dir");
  fs::create_directories(root + "/ünïcødé ✓");
  write_file(root + "/zero", "");
  write_file(root + "/a/small.txt", "hello\n", 0600);
  write_file(root + "/a/b/big.bin", random_bytes(3 * 1024 * 1024 + 17, 7), 0755);
  write_file(root + "/a/b/c/deep file.txt", "deep", 0640);
  write_file(root + "/ünïcødé ✓/naïve – file.txt", "unicode", 0644);
  fs::create_symlink("a/small.txt", root + "/link-rel");
  fs::create_symlink("/etc/hostname", root + "/link-abs");
  fs::create_symlink("does/not/exist", root + "/link-dangling");
  fs::create_hard_link(root + "/a/small.txt", root + "/hard-link.txt");
  ::setxattr((root + "/a/small.txt").c_str(), "user.fortfail", "x1", 2, 0);  // may be unsupported
  ::chmod((root + "/a/b").c_str(), 0750);
  set_mtime(root + "/a/small.txt", 1'600'000'000, 123'456'789);
  set_mtime(root + "/a/b/big.bin", 1'500'000'000);
  set_mtime(root + "/zero", 1'400'000'000);
  set_mtime(root + "/link-rel", 1'300'000'000);
  set_mtime(root + "/a/b/c", 1'200'000'000);
  set_mtime(root + "/a/b", 1'200'000'001);
  set_mtime(root + "/empty dir", 1'200'000'002);
}

// One line per entry (root included as "."), sorted by path.
inline std::map<std::string, std::string> manifest(const std::string& root) {
  std::map<std::string, std::string> m;
  auto describe = [&](const fs::path& p) {
    struct stat st {};
    ::lstat(p.c_str(), &st);
    std::string d = "mode=" + std::to_string(st.st_mode & 07777);
    if (S_ISDIR(st.st_mode)) {
      d = "dir " + d;
    } else if (S_ISLNK(st.st_mode)) {
      d = "link -> " + fs::read_symlink(p).string();
    } else {
      std::ifstream in(p, std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), {});
      d = "file " + d + " size=" + std::to_string(data.size()) + " sha=" + sha256_hex(data) +
          " nlink=" + std::to_string(st.st_nlink);
    }
    if (!S_ISLNK(st.st_mode)) {
      d += " mtime=" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    }
    char value[64];
    ssize_t n = ::lgetxattr(p.c_str(), "user.fortfail", value, sizeof value);
    if (n > 0) d += " xattr=" + std::string(value, static_cast<size_t>(n));
    return d;
  };
  for (auto it = fs::recursive_directory_iterator(root); it != fs::end(it); ++it) {
    m[it->path().lexically_relative(root).string()] = describe(it->path());
  }
  m["."] = describe(root);
  // The root's mtime changes whenever something is created in it; compare its mode only.
  m["."] = m["."].substr(0, m["."].find(" mtime="));
  return m;
}

struct RawEntry {
  std::string name;
  char type = 'f';   // f file, d dir, l symlink, h hard link
  std::string data;  // content, or link target
};

// Writes a zstd-compressed pax tar with exactly these entries (no checks).
inline void write_raw_archive(const std::string& path, const std::vector<RawEntry>& entries) {
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_zstd(a);
  archive_write_open_filename(a, path.c_str());
  for (const auto& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    archive_entry_set_mtime(ae, 1'600'000'000, 0);
    if (e.type == 'f') {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_perm(ae, 0644);
      archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
    } else if (e.type == 'd') {
      archive_entry_set_filetype(ae, AE_IFDIR);
      archive_entry_set_perm(ae, 0755);
    } else if (e.type == 'l') {
      archive_entry_set_filetype(ae, AE_IFLNK);
      archive_entry_set_perm(ae, 0777);
      archive_entry_set_symlink(ae, e.data.c_str());
    } else {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_perm(ae, 0644);
      archive_entry_set_hardlink(ae, e.data.c_str());
    }
    archive_write_header(a, ae);
    if (e.type == 'f' && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
}

inline std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  return sha256_hex(data);
}

}  // namespace ff::agent::testing
