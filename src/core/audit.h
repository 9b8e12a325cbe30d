// Audit records: the typed events the orchestrator writes to the WAL.
//
// Records are built here from typed values, never from request bodies, so no
// secret or token can slip into the log. Each carries `agent_id` when it
// concerns one agent: live streams use it to show agents only their own records.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/retention.h"
#include "core/stored_object.h"
#include "store/store.h"

namespace ff::core::audit {

struct Entry {
  std::string event;
  nlohmann::json fields;
};

Entry token_minted(const std::string& role, const std::optional<std::string>& agent_id,
                   const std::string& token_id, int64_t expires_at, const std::string& key_id = {});
// Credentials: names and ids only, never a key, secret or code.
Entry api_key_created(const store::ApiKey& key);
Entry api_key_revoked(const std::string& key_id);
// The URL may carry credentials of its own and the secret is the webhook's:
// only the id and the events are recorded.
Entry webhook_created(const store::Webhook& w);
Entry webhook_deleted(const std::string& webhook_id);
// Schedules: ids, kind and timing only (paths and retention stay in the store).
Entry schedule_created(const store::Schedule& s);
Entry schedule_updated(const store::Schedule& s);
Entry schedule_deleted(const store::Schedule& s);
// A claimed occurrence: `status` ok (job_id set) or failed (error set).
Entry schedule_run(const store::Schedule& s, SystemTime scheduled_for, const std::string& status,
                   const std::optional<std::string>& job_id,
                   const std::optional<std::string>& error);
Entry schedule_missed(const store::Schedule& s, SystemTime scheduled_for,
                      const std::string& reason);
Entry agent_enrollment_created(const std::string& agent_id, SystemTime expires_at);
Entry agent_enrolled(const std::string& agent_id);
Entry agent_revoked(const std::string& agent_id);
Entry agent_registered(const std::string& agent_id);
Entry snapshot_created(const store::Snapshot& s);
// Object uploads, named by kind: snapshot_uploaded / pack_uploaded,
// snapshot_verified / pack_verified (a presigned upload hashed), and
// snapshot_corrupt / pack_corrupt.
Entry object_uploaded(const StoredObject& o, const std::string& via);
Entry object_verified(const StoredObject& o);
Entry object_corrupt(const StoredObject& o, const std::string& actual_checksum,
                     int64_t actual_size);
// Garbage collection: counts only, so the record stays small whatever was deleted.
Entry gc_completed(int64_t packs_deleted, int64_t bytes_freed, int64_t kept_held,
                   int64_t kept_young);
// A deletion a retention policy decided, not a person: the record gains
// "reason": "retention", the policy and who applied it.
struct RetentionDeletion {
  RetentionPolicy policy;
  std::string applied_by;  // "prune by <subject>" or the scheduler's reason
};
Entry snapshot_deleted(const store::Snapshot& s, const RetentionDeletion* retention = nullptr);
// A job of restore_jobs created: restore_job_created (the seed's name),
// drill_created or verify_job_created by its kind; `command` is null for a
// verify job (the orchestrator runs it).
Entry snapshot_job_created(const store::RestoreJob& job, const store::Command* command);
// A verify job found every object of the snapshot intact (snapshot_verified,
// with the job and how it checked: read_data, objects, bytes read).
Entry snapshot_verified(const store::Snapshot& s, const std::string& job_id, bool read_data,
                        int64_t objects, int64_t bytes_read);
// A verify job found a pack of the repository snapshot damaged or missing:
// snapshot_corrupt, naming the pack and the problem.
Entry snapshot_corrupt_pack(const store::Snapshot& s, const std::string& pack_id,
                            const std::string& problem, const std::string& job_id);
// A drill restored the snapshot on `target_agent_id` and proved every file.
Entry snapshot_proven_restorable(const store::RestoreJob& drill, const std::string& owner_agent_id,
                                 SystemTime at);
Entry backup_job_created(const store::BackupJob& job, const store::Command& command);
Entry command_dispatched(const store::Command& c);
Entry agent_event(const std::string& agent_id, const std::optional<std::string>& job_id,
                  const std::optional<std::string>& snapshot_id, const std::string& event_type,
                  const std::string& message, const nlohmann::json& metadata);
Entry job_cancelled(const store::CancelledJob& job, const std::string& agent_notified);
Entry job_status_changed(const std::string& kind, const std::string& job_id,
                         const std::string& agent_id, const std::string& from,
                         const std::string& to);

}  // namespace ff::core::audit
