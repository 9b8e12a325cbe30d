// Thin POSIX helpers for the local store: errno -> Status classification,
// full writes, directory syncing and creation. Paths stay out of Status
// messages (they name the key instead); callers log paths.
//
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ff::blob::detail {

// "local store: <op> <key>: <strerror>", classified: ENOENT -> kNotFound,
// resource shortages (ENOSPC, EDQUOT, EMFILE, ENFILE, ENOMEM) -> kUnavailable,
// anything else -> kInternal.
Status errno_status(std::string_view op, std::string_view key, int err);

// Writes all of `data` at the file's current offset, retrying EINTR and short writes.
Status write_all(int fd, std::string_view data, std::string_view key);

// fsync(2) of a directory: makes entries created or renamed in it durable.
Status sync_dir(const std::string& dir, std::string_view key);

// mkdir -p of `dir` below the existing `root`; the parent of every directory
// it creates is fsync'ed so the new entry survives a crash.
Status create_dirs_durable(const std::string& root, const std::string& dir, std::string_view key);

// The parent directory of `path` ("a/b/c" -> "a/b").
std::string parent_dir(const std::string& path);

}  // namespace ff::blob::detail
