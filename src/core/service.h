// Service: the orchestrator's use cases — tokens, snapshots, restore jobs,
// agents, commands and events — as plain calls taking the caller's claims.
//
// Each state change is committed to the Store and then appended to the WAL;
// a call returns success only after the WAL record is durable, so every
// acknowledged change is in both. A record carrying client content is built
// and size-checked (wal::Writer::prepare) before the change is committed, so
// client input can never commit a change whose record the WAL then refuses;
// after the commit only I/O can fail the append, and that failure is sticky
// (readiness 503). A crash between the two leaves a change the client never
// saw acknowledged (documented in docs/architecture.md).
//
// Authorization is decided here, next to the rules: operators may do
// everything; an agent only what concerns itself.
//
// Thread-safety: safe from many worker threads. Calls block on the database,
// the object store and the WAL's fsync: never call from an I/O thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/rate_limiter.h"
#include "auth/token.h"
#include "blob/blob_store.h"
#include "common/status.h"
#include "core/audit.h"
#include "core/notifier.h"
#include "core/prune.h"
#include "core/stored_object.h"
#include "store/store.h"
#include "sys/env.h"
#include "wal/writer.h"

namespace ff::core {

// Client-supplied text that ends up in an audit record is bounded, as stored
// (JSON-escaped), so the record always fits the WAL's line limit.
inline constexpr size_t kMaxMetadataBytes = 16 * 1024;
inline constexpr size_t kMaxMessageBytes = 16 * 1024;    // an event's message, escaped
inline constexpr size_t kMaxPathsJsonBytes = 32 * 1024;  // a backup job's paths, as JSON

struct ServiceOptions {
  // Set when replicas share the database: every WAL record names its replica.
  std::string replica_id;
  std::chrono::seconds command_lease{300};
  std::chrono::seconds agent_offline{60};
  std::chrono::seconds presign_expiry{3600};
  std::string registration_secret;
  // Quotas against one agent (or a stolen agent token) flooding the orchestrator.
  uint64_t max_object_bytes = 256ull << 30;  // a snapshot's declared size
  uint64_t agent_quota_bytes = 0;            // sum of an agent's snapshot sizes; 0: none
  double agent_events_per_second = 20;       // events per agent, sustained ...
  double agent_event_burst = 200;            // ... and at once
  int64_t max_job_events = 1000;             // log events per job, the terminal one excepted
  // When set, the only secret minting admin tokens (registration_secret then
  // mints agent tokens only). Empty: registration_secret mints both (legacy).
  std::string operator_secret;
  // False: the shared registration secret mints nothing; agents use their
  // own enrolled secrets.
  bool registration_secret_enabled = true;
  std::chrono::seconds enrollment_ttl{3600};
  // The repository format: refuse unencrypted snapshots (sessions and tar);
  // a backup session lives this long after its last call.
  bool require_encryption = false;
  std::chrono::seconds repo_session_ttl{3600};
  // Object keys in the object store (S3_KEY_PREFIX, checked by src/config).
  ObjectKeys object_keys;
  // Verify jobs read stored objects at most this fast (ORCH_VERIFY_BYTES_PER_SECOND),
  // so a verification never starves uploads and restores; 0: unlimited.
  uint64_t verify_bytes_per_second = 64ull << 20;
  // A verify job in progress with no progress for this long was abandoned
  // (its orchestrator stopped) and is taken up again.
  std::chrono::seconds verify_stale_after{300};
};

// POST /repository/sessions
struct NewRepoSession {
  std::string agent_id;
  std::optional<std::string> repository_id;  // the key id; null: unencrypted
  bool encrypted = false;
};

// POST /packs
struct NewPack {
  std::string session_id;
  std::string id;
  int64_t size = 0;
  std::vector<store::PackBlob> blobs;
};

struct AnnouncedPack {
  store::Pack pack;
  std::optional<std::string> presigned_url;  // only while pending
};

// POST /repository/sessions/{id}/commit
struct RepoCommit {
  std::string session_id;
  std::string snapshot_id;
  std::string root;
  nlohmann::json metadata = nlohmann::json::object();
};

struct BlobLocations {
  std::vector<std::pair<std::string, store::BlobLocation>> found;
  std::vector<std::string> missing;
};

struct GcRequest {
  int64_t grace_seconds = 86400;
  bool dry_run = false;
};

struct GcReport {
  int64_t packs_deleted = 0;  // for a dry run: would be deleted
  int64_t bytes_freed = 0;
  int64_t packs_kept_held = 0;
  int64_t packs_kept_young = 0;
  bool dry_run = false;
};

// The most ids one lookup, locate or announcement may carry.
inline constexpr size_t kMaxIdsPerCall = 10000;

// POST /auth/token's body: exactly one way to prove who the caller is.
struct TokenRequest {
  std::optional<std::string> registration_secret;  // + agent_id: agent; alone: admin
  std::optional<std::string> agent_id;
  std::optional<std::string> agent_secret;  // with agent_id: an enrolled agent
  std::optional<std::string> api_key;       // a named API key: its role
};

struct CreatedApiKey {
  store::ApiKey key;
  std::string secret;  // the key itself: returned once, never stored
};

struct Enrollment {
  std::string agent_id;
  std::string code;  // one-time; only its hash is stored
  SystemTime expires_at;
};

struct NewSnapshot {
  std::string id;
  std::string agent_id;
  std::string checksum;
  int64_t size = 0;
  nlohmann::json metadata = nlohmann::json::object();
};

struct CreatedSnapshot {
  store::Snapshot snapshot;
  std::optional<std::string> presigned_url;
};

struct NewRestoreJob {
  std::string snapshot_id;
  std::string target_agent_id;
  std::string target_path;
};

struct RestoreJobView {
  store::RestoreJob job;
  std::vector<store::JobEvent> logs;
};

// POST /drills: which snapshot (given, or the agent's newest available one)
// to restore into scratch on which agent (default: the snapshot's owner).
struct NewDrill {
  std::optional<std::string> snapshot_id;
  std::optional<std::string> agent_id;
  std::optional<std::string> target_agent_id;
};

// POST /verify-jobs: one snapshot, an agent's, or (neither) every available
// snapshot. read_data re-reads and hashes every object; without it each
// object's presence and size are checked. subset_percent (1..100) reads that
// share of the objects, chosen by a hash of the job and object ids.
struct NewVerifyJob {
  std::optional<std::string> snapshot_id;
  std::optional<std::string> agent_id;
  bool read_data = true;
  int subset_percent = 100;
};

struct NewBackupJob {
  std::string agent_id;
  std::vector<std::string> paths;  // empty: the agent's configured BACKUP_DIR
};

// The paths of a backup job as stored (a JSON array of strings): kValidation
// naming `paths` for an empty, NUL-carrying or over-long path, or when the
// escaped JSON passes kMaxPathsJsonBytes. Shared by backup jobs and schedules.
Result<nlohmann::json> backup_paths_json(const std::vector<std::string>& paths);

// POST /schedules (every field but enabled required as documented) and
// PATCH /schedules/{id} (only the fields given). For the clearable fields the
// outer optional is "given", the inner one the value (nullopt: JSON null).
// Giving cron or interval_seconds replaces the schedule's timing.
struct ScheduleInput {
  std::optional<std::string> agent_id;
  std::optional<std::string> kind;
  std::optional<std::string> cron;
  std::optional<int64_t> interval_seconds;
  std::optional<std::optional<std::vector<std::string>>> paths;
  std::optional<std::optional<nlohmann::json>> retention;
  std::optional<std::optional<std::string>> target_agent_id;
  std::optional<bool> enabled;
};

// The smallest interval_seconds a schedule may have, and the largest (a year).
inline constexpr int64_t kMinScheduleInterval = 10;
inline constexpr int64_t kMaxScheduleInterval = 366 * 86400;

struct BackupJobView {
  store::BackupJob job;
  std::vector<store::JobEvent> logs;
};

// What cancelling a job did; `agent_notified` says how the agent learns it.
struct CancelledJobView {
  store::CancelledJob job;
  // "withdrawn": its command had not been delivered and never will be;
  // "at_next_event": the agent has the command and learns at its next event
  // for the job (answered 409 with job_status "cancelled").
  std::string agent_notified;
};

struct AgentView {
  store::Agent agent;
  bool online = false;
};

// What metrics read at scrape time: the store's counts and every agent with
// its online state, as of `now`.
struct OperationsSummary {
  store::StoreSummary store;
  std::vector<AgentView> agents;
  SystemTime now;
};

struct AgentEventInput {
  std::optional<std::string> job_id;
  std::optional<std::string> snapshot_id;
  std::string event_type;
  std::string message;
  nlohmann::json metadata = nlohmann::json::object();
};

// Why post_event refused an event, beyond its Status.
struct EventRefusal {
  int retry_after_seconds = 1;  // with kRateLimited
  std::string job_status;       // with kConflict for a finished job: its status
};

struct ReadinessCheck {
  std::string name;
  Status status;
};

struct Readiness {
  bool ready = true;
  std::vector<ReadinessCheck> checks;
  wal::Writer::Head wal_head;
};

class Service {
 public:
  // Every reference must outlive the service.
  Service(const sys::Env& env, store::Store& store, blob::BlobStore& blobs, wal::Writer& wal,
          const auth::TokenService& tokens, auth::Revocations& revocations, Notifier& notifier,
          ServiceOptions options);

