// FileSystem: the storage seam used by the WAL and the local blob store.
// The POSIX implementation is what production uses; tests/support has an
// in-memory one and a fault-injecting wrapper (forgets unsynced bytes, fails
// the Nth call).
//
// Thread-safety: a FileSystem may be used from many threads; a WritableFile or
// SequentialFile from one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace ff::sys {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status append(std::string_view data) = 0;
  // Makes every appended byte durable (fdatasync).
  virtual Status sync() = 0;
  virtual Status close() = 0;
};

class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to `n` bytes into *out (replacing it); empty at end of file.
  virtual Status read(size_t n, std::string* out) = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual Result<std::unique_ptr<SequentialFile>> open_sequential(const std::string& path) = 0;
  // Opens for appending, creating the file if missing.
  virtual Result<std::unique_ptr<WritableFile>> open_appendable(const std::string& path) = 0;
  // Creates or truncates.
  virtual Result<std::unique_ptr<WritableFile>> open_writable(const std::string& path) = 0;
  virtual Result<bool> exists(const std::string& path) = 0;
  virtual Result<uint64_t> file_size(const std::string& path) = 0;
  virtual Status truncate(const std::string& path, uint64_t size) = 0;
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  virtual Status remove(const std::string& path) = 0;
  virtual Status create_dirs(const std::string& path) = 0;
  // fsync of a directory, making renames and creations in it durable.
  virtual Status sync_dir(const std::string& path) = 0;
  virtual Result<std::vector<std::string>> list(const std::string& dir) = 0;
};

FileSystem& posix_file_system();

}  // namespace ff::sys
