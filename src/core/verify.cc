// Verification of objects that reached the store without passing through the
// orchestrator (presigned PUTs) or whose status change was lost to a crash:
// the bytes are streamed through SHA-256 and the snapshot becomes available
// or corrupt. Runs on demand (download, restore job) and from a periodic sweep.
#include <spdlog/spdlog.h>

#include "common/hex.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::core {

Result<store::Snapshot> Service::verify_pending(const store::Snapshot& s) {
  if (s.status != kSnapshotPending) return s;
  auto info = blobs_.stat(object_key(s.id));
  if (!info.ok()) {
    if (info.status().code() == Code::kNotFound) return s;  // nothing uploaded yet
    return info.status();
  }
  // Fewer bytes than declared: an upload still arriving, or one cut short on
  // a store that keeps partial objects (s3rver does; AWS S3 and MinIO store a
  // PUT whole or not at all). Not corrupt: the complete upload replaces it.
  if (info->size < static_cast<uint64_t>(s.size)) return s;
  std::string actual;
  int64_t size = static_cast<int64_t>(info->size);
  if (size == s.size) {
    FF_ASSIGN_OR_RETURN(auto reader, blobs_.open(object_key(s.id), 0, std::nullopt));
    Sha256 hash;
    size = 0;
    std::string buf(1 << 20, '\0');
    while (true) {
      FF_ASSIGN_OR_RETURN(size_t n, reader->read(buf.data(), buf.size()));
      if (n == 0) break;
      hash.update(buf.data(), n);
      size += static_cast<int64_t>(n);
    }
    actual = hash.finish_hex();
    if (size < s.size) return s;  // replaced by a shorter object meanwhile
  }
  bool good = actual == s.checksum && size == s.size;
  SystemTime now = env_.clock->now();
  Status cas = store_.update_snapshot_status(s.id, kSnapshotPending,
                                             good ? kSnapshotAvailable : kSnapshotCorrupt,
                                             good ? std::optional<SystemTime>(now) : std::nullopt);
  if (!cas.ok()) {
    // Someone else decided first (a concurrent verify or upload): report what is stored.
    if (cas.code() == Code::kConflict) return store_.get_snapshot(s.id);
    return cas;
  }
  store::Snapshot out = s;
  out.status = good ? kSnapshotAvailable : kSnapshotCorrupt;
  if (good) out.uploaded_at = now;
  if (good) {
    FF_TRY(audit(audit::snapshot_verified(out)));
  } else {
    spdlog::warn("snapshot {}: stored object does not match (size {} vs {})", s.id, size, s.size);
    FF_TRY(audit(audit::snapshot_corrupt(out, actual, size)));
  }
  return out;
}

Result<int> Service::sweep_pending() {
  store::SnapshotFilter f;
  f.status = kSnapshotPending;
  int decided = 0;
  int64_t offset = 0;
  while (true) {
    FF_ASSIGN_OR_RETURN(auto page, store_.list_snapshots(f, store::Page{200, offset}));
    // Decided snapshots leave the pending set, so only the undecided move the offset.
    int64_t still_pending = 0;
    for (const auto& s : page.items) {
      FF_ASSIGN_OR_RETURN(store::Snapshot now, verify_pending(s));
      if (now.status == kSnapshotPending) {
        ++still_pending;
      } else {
        ++decided;
      }
    }
    if (page.items.size() < 200) break;
    offset += still_pending;
  }
  return decided;
}

}  // namespace ff::core