  // --- tokens: a wrong secret or key -> kPermissionDenied (secrets compared
  // in constant time), a malformed request -> kValidation.
  Result<auth::MintedToken> mint_token(const TokenRequest& req);

  // --- credentials (credentials.cc); callers are authorized by the route table.
  Result<CreatedApiKey> create_api_key(const std::string& name, auth::Role role);
  Result<std::vector<store::ApiKey>> list_api_keys();
  // Revokes at once: tokens minted from the key stop verifying.
  Status revoke_api_key(const std::string& id);
  // A one-time code for the agent to exchange (enroll()); replaces an earlier unused one.
  Result<Enrollment> create_enrollment(const std::string& agent_id);
  // Exchanges the code for the agent's own secret (returned once).
  Result<std::string> enroll(const std::string& agent_id, const std::string& code);
  // Refuses the agent's tokens issued until now and its secret; it can mint
  // again only after a new enrollment.
  Status revoke_agent(const std::string& agent_id);
  // Reloads the revocation set from the store (another process may have revoked).
  Status refresh_revocations();

  // --- snapshots
  Result<CreatedSnapshot> create_snapshot(const auth::Claims& caller, const NewSnapshot& s);
  Result<store::Snapshot> get_snapshot(const auth::Claims& caller, const std::string& id);
  Result<store::Listing<store::Snapshot>> list_snapshots(const auth::Claims& caller,
                                                         store::SnapshotFilter filter,
                                                         const store::Page& page);
  Status delete_snapshot(const auth::Claims& caller, const std::string& id);
  // --- retention (prune.cc; semantics in core/retention.h and core/prune.h).
  // Operators and admins: applies req.policy to one agent's available
  // snapshots (kNotFound for an agent never seen) or to every agent owning
  // some. Unless req.dry_run, deletes what it forgets as delete_snapshot
  // does, each audited with the policy; a snapshot a running job pins is kept.
  // An error part-way (database, WAL) is returned as is: the deletions before
  // it stand and are in the WAL, and running the prune again finishes it.
  Result<PruneReport> prune(const auth::Claims& caller, const PruneRequest& req);
  // prune for one agent on the orchestrator's own behalf (no caller: the
  // scheduler after a successful backup); `applied_by` goes into the audit.
  Result<PruneReport> apply_retention(const std::string& agent_id, const RetentionPolicy& policy,
                                      std::string_view applied_by);
  // Whether the caller may download the snapshot's bytes: operators, its owner,
  // and agents targeted by a restore job naming it.
  Status check_download(const auth::Claims& caller, const store::Snapshot& s);

