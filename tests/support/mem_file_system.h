// MemFileSystem: an in-memory sys::FileSystem for unit tests. It keeps, per file,
// how many bytes the last sync() covered, so tests can tell durable bytes from
// unsynced ones (FaultFileSystem simulates the power loss itself).
//
// Semantics follow POSIX where tests can notice: a file's directory must exist
// ("/" and "" always do), open handles keep working on a removed or renamed file,
// a reader sees bytes appended after it opened, truncating past the end pads
// with zeros. Truncation counts as durable.
//
// Thread-safety: safe from many threads (one mutex); each handle from one thread
// at a time, as sys::FileSystem requires.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "sys/file_system.h"

namespace ff::testing {

class MemFileSystem final : public sys::FileSystem {
 public:
  MemFileSystem() : state_(std::make_shared<State>()) {}

  Result<std::unique_ptr<sys::SequentialFile>> open_sequential(const std::string& path) override {
    std::lock_guard lock(state_->mu);
    auto it = state_->files.find(path);
    if (it == state_->files.end()) return NotFound("file not found");
    return std::unique_ptr<sys::SequentialFile>(new SequentialFile(state_, it->second));
  }
  Result<std::unique_ptr<sys::WritableFile>> open_appendable(const std::string& path) override {
    return open(path, /*truncate=*/false);
  }
  Result<std::unique_ptr<sys::WritableFile>> open_writable(const std::string& path) override {
    return open(path, /*truncate=*/true);
  }
  Result<bool> exists(const std::string& path) override {
    std::lock_guard lock(state_->mu);
    return state_->files.count(path) > 0 || state_->dir_exists(path);
  }
  Result<uint64_t> file_size(const std::string& path) override {
    std::lock_guard lock(state_->mu);
    auto it = state_->files.find(path);
    if (it == state_->files.end()) return NotFound("file not found");
    return static_cast<uint64_t>(it->second->data.size());
  }
  Status truncate(const std::string& path, uint64_t size) override {
    std::lock_guard lock(state_->mu);
    auto it = state_->files.find(path);
    if (it == state_->files.end()) return NotFound("file not found");
    File& f = *it->second;
    f.data.resize(size, '\0');
    f.synced = std::min<uint64_t>(f.synced, size);
    return OkStatus();
  }
  Status rename(const std::string& from, const std::string& to) override {
    std::lock_guard lock(state_->mu);
    auto it = state_->files.find(from);
    if (it == state_->files.end()) return NotFound("file not found");
    if (!state_->dir_exists(parent_of(to))) return NotFound("directory not found");
    std::shared_ptr<File> f = it->second;
    state_->files.erase(it);
    state_->files[to] = std::move(f);
    return OkStatus();
  }
  Status remove(const std::string& path) override {
    std::lock_guard lock(state_->mu);
    if (state_->files.erase(path) == 0) return NotFound("file not found");
    return OkStatus();
  }
  Status create_dirs(const std::string& path) override {
    std::lock_guard lock(state_->mu);
    std::string dir = path;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    for (size_t i = 1; i <= dir.size(); ++i) {
      if (i == dir.size() || dir[i] == '/') state_->dirs.insert(dir.substr(0, i));
    }
    return OkStatus();
  }
  Status sync_dir(const std::string& path) override {
    std::lock_guard lock(state_->mu);
    if (!state_->dir_exists(path)) return NotFound("directory not found");
    return OkStatus();
  }
  Result<std::vector<std::string>> list(const std::string& dir) override {
    std::lock_guard lock(state_->mu);
    if (!state_->dir_exists(dir)) return NotFound("directory not found");
    std::vector<std::string> names;
    for (const auto& [path, file] : state_->files) {
      if (parent_of(path) == dir) names.push_back(path.substr(path.rfind('/') + 1));
    }
    for (const std::string& d : state_->dirs) {
      if (d != dir && parent_of(d) == dir) names.push_back(d.substr(d.rfind('/') + 1));
    }
    return names;
  }

  // Test helpers. REQUIRES for the getters: the file exists.
  std::string contents(const std::string& path) const {
    std::lock_guard lock(state_->mu);
    return state_->files.at(path)->data;
  }
  // Creates or replaces `path` with `data`, all of it synced.
  void set_contents(const std::string& path, std::string data) {
    std::lock_guard lock(state_->mu);
    auto& f = state_->files[path];
    if (!f) f = std::make_shared<File>();
    f->data = std::move(data);
    f->synced = f->data.size();
  }
  uint64_t synced_size(const std::string& path) const {
    std::lock_guard lock(state_->mu);
    return state_->files.at(path)->synced;
  }
  uint64_t unsynced_bytes(const std::string& path) const {
    std::lock_guard lock(state_->mu);
    const File& f = *state_->files.at(path);
    return f.data.size() - f.synced;
  }

  // "/a/b" -> "/a", "/a" -> "/", "a" -> "".
  static std::string parent_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return "";
    if (slash == 0) return "/";
    return path.substr(0, slash);
  }

 private:
  struct File {
    std::string data;     // guarded by State::mu
    uint64_t synced = 0;  // guarded by State::mu: bytes covered by the last sync
  };
  struct State {
    std::mutex mu;
    std::map<std::string, std::shared_ptr<File>> files;  // guarded by mu
    std::set<std::string> dirs;                          // guarded by mu
    bool dir_exists(const std::string& d) const {
      return d.empty() || d == "/" || dirs.count(d) > 0;
    }
  };

  class WritableFile final : public sys::WritableFile {
   public:
    WritableFile(std::shared_ptr<State> state, std::shared_ptr<File> file)
        : state_(std::move(state)), file_(std::move(file)) {}
    Status append(std::string_view data) override {
      std::lock_guard lock(state_->mu);
      if (closed_) return Internal("append after close");
      file_->data.append(data);
      return OkStatus();
    }
    Status sync() override {
      std::lock_guard lock(state_->mu);
      if (closed_) return Internal("sync after close");
      file_->synced = file_->data.size();
      return OkStatus();
    }
    Status close() override {
      std::lock_guard lock(state_->mu);
      closed_ = true;
      return OkStatus();
    }

   private:
    std::shared_ptr<State> state_;
    std::shared_ptr<File> file_;
    bool closed_ = false;  // guarded by state_->mu
  };

  class SequentialFile final : public sys::SequentialFile {
   public:
    SequentialFile(std::shared_ptr<State> state, std::shared_ptr<File> file)
        : state_(std::move(state)), file_(std::move(file)) {}
    Status read(size_t n, std::string* out) override {
      std::lock_guard lock(state_->mu);
      const std::string& data = file_->data;
      size_t start = std::min(pos_, data.size());
      out->assign(data, start, std::min(n, data.size() - start));
      pos_ = start + out->size();
      return OkStatus();
    }

   private:
    std::shared_ptr<State> state_;
    std::shared_ptr<File> file_;
    size_t pos_ = 0;
  };

  Result<std::unique_ptr<sys::WritableFile>> open(const std::string& path, bool truncate) {
    std::lock_guard lock(state_->mu);
    if (!state_->dir_exists(parent_of(path))) return NotFound("directory not found");
    if (state_->dirs.count(path) > 0) return InvalidArgument("is a directory");
    auto& f = state_->files[path];
    if (!f) f = std::make_shared<File>();
    if (truncate) {
      f->data.clear();
      f->synced = 0;
    }
    return std::unique_ptr<sys::WritableFile>(new WritableFile(state_, f));
  }

  std::shared_ptr<State> state_;
};

}  // namespace ff::testing
