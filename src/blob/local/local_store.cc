#include "blob/local/local_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "blob/detail/range.h"
#include "blob/local/detail/posix.h"
#include "common/hex.h"
#include "sys/random.h"

namespace ff::blob {

using detail::create_dirs_durable;
using detail::errno_status;
using detail::parent_dir;
using detail::sync_dir;
using detail::write_all;

namespace {

constexpr const char* kTmpDirName = ".tmp";

Status validate_key(const std::string& key) {
  if (key.empty() || key.size() > 1024) return InvalidArgument("local store: bad key length");
  if (key.front() == '/') return InvalidArgument("local store: absolute key " + key);
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string::npos) end = key.size();
    std::string_view segment(key.data() + start, end - start);
    if (segment.empty() || segment.front() == '.') {
      return InvalidArgument("local store: key segment may not be empty or start with '.'");
    }
    for (unsigned char c : segment) {
      if (c < 0x20 || c == 0x7f || c == '\\') {
        return InvalidArgument("local store: key holds a control character or '\\'");
      }
    }
    start = end + 1;
  }
  return OkStatus();
}

// Closes the descriptor when it goes out of scope unless released.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Closes and reports close(2)'s error (it can surface a deferred write error).
  int close_checked() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

}  // namespace

// Stages bytes in <root>/.tmp/<random>. Every exit path other than a
// successful commit ends in discard(), which unlinks the temp file.
class LocalWriter final : public Writer {
 public:
  LocalWriter(LocalStore& store, std::string key, std::string final_path, std::string temp_name,
              int fd)
      : store_(store),
        key_(std::move(key)),
        final_path_(std::move(final_path)),
        temp_name_(std::move(temp_name)),
        temp_path_(store.tmp_dir_ + "/" + temp_name_),
        fd_(fd) {
    buffer_.reserve(store_.options_.write_buffer_size);
  }

  ~LocalWriter() override { discard(); }

  Status write(std::string_view chunk) override {
    if (!failed_.ok()) return failed_;
    if (done_) return Internal("local store: write after commit or abort");
    const size_t cap = store_.options_.write_buffer_size;
    if (buffer_.size() + chunk.size() < cap) {
      buffer_.append(chunk);
      return OkStatus();
    }
    // Fill the buffer up, flush it, then write large remainders directly.
    size_t fill = cap - buffer_.size();
    if (!buffer_.empty()) {
      buffer_.append(chunk.substr(0, fill));
      chunk.remove_prefix(std::min(fill, chunk.size()));
      if (Status s = flush(); !s.ok()) return fail(s);
    }
    if (chunk.size() >= cap) {
      if (Status s = write_through(chunk); !s.ok()) return fail(s);
    } else {
      buffer_.append(chunk);
    }
    return OkStatus();
  }

  Status commit() override {
    if (!failed_.ok()) return failed_;
    if (done_) return Internal("local store: commit after commit or abort");
    if (Status s = publish(); !s.ok()) return fail(s);
    done_ = true;
    store_.forget_temp(temp_name_);
    return OkStatus();
  }

  void abort() override { discard(); }

 private:
  Status flush() {
    Status s = write_through(buffer_);
    buffer_.clear();
    return s;
  }

  Status write_through(std::string_view data) {
    FF_TRY(write_all(fd_.get(), data, key_));
    written_ += data.size();
    // Start writeback early: keeps dirty pages few and the final fdatasync short.
    if (written_ - kicked_ >= store_.options_.writeback_interval) {
      ::sync_file_range(fd_.get(), static_cast<off_t>(kicked_),
                        static_cast<off_t>(written_ - kicked_), SYNC_FILE_RANGE_WRITE);
      kicked_ = written_;
    }
    return OkStatus();
  }

  Status publish() {
    FF_TRY(flush());
    if (::fdatasync(fd_.get()) != 0) return errno_status("sync", key_, errno);
    if (fd_.close_checked() != 0) return errno_status("close", key_, errno);
    const std::string dir = parent_dir(final_path_);
    FF_TRY(create_dirs_durable(store_.root_, dir, key_));
    if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      return errno_status("publish", key_, errno);
    }
    return sync_dir(dir, key_);
  }

  Status fail(Status s) {
    spdlog::warn("local store: writing {} via {} failed: {}", key_, temp_path_, s.to_string());
    failed_ = s;
    discard();
    return s;
  }

  void discard() {
    if (done_) return;
    done_ = true;
    fd_.reset();
    if (::unlink(temp_path_.c_str()) != 0 && errno != ENOENT) {
      spdlog::warn("local store: cannot remove temp file {}: errno {}", temp_path_, errno);
    }
    store_.forget_temp(temp_name_);
  }

  LocalStore& store_;
  const std::string key_;
  const std::string final_path_;
  const std::string temp_name_;
  const std::string temp_path_;
  Fd fd_;
  std::string buffer_;
  uint64_t written_ = 0;  // bytes handed to write(2)
  uint64_t kicked_ = 0;   // bytes for which writeback was requested
  bool done_ = false;
  Status failed_;
};

class LocalReader final : public Reader {
 public:
  LocalReader(int fd, std::string key, detail::ByteRange range)
      : fd_(fd), key_(std::move(key)), pos_(range.begin), end_(range.end) {}