  // --- restore jobs
  Result<RestoreJobView> create_restore_job(const auth::Claims& caller, const NewRestoreJob& req);
  Result<RestoreJobView> get_restore_job(const auth::Claims& caller, const std::string& id);
  Result<store::Listing<store::RestoreJob>> list_restore_jobs(const auth::Claims& caller,
                                                              store::RestoreJobFilter filter,
                                                              const store::Page& page);

  // --- drills and verify jobs (drills.cc, verify_jobs.cc): kinds sharing the
  // restore job's row. Operators only for creation.
  Result<RestoreJobView> create_drill(const auth::Claims& caller, const NewDrill& req);
  Result<RestoreJobView> create_verify_job(const auth::Claims& caller, const NewVerifyJob& req);
  // A job of `kind` (restore, drill or verify); kNotFound for another kind's id.
  Result<RestoreJobView> get_job(const auth::Claims& caller, store::JobKind kind,
                                 const std::string& id);
  Result<store::Listing<store::RestoreJob>> list_jobs(const auth::Claims& caller,
                                                      store::JobKind kind,
                                                      store::RestoreJobFilter filter,
                                                      const store::Page& page);
  // Runs the oldest pending verify job (or one abandoned in progress) to the
  // end, on the calling thread; false when there was none. Several
  // orchestrators may call this: a job is claimed by moving it to in_progress.
  Result<bool> run_next_verify_job();
  // Asks a running verify job to stop soon (shutdown); it is resumed later.
  void request_stop() { stopping_.store(true); }

