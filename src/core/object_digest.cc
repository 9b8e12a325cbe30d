#include "core/object_digest.h"

#include "common/hex.h"

namespace ff::core {

Result<ObjectDigest> digest_object(blob::BlobStore& blobs, const std::string& key,
                                   const std::function<bool(size_t)>& on_read) {
  FF_ASSIGN_OR_RETURN(auto reader, blobs.open(key, 0, std::nullopt));
  Sha256 hash;
  ObjectDigest out;
  std::string buf(1 << 20, '\0');
  while (true) {
    FF_ASSIGN_OR_RETURN(size_t n, reader->read(buf.data(), buf.size()));
    if (n == 0) break;
    hash.update(buf.data(), n);
    out.size += static_cast<int64_t>(n);
    if (on_read && !on_read(n)) return Unavailable("reading " + key + " stopped");
  }
  out.sha256 = hash.finish_hex();
  return out;
}

}  // namespace ff::core
