// The repository format's use cases: backup sessions, blob lookups, pack
// announcements, commits and restore-side reads. The orchestrator is the index
// authority: it records which packs hold which blobs in which namespace and
// which packs each snapshot references; it never sees plaintext or keys, and
// trusts an agent's declared blob list only inside that agent's namespace.
//
// Namespaces: with a key, its id (agents sharing a key share it); without,
// "agent:<agent_id>": plain blob ids are unkeyed SHA-256, so a shared plain
// namespace would let one agent test for another's content.
#include <set>

#include <spdlog/spdlog.h>

#include "common/hex.h"
#include "common/ids.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::core {

namespace {

constexpr int64_t kMaxPackBytes = 1ll << 30;  // packs are 16-64 MiB; anything near this is abuse

Status validate_hex_ids(const std::string& field, const std::vector<std::string>& ids) {
  if (ids.size() > kMaxIdsPerCall) {
    return ValidationError(field + ": at most " + std::to_string(kMaxIdsPerCall) + " ids");
  }
  for (const std::string& id : ids) {
    if (!is_lower_hex(id, 64)) {
      return ValidationError(field + ": every id must be 64 lowercase hex characters");
    }
  }
  return OkStatus();
}

Status validate_blobs(const NewPack& p) {
  if (p.blobs.empty() || p.blobs.size() > kMaxIdsPerCall) {
    return ValidationError("blobs: 1.." + std::to_string(kMaxIdsPerCall) + " entries");
  }
  for (const store::PackBlob& b : p.blobs) {
    if (!is_lower_hex(b.id, 64)) {
      return ValidationError("blobs: every id must be 64 lowercase hex characters");
    }
    if (b.type != "data" && b.type != "tree") {
      return ValidationError("blobs: type must be data or tree");
    }
    if (b.offset < 0 || b.length <= 0 || b.offset > p.size || b.length > p.size - b.offset) {
      return ValidationError("blobs: blob " + b.id + " does not lie inside the pack");
    }
  }
  return OkStatus();
}

}  // namespace

Status Service::check_encryption_allowed(bool encrypted) const {
  if (encrypted || !options_.require_encryption) return OkStatus();
  return ValidationError(
      "ORCH_REQUIRE_ENCRYPTION is set: this orchestrator refuses unencrypted snapshots (give the "
      "agent a key with AGENT_KEY_FILE)");
}

Result<store::RepoSession> Service::session_for(const auth::Claims& caller, const std::string& id) {
  FF_TRY(validate_id("session_id", id));
  FF_ASSIGN_OR_RETURN(store::RepoSession s, store_.get_repo_session(id));
  if (!caller.may_act_for(s.agent_id)) {
    return PermissionDenied("session belongs to another agent");
  }
  return s;
}

Result<store::RepoSession> Service::open_repo_session(const auth::Claims& caller,
                                                      const NewRepoSession& req) {
  FF_TRY(validate_id("agent_id", req.agent_id));
  if (req.repository_id && !is_lower_hex(*req.repository_id, 32)) {
    return ValidationError("repository_id: must be 32 lowercase hex characters (the key id)");
  }
  if (req.encrypted != req.repository_id.has_value()) {
    return ValidationError("encrypted: must be true exactly when repository_id is given");
  }
  if (!caller.may_act_for(req.agent_id)) {
    return PermissionDenied("token may not open sessions for another agent");
  }
  FF_TRY(check_encryption_allowed(req.encrypted));
  SystemTime now = env_.clock->now();
  store::RepoSession s{env_.random->unique_id("rs-"),
                       req.agent_id,
                       req.repository_id.value_or("agent:" + req.agent_id),
                       req.encrypted,
                       now,
                       session_expiry(now),
                       std::nullopt};
  FF_TRY(touch_agent(req.agent_id));
  FF_TRY(store_.insert_repo_session(s));
  return s;
}

Result<std::vector<std::pair<std::string, std::string>>> Service::lookup_blobs(
    const auth::Claims& caller, const std::string& session_id,
    const std::vector<std::string>& ids) {
  FF_TRY(validate_hex_ids("ids", ids));
  FF_TRY(session_for(caller, session_id).status());
  SystemTime now = env_.clock->now();
  return store_.lookup_blobs(session_id, ids, now, session_expiry(now));
}

Result<std::vector<std::string>> Service::hold_packs(const auth::Claims& caller,
                                                     const std::string& session_id,
                                                     const std::vector<std::string>& pack_ids) {
  FF_TRY(validate_hex_ids("packs", pack_ids));
  FF_TRY(session_for(caller, session_id).status());
  SystemTime now = env_.clock->now();
  return store_.hold_packs(session_id, pack_ids, now, session_expiry(now));
}