  // --- backup jobs: queue one `backup` command for the agent
  Result<BackupJobView> create_backup_job(const auth::Claims& caller, const NewBackupJob& req);
  Result<BackupJobView> get_backup_job(const auth::Claims& caller, const std::string& id);
  Result<store::Listing<store::BackupJob>> list_backup_jobs(const auth::Claims& caller,
                                                            store::BackupJobFilter filter,
                                                            const store::Page& page);

  // --- either kind (job_cancel.cc): operators only. kNotFound for an unknown
  // job, kConflict for a finished one. Audits job_cancelled (and
  // job_status_changed); a cancelled restore job no longer pins its snapshot.
  Result<CancelledJobView> cancel_job(const auth::Claims& caller, store::JobKind kind,
                                      const std::string& id);

  // --- agents, commands, events
  // The agents `caller` may see, sorted by id.
  Result<std::vector<AgentView>> list_agents(const auth::Claims& caller);
  // Alert webhooks (core/webhooks.cc). The secret is stored and used to sign
  // deliveries, never returned (callers show store::Webhook without it).
  Result<store::Webhook> create_webhook(const std::string& url, std::vector<std::string> events,
                                        const std::string& secret);
  Result<std::vector<store::Webhook>> list_webhooks();
  Result<store::Webhook> get_webhook(const std::string& id);
  Status delete_webhook(const std::string& id);

  // Schedules (core/schedules.cc); callers are authorized by the route table.
  // kValidation naming the field, kNotFound for an unknown agent, target
  // agent or schedule. Each change is audited (schedule_created / _updated /
  // _deleted).
  Result<store::Schedule> create_schedule(const ScheduleInput& in);
  Result<std::vector<store::Schedule>> list_schedules();
  Result<store::Schedule> get_schedule(const std::string& id);
  // Recomputes next_run_at from now when the timing changes or the schedule
  // is enabled again.
  Result<store::Schedule> update_schedule(const std::string& id, const ScheduleInput& in);
  Status delete_schedule(const std::string& id);

  // For metrics (no caller: the orchestrator's own view).
  Result<OperationsSummary> summarize();
  // Leases the agent's due commands (possibly none).
  Result<std::vector<store::Command>> poll_commands(const auth::Claims& caller,
                                                    const std::string& agent_id);
  // poll_commands' answer when it can be given with one read and no write
  // (nothing to lease, last_seen recorded under a second ago): true. False
  // when poll_commands must run. Errors as poll_commands'.
  Result<bool> poll_finds_nothing(const auth::Claims& caller, const std::string& agent_id);
  // kRateLimited (with refusal->retry_after_seconds, when given) past the
  // agent's event rate; kConflict past the job's event cap, except for the
  // event that finishes the job, which is always taken; kConflict for a
  // finished job (completed, failed or cancelled: refusal->job_status).
  Status post_event(const auth::Claims& caller, const std::string& agent_id,
                    const AgentEventInput& event, EventRefusal* refusal = nullptr);
  // post_event without holding the calling thread while the event's change
  // and its WAL record become durable in a group commit: `done` gets what
  // post_event would return, and the refusal, exactly once: on this thread
  // when decided at once, else on a WAL leader's thread (it must not block
  // then) or on the blocking executor. Asynchronous only on a database whose
  // changes the WAL's leader commits (SQLite), without replicas, with a
  // blocking executor set, and for an event naming a job; otherwise
  // post_event runs here.
  using EventDone = std::function<void(Status, EventRefusal)>;
  void post_event_async(const auth::Claims& caller, const std::string& agent_id,
                        AgentEventInput event, EventDone done);
  // Where post_event_async runs what may block (the server's worker pool).
  // REQUIRES: set before serving.
  using Executor = std::function<void(std::function<void()>)>;
  void set_blocking_executor(Executor run) { blocking_executor_ = std::move(run); }

  Readiness readiness();

