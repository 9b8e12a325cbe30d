// FaultFileSystem: wraps another sys::FileSystem to count calls, fail chosen ones,
// slow some down, and simulate a power loss.
//
// Power-loss model (leveldb's fault_injection_test, simplified): for every file
// written through this wrapper it remembers how many bytes the last sync covered;
// drop_unsynced() truncates each file back to that (optionally keeping part of the
// unsynced tail, as a partial write-back would), and removes files created since
// their directory was last synced. Files that existed before the wrapper first
// opened them count as fully synced. A rename counts as not yet durable. Wrap a
// MemFileSystem for this, so nothing real is truncated.
//
// Thread-safety: safe from many threads; each handle from one thread at a time.
// The wrapped FileSystem must outlive this object, and this object every handle.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sys/file_system.h"

namespace ff::testing {

enum class FsOp {
  kOpenSequential,
  kOpenAppendable,
  kOpenWritable,
  kExists,
  kFileSize,
  kTruncate,
  kRename,
  kRemove,
  kCreateDirs,
  kSyncDir,
  kList,
  kRead,    // SequentialFile::read
  kAppend,  // WritableFile::append
  kSync,    // WritableFile::sync
  kClose,   // WritableFile::close
  kCount,
};

class FaultFileSystem final : public sys::FileSystem {
 public:
  explicit FaultFileSystem(sys::FileSystem& base) : base_(base) {}

  // The `n`th call of `op` from now on (1 = the next one) returns `status`
  // without reaching the wrapped file system (but see set_torn_append_bytes).
  void fail_nth(FsOp op, uint64_t n, Status status = Unavailable("injected fault")) {
    std::lock_guard lock(mu_);
    faults_.push_back(Fault{op, calls_[index(op)] + n, false, std::move(status)});
  }
  // Every call of `op` from now on fails with `status`.
  void fail_always(FsOp op, Status status = Unavailable("injected fault")) {
    std::lock_guard lock(mu_);
    faults_.push_back(Fault{op, 0, true, std::move(status)});
  }
  void clear_faults() {
    std::lock_guard lock(mu_);
    faults_.clear();
  }
  // An injected append fault first writes this many bytes of the data: a torn write.
  void set_torn_append_bytes(size_t n) {
    std::lock_guard lock(mu_);
    torn_append_bytes_ = n;
  }
  // Each call of `op` sleeps this long first (e.g. a slow fdatasync).
  void set_latency(FsOp op, std::chrono::microseconds d) {
    std::lock_guard lock(mu_);
    latency_[index(op)] = d;
  }
  uint64_t calls(FsOp op) const {
    std::lock_guard lock(mu_);
    return calls_[index(op)];
  }

  // Simulates a power loss (see the model above). Handles opened before it must
  // not be used afterwards.
  void drop_unsynced(uint64_t keep_unsynced_bytes = 0) {
    std::lock_guard lock(mu_);
    for (auto it = tracks_.begin(); it != tracks_.end();) {
      Track& t = *it->second;
      if (!t.entry_durable) {
        base_.remove(it->first).ignore_error();
        it = tracks_.erase(it);
        continue;
      }
      if (t.size > t.synced + keep_unsynced_bytes) {
        t.size = t.synced + keep_unsynced_bytes;
        base_.truncate(it->first, t.size).ignore_error();
      }
      t.synced = t.size;
      ++it;
    }
  }

  Result<std::unique_ptr<sys::SequentialFile>> open_sequential(const std::string& path) override {
    if (auto fault = before(FsOp::kOpenSequential)) return *fault;
    auto file = base_.open_sequential(path);
    if (!file.ok()) return file.status();
    return std::unique_ptr<sys::SequentialFile>(new SequentialFile(this, std::move(file).value()));
  }
  Result<std::unique_ptr<sys::WritableFile>> open_appendable(const std::string& path) override {
    if (auto fault = before(FsOp::kOpenAppendable)) return *fault;
    return open(path, /*truncate=*/false);
  }
  Result<std::unique_ptr<sys::WritableFile>> open_writable(const std::string& path) override {
    if (auto fault = before(FsOp::kOpenWritable)) return *fault;
    return open(path, /*truncate=*/true);
  }
  Result<bool> exists(const std::string& path) override {
    if (auto fault = before(FsOp::kExists)) return *fault;
    return base_.exists(path);
  }
  Result<uint64_t> file_size(const std::string& path) override {
    if (auto fault = before(FsOp::kFileSize)) return *fault;
    return base_.file_size(path);
  }
  Status truncate(const std::string& path, uint64_t size) override {
    if (auto fault = before(FsOp::kTruncate)) return *fault;
    FF_TRY(base_.truncate(path, size));
    std::lock_guard lock(mu_);
    if (auto it = tracks_.find(path); it != tracks_.end()) {
      it->second->size = size;
      it->second->synced = std::min(it->second->synced, size);
    }
    return OkStatus();
  }
  Status rename(const std::string& from, const std::string& to) override {
    if (auto fault = before(FsOp::kRename)) return *fault;
    FF_TRY(base_.rename(from, to));
    std::lock_guard lock(mu_);
    if (auto it = tracks_.find(from); it != tracks_.end()) {
      std::shared_ptr<Track> t = it->second;
      tracks_.erase(it);
      t->entry_durable = false;
      tracks_[to] = std::move(t);
    }
    return OkStatus();
  }
  Status remove(const std::string& path) override {
    if (auto fault = before(FsOp::kRemove)) return *fault;
    FF_TRY(base_.remove(path));
    std::lock_guard lock(mu_);
    tracks_.erase(path);
    return OkStatus();
  }
  Status create_dirs(const std::string& path) override {
    if (auto fault = before(FsOp::kCreateDirs)) return *fault;
    return base_.create_dirs(path);
  }
  Status sync_dir(const std::string& path) override {
    if (auto fault = before(FsOp::kSyncDir)) return *fault;
    FF_TRY(base_.sync_dir(path));
    std::lock_guard lock(mu_);
    for (auto& [file, track] : tracks_) {
      if (parent_of(file) == path) track->entry_durable = true;
    }
    return OkStatus();
  }
  Result<std::vector<std::string>> list(const std::string& dir) override {
    if (auto fault = before(FsOp::kList)) return *fault;
    return base_.list(dir);
  }

