// Snapshot metadata. The bytes' upload and download paths live in src/api
// (they stream) and call back into audit() and the store.
#include <spdlog/spdlog.h>

#include "common/hex.h"
#include "common/ids.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::core {

namespace {

// `s` in lower case when it is 64 hex digits in any case: the seed compared
// digests case-insensitively and clients print them either way. Anything
// else: nullopt.
std::optional<std::string> sha256_hex_to_lower(std::string_view s) {
  if (is_lower_hex(s, 64)) return std::string(s);
  if (s.size() != 64) return std::nullopt;
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

Result<CreatedSnapshot> Service::create_snapshot(const auth::Claims& caller, const NewSnapshot& s) {
  FF_TRY(validate_id("id", s.id));
  FF_TRY(validate_id("agent_id", s.agent_id));
  // The seed took an upper-case digest too; it is stored lower-cased.
  std::optional<std::string> checksum = sha256_hex_to_lower(s.checksum);
  if (!checksum) {
    return ValidationError("checksum: must be 64 hex characters (SHA-256)");
  }
  if (s.size < 0) return ValidationError("size: must be >= 0");
  if (static_cast<uint64_t>(s.size) > options_.max_object_bytes) {
    return ValidationError("size: at most " + std::to_string(options_.max_object_bytes) +
                           " bytes (ORCH_MAX_OBJECT_BYTES)");
  }
  if (!s.metadata.is_object()) return ValidationError("metadata: must be an object");
  // Metadata is part of the snapshot_created audit record, whose size is bounded.
  if (s.metadata.dump().size() > kMaxMetadataBytes) {
    return ValidationError("metadata: at most 16 KiB of JSON");
  }
  if (!caller.may_act_for(s.agent_id)) {
    return PermissionDenied("token may not create snapshots for another agent");
  }
  FF_TRY(check_encryption_allowed(false));
  FF_TRY(check_storage_quota(s.agent_id, s.size));
  SystemTime now = env_.clock->now();
  store::Snapshot row{s.id, s.agent_id,  *checksum, s.size, s.metadata.dump(), kSnapshotPending,
                      now,  std::nullopt};
  row.stored_bytes = s.size;  // a tar snapshot stores its whole object
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record, prepare_audit(audit::snapshot_created(row)));
  FF_TRY(touch_agent(s.agent_id));
  FF_TRY(store_.insert_snapshot(row));
  FF_TRY(commit_audit(record));
  CreatedSnapshot out{row, std::nullopt};
  auto url = blobs_.presign_put(object_key(s.id), options_.presign_expiry);
  if (url.ok()) {
    out.presigned_url = *url;
  } else {
    spdlog::warn("presign for snapshot {} failed: {}", s.id, url.status().to_string());
  }
  return out;
}

Result<store::Snapshot> Service::get_snapshot(const auth::Claims& caller, const std::string& id) {
  FF_TRY(validate_id("snapshot_id", id));
  FF_ASSIGN_OR_RETURN(store::Snapshot s, store_.get_snapshot(id));
  if (caller.is_agent() && s.agent_id != caller.subject) {
    FF_TRY(check_download(caller, s));
  }
  return s;
}

Status Service::check_download(const auth::Claims& caller, const store::Snapshot& s) {
  if (caller.may_act_for(s.agent_id)) return OkStatus();
  store::RestoreJobFilter f;
  f.target_agent_id = caller.subject;
  f.snapshot_id = s.id;
  FF_ASSIGN_OR_RETURN(auto jobs, store_.list_restore_jobs(f, store::Page{1, 0}));
  if (jobs.total > 0) return OkStatus();
  return PermissionDenied("snapshot belongs to another agent and no restore job targets you");
}

Result<store::Listing<store::Snapshot>> Service::list_snapshots(const auth::Claims& caller,
                                                                store::SnapshotFilter filter,
                                                                const store::Page& page) {
  if (filter.status && !is_snapshot_status(*filter.status)) {
    return ValidationError("status: must be pending, available or corrupt");
  }
  if (caller.is_agent()) {
    if (filter.agent_id && *filter.agent_id != caller.subject) {
      return PermissionDenied("token may not list another agent's snapshots");
    }
    filter.agent_id = caller.subject;
  }
  return store_.list_snapshots(filter, page);
}

Status Service::delete_snapshot(const auth::Claims& caller, const std::string& id) {
  if (!auth::grants(caller.role, auth::Role::kAdmin)) {
    return PermissionDenied("only admins may delete snapshots");
  }
  FF_TRY(validate_id("snapshot_id", id));
  FF_ASSIGN_OR_RETURN(store::Snapshot s, store_.get_snapshot(id));
  return remove_snapshot(s, nullptr);
}

Status Service::remove_snapshot(const store::Snapshot& s,
                                const audit::RetentionDeletion* retention) {
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record,
                      prepare_audit(audit::snapshot_deleted(s, retention)));
  // The row goes first: once it is gone nobody can start a download, and a
  // leftover object (if the remove below fails) is only garbage, never a lie.
  // Its pack references go with the row; GC deletes packs nothing references.
  FF_TRY(store_.delete_snapshot(s.id));
  Status removed = s.format == kFormatTar ? blobs_.remove(object_key(s.id)) : OkStatus();
  if (!removed.ok()) {
    spdlog::warn("snapshot {} deleted but its object was not removed: {}", s.id,
                 removed.to_string());
  }
  FF_TRY(commit_audit(record));
  return OkStatus();
}

}  // namespace ff::core