  // --- the repository format (repository.cc). Agents act for themselves
  // only; a session is used only by its agent (or an operator).
  // Malformed ids and lists are kValidation; ORCH_REQUIRE_ENCRYPTION refuses
  // unencrypted sessions with kValidation too (422).
  Result<store::RepoSession> open_repo_session(const auth::Claims& caller,
                                               const NewRepoSession& req);
  // The ids already stored in the session's namespace, each with its pack.
  Result<std::vector<std::pair<std::string, std::string>>> lookup_blobs(
      const auth::Claims& caller, const std::string& session_id,
      const std::vector<std::string>& ids);
  // Of the pack ids, those available in the session's namespace, now held.
  Result<std::vector<std::string>> hold_packs(const auth::Claims& caller,
                                              const std::string& session_id,
                                              const std::vector<std::string>& pack_ids);
  Result<AnnouncedPack> announce_pack(const auth::Claims& caller, const NewPack& req);
  // The snapshot as committed (status available). Audits snapshot_created.
  Result<store::Snapshot> commit_repo_session(const auth::Claims& caller, const RepoCommit& req);
  Status abort_repo_session(const auth::Claims& caller, const std::string& session_id);
  // Blob locations inside the packs the snapshot references; access as
  // check_download.
  Result<BlobLocations> locate_blobs(const auth::Claims& caller, const std::string& snapshot_id,
                                     const std::vector<std::string>& ids);
  // The pack, when the caller may read its bytes: operators, and agents that
  // may download a snapshot referencing it. kConflict unless available.
  Result<store::Pack> get_pack_for_download(const auth::Claims& caller, const std::string& id);

  // --- garbage collection (gc.cc): admin only.
  Result<GcReport> collect_garbage(const auth::Claims& caller, const GcRequest& req);

  // --- object uploads (uploads.cc), shared by tar snapshots and packs.
  // The object `id` of `kind` when the caller may upload its bytes:
  // kNotFound, kPermissionDenied, kConflict (already available or deleting).
  Result<StoredObject> begin_upload(const auth::Claims& caller, ObjectKind kind,
                                    const std::string& id);
  // The completion rule for bytes received through the orchestrator:
  // kIntegrity ("Checksum mismatch: expected X, got Y" or the size) unless
  // they match `o`. Call before publishing the object.
  static Status check_upload(const StoredObject& o, const std::string& actual_checksum,
                             uint64_t actual_size);
  // After the checked object is published: marks it available (a corrupt
  // snapshot is repaired) and audits. kConflict when decided concurrently.
  Result<StoredObject> finish_upload(StoredObject o, const std::string& via);
  // For an object that reached the store directly (presigned PUT) or whose
  // status change was lost: hashes it and marks it available or corrupt.
  // Returns it as it is now (still pending while missing or short).
  Result<StoredObject> verify_object(const StoredObject& o);
  // POST /packs/{id}/complete: verify_object for a pack; kIntegrity on a
  // mismatch, kConflict while not (fully) uploaded.
  Result<store::Pack> complete_pack(const auth::Claims& caller, const std::string& id);

  // --- object verification (presigned uploads, crash recovery)
  // For a pending snapshot whose object exists: hashes it and moves the
  // snapshot to available or corrupt (WAL: snapshot_verified / snapshot_corrupt).
  // Returns the snapshot as it is now.
  Result<store::Snapshot> verify_pending(const store::Snapshot& s);
  // verify_pending for every pending snapshot; returns how many were decided.
  Result<int> sweep_pending();