Result<AnnouncedPack> Service::announce_pack(const auth::Claims& caller, const NewPack& req) {
  if (!is_lower_hex(req.id, 64)) {
    return ValidationError("id: must be 64 lowercase hex characters (SHA-256 of the pack)");
  }
  if (req.size <= 0 || req.size > kMaxPackBytes) {
    return ValidationError("size: 1.." + std::to_string(kMaxPackBytes) + " bytes");
  }
  FF_TRY(validate_blobs(req));
  FF_ASSIGN_OR_RETURN(store::RepoSession s, session_for(caller, req.session_id));
  FF_TRY(check_storage_quota(s.agent_id, req.size));
  SystemTime now = env_.clock->now();
  store::Pack row{req.id, s.repository, s.agent_id, req.size, kSnapshotPending, now, std::nullopt};
  FF_ASSIGN_OR_RETURN(store::Pack stored, store_.announce_pack(req.session_id, row, req.blobs, now,
                                                               session_expiry(now)));
  AnnouncedPack out{stored, std::nullopt};
  if (stored.status == kSnapshotPending) {
    auto url = blobs_.presign_put(pack_key(stored.id), options_.presign_expiry);
    if (url.ok()) out.presigned_url = *url;
  }
  return out;
}

Result<store::Snapshot> Service::commit_repo_session(const auth::Claims& caller,
                                                     const RepoCommit& req) {
  FF_TRY(validate_id("snapshot_id", req.snapshot_id));
  if (!is_lower_hex(req.root, 64)) {
    return ValidationError("root: must be 64 lowercase hex characters (the root tree blob id)");
  }
  if (!req.metadata.is_object()) return ValidationError("metadata: must be an object");
  if (req.metadata.dump().size() > kMaxMetadataBytes) {
    return ValidationError("metadata: at most 16 KiB of JSON");
  }
  FF_ASSIGN_OR_RETURN(store::RepoSession session, session_for(caller, req.session_id));
  SystemTime now = env_.clock->now();
  auto count = [&](const char* field) -> std::optional<int64_t> {
    auto it = req.metadata.find(field);
    if (it == req.metadata.end() || !it->is_number_integer() || it->get<int64_t>() < 0) {
      return std::nullopt;
    }
    return it->get<int64_t>();
  };
  store::Snapshot row;
  row.id = req.snapshot_id;
  row.agent_id = session.agent_id;
  row.checksum = req.root;  // pinned: a repository snapshot's checksum is its root tree id
  row.logical_size = count("byte_count");
  row.size = row.logical_size.value_or(0);
  row.metadata_json = req.metadata.dump();
  row.status = kSnapshotAvailable;
  row.created_at = now;
  row.uploaded_at = now;
  row.format = kFormatRepository;
  row.root = req.root;
  row.file_count = count("file_count");
  row.encrypted = session.encrypted;
  row.repository = session.repository;
  // Checked before the commit so the record cannot be refused after it.
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record, prepare_audit(audit::snapshot_created(row)));
  FF_ASSIGN_OR_RETURN(store::Snapshot stored, store_.commit_repo_session(req.session_id, row, now));
  FF_TRY(commit_audit(record));
  return stored;
}

Status Service::abort_repo_session(const auth::Claims& caller, const std::string& session_id) {
  FF_TRY(session_for(caller, session_id).status());
  return store_.close_repo_session(session_id, env_.clock->now());
}

Result<BlobLocations> Service::locate_blobs(const auth::Claims& caller,
                                            const std::string& snapshot_id,
                                            const std::vector<std::string>& ids) {
  FF_TRY(validate_hex_ids("ids", ids));
  FF_ASSIGN_OR_RETURN(store::Snapshot s, get_snapshot(caller, snapshot_id));
  FF_TRY(check_download(caller, s));
  BlobLocations out;
  FF_ASSIGN_OR_RETURN(out.found, store_.locate_blobs(snapshot_id, ids));
  std::set<std::string> found;
  for (const auto& [id, loc] : out.found) found.insert(id);
  for (const std::string& id : ids) {
    if (!found.contains(id)) out.missing.push_back(id);
  }
  return out;
}

Result<store::Pack> Service::get_pack_for_download(const auth::Claims& caller,
                                                   const std::string& id) {
  if (!is_lower_hex(id, 64)) return ValidationError("id: must be 64 lowercase hex characters");
  FF_ASSIGN_OR_RETURN(store::Pack p, store_.get_pack(id));
  if (caller.is_agent()) {
    FF_ASSIGN_OR_RETURN(bool may, store_.agent_may_read_pack(id, caller.subject));
    if (!may) {
      return PermissionDenied("no snapshot you may download references pack " + id);
    }
  }
  if (p.status != kSnapshotAvailable) {
    return Conflict("pack " + id + " is " + p.status + ", not available");
  }
  return p;
}

}  // namespace ff::core