 private:
  struct Fault {
    FsOp op;
    uint64_t at_call;  // 1-based count of `op` calls; unused when always
    bool always;
    Status status;
  };
  // What a power loss would leave of one file. Guarded by mu_.
  struct Track {
    uint64_t size = 0;
    uint64_t synced = 0;
    bool entry_durable = true;
  };

  class WritableFile final : public sys::WritableFile {
   public:
    WritableFile(FaultFileSystem* fs, std::shared_ptr<Track> track,
                 std::unique_ptr<sys::WritableFile> base)
        : fs_(fs), track_(std::move(track)), base_(std::move(base)) {}
    Status append(std::string_view data) override {
      if (auto fault = fs_->before(FsOp::kAppend)) {
        size_t torn = std::min(data.size(), fs_->torn_append_bytes());
        if (torn > 0 && base_->append(data.substr(0, torn)).ok()) fs_->grow(*track_, torn);
        return *fault;
      }
      FF_TRY(base_->append(data));
      fs_->grow(*track_, data.size());
      return OkStatus();
    }
    Status sync() override {
      if (auto fault = fs_->before(FsOp::kSync)) return *fault;
      FF_TRY(base_->sync());
      std::lock_guard lock(fs_->mu_);
      track_->synced = track_->size;
      return OkStatus();
    }
    Status close() override {
      if (auto fault = fs_->before(FsOp::kClose)) return *fault;
      return base_->close();
    }

   private:
    FaultFileSystem* fs_;
    std::shared_ptr<Track> track_;
    std::unique_ptr<sys::WritableFile> base_;
  };

  class SequentialFile final : public sys::SequentialFile {
   public:
    SequentialFile(FaultFileSystem* fs, std::unique_ptr<sys::SequentialFile> base)
        : fs_(fs), base_(std::move(base)) {}
    Status read(size_t n, std::string* out) override {
      if (auto fault = fs_->before(FsOp::kRead)) return *fault;
      return base_->read(n, out);
    }

   private:
    FaultFileSystem* fs_;
    std::unique_ptr<sys::SequentialFile> base_;
  };

  static size_t index(FsOp op) { return static_cast<size_t>(op); }
  static std::string parent_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return "";
    if (slash == 0) return "/";
    return path.substr(0, slash);
  }

  // Counts the call, sleeps any latency, and returns the injected fault if one is due.
  std::optional<Status> before(FsOp op) {
    std::optional<Status> result;
    std::chrono::microseconds delay{0};
    {
      std::lock_guard lock(mu_);
      uint64_t call = ++calls_[index(op)];
      delay = latency_[index(op)];
      for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        if (it->op != op || (!it->always && it->at_call != call)) continue;
        result = it->status;
        if (!it->always) faults_.erase(it);
        break;
      }
    }
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    return result;
  }
  size_t torn_append_bytes() {
    std::lock_guard lock(mu_);
    return torn_append_bytes_;
  }
  void grow(Track& track, uint64_t n) {
    std::lock_guard lock(mu_);
    track.size += n;
  }

  Result<std::unique_ptr<sys::WritableFile>> open(const std::string& path, bool truncate) {
    auto existed = base_.exists(path);
    if (!existed.ok()) return existed.status();
    uint64_t size = 0;
    if (*existed && !truncate) {
      auto s = base_.file_size(path);
      if (!s.ok()) return s.status();
      size = *s;
    }
    auto file = truncate ? base_.open_writable(path) : base_.open_appendable(path);
    if (!file.ok()) return file.status();
    std::lock_guard lock(mu_);
    std::shared_ptr<Track>& track = tracks_[path];
    if (!track) {
      track = std::make_shared<Track>();
      track->size = size;
      track->synced = size;
      track->entry_durable = *existed;
    } else if (truncate) {
      track->size = 0;
      track->synced = 0;
    }
    return std::unique_ptr<sys::WritableFile>(
        new WritableFile(this, track, std::move(file).value()));
  }

  sys::FileSystem& base_;
  mutable std::mutex mu_;
  std::array<uint64_t, static_cast<size_t>(FsOp::kCount)> calls_{};  // guarded by mu_
  std::array<std::chrono::microseconds, static_cast<size_t>(FsOp::kCount)>
      latency_{};                                         // guarded by mu_
  std::vector<Fault> faults_;                             // guarded by mu_
  size_t torn_append_bytes_ = 0;                          // guarded by mu_
  std::map<std::string, std::shared_ptr<Track>> tracks_;  // guarded by mu_
};

}  // namespace ff::testing