  // Appends an audit entry; exposed for the storage paths (upload, verify).
  // Only for entries whose fields are bounded by construction (ids, statuses,
  // sizes); anything carrying client text goes through prepare_audit first.
  Result<wal::RecordPtr> audit(const audit::Entry& e);
  // Serializes and size-checks `e` without writing it: kValidation naming the
  // event when client content makes it too large for the WAL. Call before
  // committing the change the entry records, then commit_audit after.
  Result<wal::PreparedRecord> prepare_audit(const audit::Entry& e);
  Result<wal::RecordPtr> commit_audit(const wal::PreparedRecord& record);
  // Commits `change` (a database write returning Result<T>), then `record`,
  // the entry that records it. Where the WAL writer batches changes
  // (SQLite), its group commit runs the change, on another thread, in one
  // transaction with the batch's other changes: the caller waits once for
  // both, and a batch pays one database commit. Elsewhere, change() then
  // commit_audit. Returns the change's result once both are durable; its
  // failure as is (its record is then not written); or why the record was
  // not made durable.
  template <typename Fn>
  auto commit_with_audit(const wal::PreparedRecord& record, Fn&& change)
      -> std::invoke_result_t<Fn&> {
    std::optional<std::invoke_result_t<Fn&>> result;
    FF_TRY(commit_change_with_audit(record, [&]() -> Status {
      result.emplace(change());
      return result->status();
    }));
    return std::move(*result);
  }
  // audit() for a record that is the whole change (a token mint): durable in
  // the WAL is enough to acknowledge it, so tokens need no database; with
  // replicas it reaches the global stream as soon as the database answers.
  Result<wal::RecordPtr> audit_wal_only(const audit::Entry& e);
  // Records that the agent was seen now, at most once a second per agent. An
  // agent this process has not written yet is written at once (so it is in
  // GET /agents when the call returns); later sightings are batched: the
  // first caller a second after the last batch writes everyone's in one
  // transaction, so a fleet's polls cost one write a second, not one each.
  Status touch_agent(const std::string& agent_id);
  // Writes the batched sightings now (shutdown, tests).
  Status flush_touches();
  // Whether touch_agent would write.
  bool touch_due(const std::string& agent_id);

  store::Store& store() { return store_; }
  blob::BlobStore& blobs() { return blobs_; }
  const sys::Env& env() const { return env_; }
  Notifier& notifier() { return notifier_; }
  // With replicas, a change is acknowledged only once its WAL record is in
  // the global event stream too: `wait` blocks until the record with that
  // WAL seq is (events/stream_shipper.h). REQUIRES: set before serving.
  void set_stream_wait(std::function<Status(uint64_t wal_seq)> wait) {
    stream_wait_ = std::move(wait);
  }
  const ObjectKeys& object_keys() const { return options_.object_keys; }
  std::string object_key(const std::string& snapshot_id) const {
    return options_.object_keys.snapshot(snapshot_id);
  }
  static std::string pack_key(const std::string& pack_id) { return ObjectKeys::pack(pack_id); }

 private:
  sys::Env env_;
  store::Store& store_;
  blob::BlobStore& blobs_;
  wal::Writer& wal_;
  // commit_with_audit for a change that reports only its status.
  Result<wal::RecordPtr> commit_change_with_audit(const wal::PreparedRecord& record,
                                                  const std::function<Status()>& change);
  // The WAL half of commit_audit: durable here, not yet in the global stream.
  Result<wal::RecordPtr> append_audit(const wal::PreparedRecord& record);
  // The errors a client may see for `appended`, the WAL's answer for `record`.
  static Result<wal::RecordPtr> appended_audit(const wal::PreparedRecord& record,
                                               Result<wal::RecordPtr> appended);
  // The global-stream half of commit_audit (with replicas).
  Result<wal::RecordPtr> acknowledged_audit(const wal::PreparedRecord& record,
                                            Result<wal::RecordPtr> appended);
  std::function<Status(uint64_t wal_seq)> stream_wait_;  // set before serving, then read-only
  const auth::TokenService& tokens_;
  auth::Revocations& revocations_;
  Notifier& notifier_;
  ServiceOptions options_;

  Result<auth::MintedToken> mint_agent_token(const TokenRequest& req);
  // An id and a random secret with a recognizable prefix ("ffk_...").
  std::string new_secret(std::string_view prefix);

  // The snapshot, when a restore or drill may be queued for it: a pending
  // one is verified first; kConflict when corrupt.
  Result<store::Snapshot> restorable_snapshot(const std::string& snapshot_id);
  // Queues a restore or drill of `snap` for `target_agent_id` (job, command
  // and WAL record), then wakes the agent.
  Result<RestoreJobView> queue_restore(store::JobKind kind, const store::Snapshot& snap,
                                       const std::string& target_agent_id,
                                       const std::string& target_path,
                                       const nlohmann::json& params);
  // After a drill completed: stamps its snapshot and the snapshot's owner as
  // proven restorable at `at` and audits snapshot_proven_restorable.
  Status record_drill_proof(const store::RestoreJob& drill, SystemTime at);
  // The verification of one claimed verify job (verify_jobs.cc).
  Status run_verify_job(const store::RestoreJob& job);

