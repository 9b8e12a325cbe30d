// Reading a stored object whole to learn its SHA-256 and size: the upload
// check of presigned objects and the verify jobs share it.
//
// Thread-safety: reentrant; the store must be.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "blob/blob_store.h"
#include "common/status.h"

namespace ff::core {

struct ObjectDigest {
  std::string sha256;  // lowercase hex
  int64_t size = 0;
};

// Streams the object at `key` through SHA-256. `on_read(n)` runs after each
// read of n bytes (verify jobs pace themselves there); returning false stops
// the read with kUnavailable. kNotFound when absent.
Result<ObjectDigest> digest_object(blob::BlobStore& blobs, const std::string& key,
                                   const std::function<bool(size_t)>& on_read = {});

}  // namespace ff::core