  Result<size_t> read(char* buf, size_t n) override {
    size_t want = static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_));
    while (want > 0) {
      ssize_t got = ::pread(fd_.get(), buf, want, static_cast<off_t>(pos_));
      if (got < 0) {
        if (errno == EINTR) continue;
        return errno_status("read", key_, errno);
      }
      // The file shrank under us: objects are immutable, so this is damage.
      if (got == 0) return DataLoss("local store: " + key_ + " is shorter than expected");
      pos_ += static_cast<uint64_t>(got);
      return static_cast<size_t>(got);
    }
    return size_t{0};
  }

 private:
  Fd fd_;
  const std::string key_;
  uint64_t pos_;
  uint64_t end_;
};

LocalStore::LocalStore(std::string root, LocalStoreOptions options)
    : root_(std::move(root)), tmp_dir_(root_ + "/" + kTmpDirName), options_(options) {}

Result<std::string> LocalStore::path_for(const std::string& key) const {
  FF_TRY(validate_key(key));
  return root_ + "/" + key;
}

void LocalStore::forget_temp(const std::string& name) {
  std::lock_guard lock(mu_);
  live_temps_.erase(name);
}

Status LocalStore::ensure_ready() {
  // The root itself may need parents (ORCH_DATA_DIR/objects with a fresh data dir).
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = root_.find('/', pos + 1);
    prefix = root_.substr(0, pos);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      spdlog::error("local store: cannot create {}: errno {}", prefix, errno);
      return errno_status("create", "root directory", errno);
    }
  }
  if (::mkdir(tmp_dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    return errno_status("create", "temp directory", errno);
  }
  DIR* dir = ::opendir(tmp_dir_.c_str());
  if (dir == nullptr) return errno_status("list", "temp directory", errno);
  size_t removed = 0;
  {
    std::lock_guard lock(mu_);
    while (dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (name == "." || name == ".." || live_temps_.count(name) > 0) continue;
      if (::unlink((tmp_dir_ + "/" + name).c_str()) == 0) ++removed;
    }
  }
  ::closedir(dir);
  if (removed > 0) spdlog::info("local store: removed {} leftover temp files", removed);
  return ping();
}

Status LocalStore::ping() {
  if (::access(tmp_dir_.c_str(), W_OK | X_OK) != 0) {
    // Whatever the cause (a vanished or read-only data dir), the store cannot
    // take uploads until someone fixes it; readiness reports 503.
    return Unavailable(std::string("local store: temp directory not writable: ") +
                       std::strerror(errno));
  }
  return OkStatus();
}

Result<std::unique_ptr<Writer>> LocalStore::create(const std::string& key, uint64_t) {
  FF_ASSIGN_OR_RETURN(std::string final_path, path_for(key));
  std::string name = sys::secure_random().unique_id("w-");
  {
    // Registered before the file exists so a concurrent ensure_ready() spares it.
    std::lock_guard lock(mu_);
    live_temps_.insert(name);
  }
  int fd = ::open((tmp_dir_ + "/" + name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    forget_temp(name);
    // A missing temp directory means ensure_ready() was not called or the data
    // dir vanished: the store is not usable until fixed.
    if (err == ENOENT) return Unavailable("local store: temp directory missing");
    return errno_status("create", key, err);
  }
  return std::unique_ptr<Writer>(
      std::make_unique<LocalWriter>(*this, key, std::move(final_path), std::move(name), fd));
}

Result<std::unique_ptr<Reader>> LocalStore::open(const std::string& key, uint64_t offset,
                                                 std::optional<uint64_t> length) {
  FF_ASSIGN_OR_RETURN(std::string path, path_for(key));
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_status("open", key, errno == ENOTDIR ? ENOENT : errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_status("stat", key, errno);
  if (!S_ISREG(st.st_mode)) return NotFound("local store: " + key + " not found");
  FF_ASSIGN_OR_RETURN(detail::ByteRange range,
                      detail::clamp_range(static_cast<uint64_t>(st.st_size), offset, length));
  ::posix_fadvise(fd.get(), static_cast<off_t>(range.begin),
                  static_cast<off_t>(range.end - range.begin), POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<Reader>(std::make_unique<LocalReader>(fd.release(), key, range));
}

Result<ObjectInfo> LocalStore::stat(const std::string& key) {
  FF_ASSIGN_OR_RETURN(std::string path, path_for(key));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return errno_status("stat", key, errno == ENOTDIR ? ENOENT : errno);
  }
  if (!S_ISREG(st.st_mode)) return NotFound("local store: " + key + " not found");
  return ObjectInfo{static_cast<uint64_t>(st.st_size)};
}

Status LocalStore::remove(const std::string& key) {
  FF_ASSIGN_OR_RETURN(std::string path, path_for(key));
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return OkStatus();
    return errno_status("remove", key, errno);
  }
  return sync_dir(parent_dir(path), key);
}

Result<std::optional<std::string>> LocalStore::presign_put(const std::string&,
                                                           std::chrono::seconds) {
  return std::optional<std::string>();
}

}  // namespace ff::blob
