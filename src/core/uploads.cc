// Object uploads, one path for tar snapshot objects and packs: who may upload,
// the completion rule (size and SHA-256 must match what was declared), the
// status change and its audit record. Objects that reached the store without
// passing through the orchestrator (presigned PUTs), or whose status change
// was lost to a crash, are hashed here too (verify_object); that runs on
// demand (download, restore job, POST /packs/{id}/complete) and from a
// periodic sweep of pending snapshots.
#include <spdlog/spdlog.h>

#include "common/hex.h"
#include "common/ids.h"
#include "core/job_rules.h"
#include "core/object_digest.h"
#include "core/service.h"

namespace ff::core {

namespace {

// Compare-and-set of the object's row, from the status `o` was read with.
Status set_status(store::Store& store, const StoredObject& o, const std::string& to,
                  std::optional<SystemTime> at) {
  if (o.kind == ObjectKind::kPack) return store.update_pack_status(o.id, o.status, to, at);
  return store.update_snapshot_status(o.id, o.status, to, at);
}

}  // namespace

StoredObject stored_object(const store::Snapshot& s) {
  return StoredObject{ObjectKind::kSnapshot, s.id, s.agent_id, s.checksum, s.size, s.status};
}

StoredObject stored_object(const store::Pack& p) {
  return StoredObject{ObjectKind::kPack, p.id, p.agent_id, p.id, p.size, p.status};
}

Result<StoredObject> Service::begin_upload(const auth::Claims& caller, ObjectKind kind,
                                           const std::string& id) {
  StoredObject o;
  if (kind == ObjectKind::kSnapshot) {
    FF_ASSIGN_OR_RETURN(store::Snapshot s, get_snapshot(caller, id));
    if (s.format != kFormatTar) {
      return Conflict("snapshot " + id + " is in the repository format: its bytes live in packs");
    }
    o = stored_object(s);
  } else {
    if (!is_lower_hex(id, 64)) return ValidationError("id: must be 64 lowercase hex characters");
    FF_ASSIGN_OR_RETURN(store::Pack p, store_.get_pack(id));
    o = stored_object(p);
  }
  if (!caller.may_act_for(o.agent_id)) {
    return PermissionDenied("only the " + o.noun() +
                            "'s agent or an operator may upload its bytes");
  }
  if (o.status == kSnapshotAvailable) {
    return Conflict(o.noun() + " " + id + " is already uploaded; its bytes are immutable");
  }
  if (o.status == kPackDeleting) {
    return Conflict("pack " + id + " is being deleted by garbage collection");
  }
  FF_TRY(keep_sessions_alive(o));
  return o;
}

Status Service::check_upload(const StoredObject& o, const std::string& actual_checksum,
                             uint64_t actual_size) {
  if (actual_checksum != o.checksum) {
    return IntegrityError("Checksum mismatch: expected " + o.checksum + ", got " + actual_checksum);
  }
  if (actual_size != static_cast<uint64_t>(o.size)) {
    return IntegrityError("Size mismatch: expected " + std::to_string(o.size) + " bytes, got " +
                          std::to_string(actual_size));
  }
  return OkStatus();
}

Status Service::keep_sessions_alive(const StoredObject& o) {
  if (o.kind != ObjectKind::kPack) return OkStatus();
  SystemTime now = env_.clock->now();
  return store_.extend_sessions_holding(o.id, now, session_expiry(now));
}

Result<StoredObject> Service::finish_upload(StoredObject o, const std::string& via) {
  SystemTime now = env_.clock->now();
  // A corrupt object is repaired by a good re-upload; a pending one completed.
  Status cas = set_status(store_, o, kSnapshotAvailable, now);
  if (!cas.ok()) {
    // Decided meanwhile: uploaded concurrently, or (a pack no live session
    // held) marked by GC; the store's message names the status it found.
    if (cas.code() == Code::kConflict) {
      return Conflict(o.noun() + " " + o.id + " changed during the upload: " + cas.message());
    }
    return cas;
  }
  o.status = kSnapshotAvailable;
  FF_TRY(keep_sessions_alive(o));
  FF_TRY(audit(audit::object_uploaded(o, via)));
  return o;
}

Result<StoredObject> Service::verify_object(const StoredObject& o) {
  if (o.status != kSnapshotPending) return o;
  auto info = blobs_.stat(o.key(options_.object_keys));
  if (!info.ok()) {
    if (info.status().code() == Code::kNotFound) return o;  // nothing uploaded yet
    return info.status();
  }
  // Fewer bytes than declared: an upload still arriving, or one cut short on
  // a store that keeps partial objects (s3rver does; AWS S3 and MinIO store a
  // PUT whole or not at all). Not corrupt: the complete upload replaces it.
  if (info->size < static_cast<uint64_t>(o.size)) return o;
  std::string actual;
  int64_t size = static_cast<int64_t>(info->size);
  if (size == o.size) {
    FF_ASSIGN_OR_RETURN(ObjectDigest digest, digest_object(blobs_, o.key(options_.object_keys)));
    actual = digest.sha256;
    size = digest.size;
    if (size < o.size) return o;  // replaced by a shorter object meanwhile
  }
  bool good = check_upload(o, actual, static_cast<uint64_t>(size)).ok();
  SystemTime now = env_.clock->now();
  Status cas = set_status(store_, o, good ? kSnapshotAvailable : kSnapshotCorrupt,
                          good ? std::optional<SystemTime>(now) : std::nullopt);
  StoredObject out = o;
  if (!cas.ok()) {
    // Someone else decided first (a concurrent verify or upload): report what is stored.
    if (cas.code() != Code::kConflict) return cas;
    if (o.kind == ObjectKind::kPack) {
      FF_ASSIGN_OR_RETURN(store::Pack p, store_.get_pack(o.id));
      return stored_object(p);
    }
    FF_ASSIGN_OR_RETURN(store::Snapshot s, store_.get_snapshot(o.id));
    return stored_object(s);
  }
  out.status = good ? kSnapshotAvailable : kSnapshotCorrupt;
  if (good) {
    FF_TRY(audit(audit::object_verified(out)));
  } else {
    spdlog::warn("{} {}: stored object does not match (size {} vs {})", o.noun(), o.id, size,
                 o.size);
    FF_TRY(audit(audit::object_corrupt(out, actual, size)));
  }
  return out;
}

Result<store::Snapshot> Service::verify_pending(const store::Snapshot& s) {
  if (s.status != kSnapshotPending || s.format != kFormatTar) return s;
  FF_ASSIGN_OR_RETURN(StoredObject o, verify_object(stored_object(s)));
  if (o.status == s.status) return s;
  return store_.get_snapshot(s.id);
}

Result<store::Pack> Service::complete_pack(const auth::Claims& caller, const std::string& id) {
  if (!is_lower_hex(id, 64)) return ValidationError("id: must be 64 lowercase hex characters");
  FF_ASSIGN_OR_RETURN(store::Pack p, store_.get_pack(id));
  if (!caller.may_act_for(p.agent_id)) {
    return PermissionDenied("only the pack's agent or an operator may complete its upload");
  }
  if (p.status == kSnapshotAvailable) return p;  // completed before: nothing to do
  if (p.status == kPackDeleting) {
    return Conflict("pack " + id + " is being deleted by garbage collection");
  }
  if (p.status == kSnapshotCorrupt) {
    // A new presigned PUT may have repaired it: hash it again.
    Status reopened = store_.update_pack_status(id, kSnapshotCorrupt, kSnapshotPending, {});
    if (!reopened.ok() && reopened.code() != Code::kConflict) return reopened;
    p.status = kSnapshotPending;
  }
  FF_ASSIGN_OR_RETURN(StoredObject now, verify_object(stored_object(p)));
  if (now.status == kSnapshotPending) {
    return Conflict("pack " + id + ": its bytes have not been (fully) uploaded yet");
  }
  if (now.status == kSnapshotCorrupt) {
    return IntegrityError("Checksum mismatch: the stored object of pack " + id +
                          " does not hash to its id");
  }
  return store_.get_pack(id);
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