  // post_event's checks before anything is written (id, caller, quotas), the
  // agent's sighting, and the event's prepared audit record.
  Result<wal::PreparedRecord> admit_event(const auth::Claims& caller, const std::string& agent_id,
                                          const AgentEventInput& e, EventRefusal* refusal);
  // The event's change to its restore job (kNotFound: no restore job has the id).
  Result<store::EventResult> record_restore_job_event(const std::string& agent_id,
                                                      const AgentEventInput& e, SystemTime now,
                                                      EventRefusal* refusal);
  // Once the change and its record are durable and the event counted: a
  // status change is audited, and a completed drill's proof recorded. Does
  // nothing when the status did not change. May block.
  Status after_restore_job_status_change(const store::EventResult& changed,
                                         const std::string& agent_id, SystemTime now);
  Executor blocking_executor_;  // set before serving, then read-only
  // Applies an event to a backup job (post_event found no restore job with the id).
  // `record` is the event's prepared agent_event audit record.
  Status post_backup_event(const std::string& agent_id, const AgentEventInput& e, SystemTime now,
                           const wal::PreparedRecord& record, EventRefusal* refusal);

  // A schedule's settings as a whole (core/schedules.cc): kValidation naming
  // the field, kNotFound for an unknown agent or target agent.
  Status check_schedule(const store::Schedule& s);

  // kNotFound naming `agent_id` unless the agent is known (in GET /agents:
  // it minted a token, polled, posted or owns a snapshot).
  Status require_known_agent(const std::string& agent_id);

  // The quotas of post_event, checked before anything is written.
  Status check_event_quotas(const std::string& agent_id, const AgentEventInput& e,
                            int* retry_after);
  // After an event of `job_id` is stored: counts it (a terminal event forgets the job).
  void count_job_event(const std::string& job_id, const std::string& event_type);
  // The agent's stored bytes (tar snapshots and the packs it announced)
  // plus `adding`, against options_.agent_quota_bytes.
  Status check_storage_quota(const std::string& agent_id, int64_t adding);
  // kValidation (the pinned message) for an unencrypted snapshot while
  // ORCH_REQUIRE_ENCRYPTION is set.
  Status check_encryption_allowed(bool encrypted) const;
  // The session when the caller may use it (its agent or an operator).
  Result<store::RepoSession> session_for(const auth::Claims& caller, const std::string& id);
  SystemTime session_expiry(SystemTime now) const { return now + options_.repo_session_ttl; }
  // A pack upload (start and end) is a call of the sessions holding the pack:
  // it extends them, so a long upload does not let them expire. No-op for snapshots.
  Status keep_sessions_alive(const StoredObject& o);
  // The one deletion path (delete_snapshot, prune): kConflict while a
  // pending or in-progress restore job uses `s`. `retention`: the policy that
  // chose it, for the audit record; null for a deletion by hand.
  Status remove_snapshot(const store::Snapshot& s, const audit::RetentionDeletion* retention);
  // kConflict when a pending or in-progress restore job uses the snapshot:
  // what remove_snapshot would refuse, for a dry run.
  Status check_unpinned(const std::string& snapshot_id);
  // prune and apply_retention after their checks; `agents` empty: every
  // agent owning available snapshots.
  Result<PruneReport> prune_agents(const std::vector<std::string>& agents,
                                   const RetentionPolicy& policy, bool dry_run,
                                   const std::string& applied_by);
  // Deletes the objects and rows of packs marked deleting; adds to `report`.
  Status delete_marked_packs(GcReport& report);

  // Writes `batch`; on failure keeps the sightings for the next batch.
  // Fails only when `caller`'s own sighting is in it.
  Status write_touches(std::vector<store::AgentSeen> batch, const std::string& caller);
  // touch_due at `now`. REQUIRES: seen_mu_ held.
  bool touch_due_locked(const std::string& agent_id, SystemTime now) const;

  std::atomic<bool> stopping_{false};
  std::mutex seen_mu_;
  std::unordered_map<std::string, SystemTime> last_touch_;  // guarded by seen_mu_
  std::unordered_map<std::string, SystemTime> unwritten_;   // guarded by seen_mu_
  SystemTime last_flush_{};                                 // guarded by seen_mu_

  auth::RateLimiter event_limiter_;  // keyed by agent id
  std::mutex job_events_mu_;
  // Events stored per unfinished job: a cache seeded from the store on first
  // sight, so it may be cleared at any time. Guarded by job_events_mu_.
  std::unordered_map<std::string, int64_t> job_events_;
};

}  // namespace ff::core
