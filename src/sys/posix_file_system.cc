// POSIX FileSystem. Error messages name the operation but not the path: they may
// reach clients through a Status, and host paths must not. Callers that log
// add the path themselves.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sys/file_system.h"

namespace ff::sys {

namespace {

Status io_error(const char* op, int err) {
  // ENOSPC and EIO are reported as unavailable: retrying later may succeed.
  return Status(Code::kUnavailable, std::string(op) + " failed: " + std::strerror(err));
}

class PosixWritableFile final : public WritableFile {
 public:
  explicit PosixWritableFile(int fd) : fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("write", errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return OkStatus();
  }
  Status sync() override {
    if (::fdatasync(fd_) != 0) return io_error("fdatasync", errno);
    return OkStatus();
  }
  Status close() override {
    if (fd_ < 0) return OkStatus();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return io_error("close", errno);
    return OkStatus();
  }

 private:
  int fd_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  explicit PosixSequentialFile(int fd) : fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }
  Status read(size_t n, std::string* out) override {
    out->resize(n);
    while (true) {
      ssize_t r = ::read(fd_, out->data(), n);
      if (r < 0) {
        if (errno == EINTR) continue;
        out->clear();
        return io_error("read", errno);
      }
      out->resize(static_cast<size_t>(r));
      return OkStatus();
    }
  }

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<SequentialFile>> open_sequential(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return NotFound("file not found");
      return io_error("open", errno);
    }
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(fd));
  }
  Result<std::unique_ptr<WritableFile>> open_appendable(const std::string& path) override {
    return open_with(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC);
  }
  Result<std::unique_ptr<WritableFile>> open_writable(const std::string& path) override {
    return open_with(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
  }
  Result<bool> exists(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return io_error("stat", errno);
  }
  Result<uint64_t> file_size(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return NotFound("file not found");
      return io_error("stat", errno);
    }
    return static_cast<uint64_t>(st.st_size);
  }
  Status truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return io_error("truncate", errno);
    return OkStatus();
  }
  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return io_error("rename", errno);
    return OkStatus();
  }
  Status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return NotFound("file not found");
      return io_error("unlink", errno);
    }
    return OkStatus();
  }
  Status create_dirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return io_error("mkdir", ec.value());
    return OkStatus();
  }
  Status sync_dir(const std::string& path) override {
    int fd = ::open(path.empty() ? "." : path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("open dir", errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return io_error("fsync dir", err);
    return OkStatus();
  }
  Result<std::vector<std::string>> list(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      if (errno == ENOENT) return NotFound("directory not found");
      return io_error("opendir", errno);
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    return names;
  }

 private:
  Result<std::unique_ptr<WritableFile>> open_with(const std::string& path, int flags) {
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return io_error("open", errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd));
  }
};

}  // namespace

FileSystem& posix_file_system() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace ff::sys
