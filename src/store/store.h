// Store: the orchestrator's persistent state behind one interface, with two
// real backends (sqlite/, postgres/) chosen by DATABASE_URL.
//
// Concepts: agents (seen ids), snapshots (metadata rows; bytes live in a
// BlobStore), restore jobs, commands (work queued for one agent, leased on
// delivery) and job events (the job's log lines, in arrival order).
//
// Every method is one transaction: it either happens whole or not at all.
// Business rules (which status may follow which) live in src/core and are
// passed in as pure functions where they must run inside the transaction.
//
// Errors: kNotFound / kConflict as documented per method; kUnavailable when the
// database cannot be reached (retryable); kInternal for anything unexpected.
// Messages never contain SQL, connection strings or passwords.
//
// Thread-safety: implementations are safe to call from many threads at once
// (internally pooled connections). Calls block; never call from an I/O thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace ff::store {

struct Agent {
  std::string id;
  SystemTime first_seen;
  SystemTime last_seen;
  int64_t snapshot_count = 0;                  // filled by list_agents / get_agent
  std::optional<SystemTime> last_snapshot_at;  // newest snapshot's created_at
  // When a drill last proved one of its snapshots restorable (migration v007).
  std::optional<SystemTime> last_proven_restorable_at;
};

// Rows counted by status: jobs (kind "restore" or "backup"), snapshots and
// packs (kind "snapshot" or "pack", with their bytes).
struct StatusCount {
  std::string kind;
  std::string status;
  int64_t count = 0;
  int64_t bytes = 0;
};

struct StoreSummary {
  std::vector<StatusCount> jobs;
  std::vector<StatusCount> objects;
  // Per agent owning an available snapshot: when its newest one was uploaded.
  std::vector<std::pair<std::string, SystemTime>> last_backup;
};

// An alert webhook (migration v005). `secret` signs deliveries; it never
// leaves the orchestrator. The last_* fields describe the latest attempt.
struct Webhook {
  std::string id;
  std::string url;
  std::vector<std::string> events;
  std::string secret;
  SystemTime created_at;
  std::optional<int> last_status;  // the receiver's HTTP status; none when it was not reached
  std::optional<std::string> last_error;  // empty after a success
  std::optional<SystemTime> last_delivery_at;
  int64_t deliveries = 0;  // attempts answered 2xx
  int64_t failures = 0;    // attempts that were not
};

// A schedule (migration v006, docs/schedules.md): exactly one of `cron` and
// `interval_seconds` is set. The last_* fields describe the latest run.
struct Schedule {
  std::string id;
  std::string agent_id;
  std::string kind;                 // backup | verify | drill
  std::optional<std::string> cron;  // 5 fields, UTC
  std::optional<int64_t> interval_seconds;
  std::optional<std::string> paths_json;       // a JSON array of strings, as text
  std::optional<std::string> retention_json;   // a JSON object of keep_* counts, as text
  std::optional<std::string> target_agent_id;  // drills
  bool enabled = true;
  SystemTime next_run_at;
  std::optional<SystemTime> last_run_at;
  std::optional<std::string> last_job_id;
  std::optional<std::string> last_status;  // ok | missed | failed
  std::optional<std::string> last_error;   // why, when not ok
  // The backup job retention last ran for (once per successful job).
  std::optional<std::string> retention_applied_job_id;
  SystemTime created_at;
  SystemTime updated_at;
};

// One run of a schedule, as record_schedule_run stores it.
struct ScheduleRun {
  SystemTime at;
  std::optional<std::string> job_id;
  std::string status;  // ok | missed | failed
  std::optional<std::string> error;
};

// A named operator API key; only the SHA-256 hex of the key is stored.
struct ApiKey {
  std::string id;
  std::string name;
  std::string role;  // viewer, operator or admin
  std::string key_hash;
  SystemTime created_at;
  std::optional<SystemTime> revoked_at;
};

// An agent's own credential: an enrollment code until exchanged, then a
// secret; both stored as SHA-256 hex.
struct AgentCredential {
  std::string agent_id;
  std::optional<std::string> secret_hash;
  std::optional<std::string> enrollment_hash;
  std::optional<SystemTime> enrollment_expires_at;
  std::optional<SystemTime> enrolled_at;
  std::optional<SystemTime> revoked_at;  // tokens issued at or before are refused
};

struct Snapshot {
  std::string id;
  std::string agent_id;
  std::string checksum;       // 64 lowercase hex SHA-256
  int64_t size = 0;           // bytes
  std::string metadata_json;  // a JSON object, as text ("{}" when none)
  std::string status;         // pending | available | corrupt
  SystemTime created_at;
  std::optional<SystemTime> uploaded_at;
  // The repository format (migration v004); a tar snapshot keeps the defaults
  // but stored_bytes = size.
  std::string format = "tar";             // tar | repository-v1
  std::optional<std::string> repository;  // namespace: key id or "agent:<id>"
  bool encrypted = false;
  std::optional<std::string> root;  // the root tree blob id
  std::optional<int64_t> logical_size;
  int64_t stored_bytes = 0;  // bytes this snapshot added to the object store
  std::optional<int64_t> file_count;
  // Verification (migration v007): the last verify job that found every
  // object intact, and the last drill that restored it and proved every file.
  std::optional<SystemTime> verified_at;
  std::optional<SystemTime> proven_restorable_at;
};

// A job about one snapshot (or, for verify, a set of them). Kinds share this
// row (migration v007): "restore" (an agent restores to target_path),
// "drill" (an agent restores to scratch and proves every file) and "verify"
// (the orchestrator re-reads stored objects; target_agent_id "" and
// snapshot_id "" when it covers several snapshots).
struct RestoreJob {
  std::string id;
  std::string snapshot_id;
  std::string target_agent_id;
  std::string target_path;  // empty when not given
  std::string status;       // pending | in_progress | completed | failed | cancelled
  SystemTime created_at;
  SystemTime updated_at;
  std::string kind = "restore";    // restore | drill | verify
  std::string params_json = "{}";  // the kind's request, a JSON object
};

struct Command {
  std::string id;
  std::string agent_id;
  std::string job_id;
  std::string command_type;  // restore | backup | ...
  std::string payload_json;  // a JSON object, as text
  std::string status;        // pending | sent | completed | failed
  SystemTime created_at;
  SystemTime updated_at;
  std::optional<SystemTime> lease_expires_at;  // set while status == sent
  int64_t delivery_count = 0;                  // times handed to the agent
};

struct JobEvent {
  int64_t id = 0;  // assigned by the store, increasing
  std::string job_id;
  std::string agent_id;
  std::string event_type;
  std::string message;
  std::string metadata_json;  // a JSON object, as text
  SystemTime timestamp;
};

struct BackupJob {
  std::string id;
  std::string agent_id;
  std::string paths_json;                  // a JSON array of strings, as text ("[]" when none)
  std::string status;                      // pending | in_progress | completed | failed
  std::optional<std::string> snapshot_id;  // set by the agent's backup_completed event
  SystemTime created_at;
  SystemTime updated_at;
};

// --- the repository index (migration v004, docs/repository-format.md)

// A backup in the repository format: it holds every pack it announced or was
// told about, so GC keeps them until it commits, aborts or expires.
struct RepoSession {
  std::string id;
  std::string agent_id;
  std::string repository;  // namespace: key id or "agent:<agent_id>"
  bool encrypted = false;
  SystemTime created_at;
  SystemTime expires_at;
  std::optional<SystemTime> closed_at;  // committed or aborted
};

struct Pack {
  std::string id;  // SHA-256 hex of the pack's bytes; object key "packs/<id>"
  std::string repository;
  std::string agent_id;  // who first announced it (quota)
  int64_t size = 0;
  std::string status;  // pending | available | corrupt | deleting
  SystemTime created_at;
  std::optional<SystemTime> uploaded_at;
};

// A blob inside a pack, as the announcing agent declared it.
struct PackBlob {
  std::string id;
  std::string type;  // data | tree
  int64_t offset = 0;
  int64_t length = 0;
};

struct BlobLocation {
  std::string pack_id;
  int64_t offset = 0;
  int64_t length = 0;
};

// What GC marking found. `marked` are the packs moved to deleting (or, for a
// dry run, the ones that would be).
struct GcMark {
  std::vector<Pack> marked;
  int64_t kept_held = 0;   // unreferenced, held by an open session
  int64_t kept_young = 0;  // unreferenced, not held, younger than the grace
};

struct Page {
  int64_t limit = 100;  // 1..1000
  int64_t offset = 0;
};

struct SnapshotFilter {
  std::optional<std::string> agent_id;
  std::optional<std::string> status;
};

struct RestoreJobFilter {
  std::optional<std::string> kind;  // restore | drill | verify
  std::optional<std::string> status;
  std::optional<std::string> target_agent_id;
  std::optional<std::string> snapshot_id;
};

struct BackupJobFilter {
  std::optional<std::string> status;
  std::optional<std::string> agent_id;
};

template <typename T>
struct Listing {
  std::vector<T> items;  // newest first (created_at desc, id desc)
  int64_t total = 0;     // matching rows ignoring the page
};

// Decides a job's next status from its current row and the incoming event.
// Returns the new status (possibly unchanged) or an error (kConflict for a
// finished job, kPermissionDenied for a job that targets another agent), which
// aborts the transaction.
using JobTransition = std::function<Result<std::string>(const RestoreJob& current)>;

struct EventResult {
  RestoreJob job;               // after the change
  std::string previous_status;  // before the change
};

using BackupJobTransition = std::function<Result<std::string>(const BackupJob& current)>;

// The two kinds of job; each has its own table and shares commands and job_events.
// The kinds of job. Backup jobs have their own table; the others share
// restore_jobs (told apart by its kind column) and all share commands and job_events.
enum class JobKind { kRestore, kBackup, kDrill, kVerify };
// "restore", "backup", "drill" or "verify": the `kind` of job rows, JSON and audit records.
const char* job_kind_name(JobKind kind);

// What cancel_job changed.
struct CancelledJob {
  JobKind kind = JobKind::kRestore;
  std::string id;
  std::string agent_id;  // the agent that runs the job
  std::string previous_status;
  std::string status;  // after the change
  SystemTime updated_at;
  std::optional<std::string> snapshot_id;  // a restore job's snapshot, no longer pinned
  int64_t commands_withdrawn = 0;          // never handed to the agent: it will never see them
  int64_t commands_delivered = 0;          // already with the agent: it learns at its next event
};

// Decides a cancelled job's status from its current one: the new status, or
// an error (kConflict for a finished job) that aborts the transaction.
using CancelRule = std::function<Result<std::string>(const std::string& current_status)>;

struct BackupEventResult {
  BackupJob job;                // after the change
  std::string previous_status;  // before the change
};

namespace detail {
class SqlTx;  // detail/sql_tx.h
}  // namespace detail

// What replicas sharing one database tell each other (PostgreSQL
// LISTEN/NOTIFY): a payload on a channel, received by every listener.
struct ReplicaNotice {
  std::string channel;
  std::string payload;
};

class ReplicaListener {
 public:
  virtual ~ReplicaListener() = default;
  // Waits up to `timeout` and returns the notices that arrived (maybe none).
  // (Re)connects and subscribes as needed, setting `*resubscribed` when this
  // call did: notices published before it may have been missed. kUnavailable
  // while the database cannot be reached (the next call tries again).
  virtual Result<std::vector<ReplicaNotice>> wait(std::chrono::milliseconds timeout,
                                                  bool* resubscribed) = 0;
};

// One record of the global event stream: a WAL record of some replica, given
// its place in one gap-free order all replicas serve.
// An agent seen at a time (Store::touch_agents).
struct AgentSeen {
  std::string id;
  SystemTime at;
};

// The channel append_stream announces each committed batch on (payload: its last seq).
inline constexpr const char* kStreamChannel = "stream";

struct StreamRecord {
  int64_t seq = 0;      // global, from 1, no gaps
  std::string replica;  // ORCH_REPLICA_ID of the replica that wrote it
  int64_t wal_seq = 0;  // its seq in that replica's WAL
  std::string line;     // the WAL line as stored there
};

// Work that must run on one replica at a time (the verification sweep,
// schedules, the offline check, GC) is gated by one of these.
class SingletonLock {
 public:
  virtual ~SingletonLock() = default;
  // Whether this replica holds the lock now, taking it when it is free. Each
  // call also checks the lock still stands (PostgreSQL: its session is
  // alive), so a replica cut off from the database stops acting within one
  // call, and another takes over once the dead one's session is gone.
  // kUnavailable when the database cannot say (treat as not held).
  virtual Result<bool> held() = 0;
  // held(), counting "cannot tell" as not held: for loops that just skip a turn.
  bool held_now() {
    Result<bool> h = held();
    return h.ok() && *h;
  }
};

namespace detail {
// One orchestrator per embedded database: it always holds every lock.
class AlwaysHeld final : public SingletonLock {
 public:
  Result<bool> held() override { return true; }
};
}  // namespace detail

class Store {
 public:
  virtual ~Store() = default;

  // --- replicas. An embedded database has one orchestrator, so by default
  // there is nobody to notify, nothing to listen to and no global stream.
  // Sends `payload` on `channel` to every replica's listener (right away: not
  // part of any transaction).
  virtual Status notify_replicas(const std::string& channel, const std::string& payload) {
    (void)channel;
    (void)payload;
    return OkStatus();
  }
  // A listener of `channels` on its own connection, or null when the backend has none.
  virtual std::unique_ptr<ReplicaListener> replica_listener(std::vector<std::string> channels) {
    (void)channels;
    return nullptr;
  }
  // The lock named `name` (PostgreSQL: a session advisory lock on a
  // connection of its own).
  virtual std::unique_ptr<SingletonLock> singleton_lock(const std::string& name) {
    (void)name;
    return std::make_unique<detail::AlwaysHeld>();
  }
  // Whether append_stream/read_stream work (shared databases only).
  virtual bool has_global_stream() const { return false; }
  // Appends `lines` (records of `replica`'s WAL, in its order, the first with
  // seq `first_wal_seq`, the next +1...) with consecutive global seqs in one
  // transaction; returns the last global seq. Replicas append one batch at a
  // time, so commit order is seq order and readers never see a gap.
  virtual Result<int64_t> append_stream(const std::string& replica, int64_t first_wal_seq,
                                        const std::vector<std::string>& lines) {
    (void)replica;
    (void)first_wal_seq;
    (void)lines;
    return Status(Code::kInternal, "no global event stream on this database");
  }
  // Up to `limit` records with seq > `after`, in seq order.
  virtual Result<std::vector<StreamRecord>> read_stream(int64_t after, int limit) {
    (void)after;
    (void)limit;
    return Status(Code::kInternal, "no global event stream on this database");
  }
  // The last global seq (0 when empty).
  virtual Result<int64_t> stream_head() { return int64_t{0}; }
  // The last WAL seq of `replica` in the stream (0 when none).
  virtual Result<int64_t> stream_shipped(const std::string& replica) {
    (void)replica;
    return int64_t{0};
  }

  // Makes every transaction committed so far durable, where a commit alone
  // does not (SQLite commits with synchronous=NORMAL); one call covers all of
  // them, so callers batch it (the WAL writer's group commit). PostgreSQL
  // commits are durable by themselves.
  virtual Status sync_commits() { return OkStatus(); }

  // Batches of writes in one transaction, for the WAL writer's group commit
  // (wal::ChangeBatch): between open_change_batch() and
  // commit_change_batch(), this thread's writes join one transaction, each
  // undone alone when it fails; a failed commit undoes them all. Only where
  // writes go one at a time anyway (SQLite): on PostgreSQL they run side by
  // side on the pool, and batches_changes() is false.
  virtual bool batches_changes() const { return false; }
  virtual Status open_change_batch() { return Internal("this database does not batch changes"); }
  virtual Status commit_change_batch() { return Internal("this database does not batch changes"); }

  // Applies pending schema migrations (versioned, idempotent). Called once at start-up.
  virtual Status migrate() = 0;
  // Cheap round trip for readiness.
  virtual Status ping() = 0;
  // Opens now what the first requests would otherwise wait for (a networked
  // database's pooled connections). Best effort: what fails opens on demand.
  virtual void warm_up() {}
  // "sqlite" or "postgresql".
  virtual std::string backend_name() const = 0;
  // How many statements can run at once on a networked database (its
  // connection pool); 0 for an in-process one, whose reads never wait.
  virtual int pooled_connections() const { return 0; }

  // --- agents
  // Inserts each agent (first_seen = last_seen = at) or moves its last_seen
  // forward, in one transaction; ids are taken in sorted order, so batches
  // running at once (replicas) cannot deadlock. Concurrent calls may share
  // one transaction (and then its outcome); each returns once its own
  // sightings are written.
  virtual Status touch_agents(std::vector<AgentSeen> seen) = 0;
  Status touch_agent(const std::string& id, SystemTime now) { return touch_agents({{id, now}}); }
  // Newest first (first_seen desc, id desc).
  virtual Result<std::vector<Agent>> list_agents() = 0;
  virtual Result<Agent> get_agent(const std::string& id) = 0;  // kNotFound

  // --- snapshots
  virtual Status insert_snapshot(const Snapshot& s) = 0;             // kConflict when the id exists
  virtual Result<Snapshot> get_snapshot(const std::string& id) = 0;  // kNotFound
  virtual Result<Listing<Snapshot>> list_snapshots(const SnapshotFilter& f, const Page& p) = 0;
  // Compare-and-set of the status: kConflict when the current status is not
  // `from`, kNotFound when the row is missing. Sets uploaded_at when given.
  virtual Status update_snapshot_status(const std::string& id, const std::string& from,
                                        const std::string& to,
                                        std::optional<SystemTime> uploaded_at) = 0;
  // kConflict while a pending or in_progress job of restore_jobs (a restore,
  // drill or verify) names the snapshot.
  virtual Status delete_snapshot(const std::string& id) = 0;

  // --- verification (verification.cc: the same SQL on both backends)
  // Sets the snapshot's verified_at; kNotFound when the row is gone.
  Status mark_snapshot_verified(const std::string& snapshot_id, SystemTime at);
  // Sets the snapshot's proven_restorable_at and moves its owner's
  // last_proven_restorable_at forward to `at`, in one transaction.
  // kNotFound when the snapshot row is gone.
  Status mark_snapshot_proven(const std::string& snapshot_id, SystemTime at);
  // Stamps from the completed drills any stamp missed (an orchestrator
  // stopped between recording a drill's completion and its proof); returns
  // how many snapshots changed. Run at start-up.
  Result<int64_t> reconcile_drill_proofs();
  // The packs a repository snapshot references, by id.
  Result<std::vector<Pack>> list_snapshot_packs(const std::string& snapshot_id);
  // The oldest job of `kind` (restore_jobs) that is pending, or in_progress
  // with updated_at <= `stale_before` (abandoned by a stopped runner), if any.
  Result<std::optional<RestoreJob>> next_runnable_job(const std::string& kind,
                                                      SystemTime stale_before);
  // The ids of the snapshots referencing the pack, by id.
  Result<std::vector<std::string>> snapshots_referencing_pack(const std::string& pack_id);

  // --- restore jobs and commands
  // Inserts the job (any kind sharing restore_jobs) and its command, when it
  // has one (a verify job runs in the orchestrator), in one transaction.
  // kConflict on a duplicate job or command id; kNotFound when the job names
  // a snapshot whose row is missing.
  virtual Status create_restore_job(const RestoreJob& job,
                                    const std::optional<Command>& command) = 0;
  virtual Result<RestoreJob> get_restore_job(const std::string& id) = 0;  // kNotFound
  virtual Result<Listing<RestoreJob>> list_restore_jobs(const RestoreJobFilter& f,
                                                        const Page& p) = 0;
  virtual Result<std::vector<JobEvent>> list_job_events(const std::string& job_id) = 0;
  // get_restore_job and list_job_events together (one read where the backend
  // makes that cheaper).
  virtual Result<std::pair<RestoreJob, std::vector<JobEvent>>> get_restore_job_with_events(
      const std::string& id) {
    FF_ASSIGN_OR_RETURN(RestoreJob job, get_restore_job(id));
    FF_ASSIGN_OR_RETURN(std::vector<JobEvent> events, list_job_events(id));
    return std::make_pair(std::move(job), std::move(events));
  }

  // Returns up to `limit` commands of `agent_id` that are pending, or sent with
  // lease_expires_at <= now, oldest first; marks each sent with
  // lease_expires_at = lease_until and delivery_count + 1 (the returned rows
  // show the new values).
  virtual Result<std::vector<Command>> lease_commands(const std::string& agent_id, SystemTime now,
                                                      SystemTime lease_until, int limit) = 0;
  // Whether lease_commands(agent_id, now, ...) would find anything; reads only.
  virtual Result<bool> has_leasable_commands(const std::string& agent_id, SystemTime now) = 0;

  // Records an agent's event about a job, in one transaction:
  //  1. reads the job (kNotFound when missing) and calls `transition`;
  //  2. appends the event to the job's events;
  //  3. sets the job's status to the result and updated_at = event.timestamp;
  //  4. for the job's commands still pending or sent: when the new status is
  //     completed or failed, sets their status to completed or failed (and
  //     clears lease_expires_at); else extends lease_expires_at of the sent
  //     ones to `lease_until` (an agent at work keeps its lease; a pending
  //     command holds no lease and stays pending).
  virtual Result<EventResult> record_job_event(const JobEvent& event,
                                               const JobTransition& transition,
                                               SystemTime lease_until) = 0;

  // --- backup jobs (same shape as restore jobs; events share job_events)
  // Inserts the job and its `backup` command in one transaction; kConflict on duplicates.
  virtual Status create_backup_job(const BackupJob& job, const Command& command) = 0;
  virtual Result<BackupJob> get_backup_job(const std::string& id) = 0;  // kNotFound
  virtual Result<Listing<BackupJob>> list_backup_jobs(const BackupJobFilter& f, const Page& p) = 0;
  // As record_job_event, for a backup job: kNotFound when no backup job has the
  // id. When `snapshot_id` is set it is stored on the job in the same transaction.
  virtual Result<BackupEventResult> record_backup_job_event(
      const JobEvent& event, const BackupJobTransition& transition,
      const std::optional<std::string>& snapshot_id, SystemTime lease_until) = 0;

  // Cancels the job `id` of `kind` in one transaction (jobs_cancel.cc: the
  // same SQL on both backends): reads the job (kNotFound when missing; on
  // PostgreSQL under a row lock, so an event cannot move it meanwhile), calls
  // `rule`, sets the job's status to the result and updated_at = now, and
  // gives the job's open commands (pending or sent) that status, clearing
  // their lease: a pending one is never leased again.
  Result<CancelledJob> cancel_job(JobKind kind, const std::string& id, const CancelRule& rule,
                                  SystemTime now);

  // --- credentials
  virtual Status insert_api_key(const ApiKey& key) = 0;     // kConflict when the id or hash exists
  virtual Result<std::vector<ApiKey>> list_api_keys() = 0;  // revoked ones included, oldest first
  virtual Result<ApiKey> find_api_key_by_hash(const std::string& key_hash) = 0;  // kNotFound
  // Sets revoked_at (kept when already set); kNotFound for an unknown id.
  virtual Status revoke_api_key(const std::string& id, SystemTime at) = 0;
  virtual Result<AgentCredential> get_agent_credential(const std::string& agent_id) = 0;
  virtual Result<std::vector<AgentCredential>> list_agent_credentials() = 0;
  // Inserts or replaces the agent's row whole.
  virtual Status put_agent_credential(const AgentCredential& c) = 0;
  // Exchanges an enrollment code once: when the row's enrollment_hash equals
  // `enrollment_hash` and has not expired at `now`, stores `secret_hash`,
  // and clears the code. kNotFound otherwise
  // (unknown, used or expired: the caller cannot tell which).
  virtual Status consume_enrollment(const std::string& agent_id, const std::string& enrollment_hash,
                                    const std::string& secret_hash, SystemTime now) = 0;

  // --- the repository index (repository_index.cc, repository_gc.cc: the same
  // SQL on both backends). A session is *live* while closed_at is null and
  // expires_at > now; only live sessions hold packs. Methods taking a session
  // fail with kNotFound for an unknown id and kConflict when it is not live.
  // On PostgreSQL lookups, holds, announcements and commits take the index lock
  // shared and GC marking takes it exclusive (SqlTx::lock_index), so a pack
  // is never marked deleting between being found and being held.

  Status insert_repo_session(const RepoSession& s);  // kConflict when the id exists
  Result<RepoSession> get_repo_session(const std::string& id);
  // Sets closed_at (abort); its holds are released.
  Status close_repo_session(const std::string& id, SystemTime now);
  // Of `blob_ids`, those stored in an available pack of the session's
  // namespace, mapped to one such pack each (the smallest id); each pack
  // named is then held by the session. Extends the session to `expires_at`.
  Result<std::vector<std::pair<std::string, std::string>>> lookup_blobs(
      const std::string& session_id, const std::vector<std::string>& blob_ids, SystemTime now,
      SystemTime expires_at);
  // Of `pack_ids`, those available in the session's namespace; each is then
  // held by the session (a backup that trusts its file cache holds the packs
  // the cache names instead of looking up every blob). Extends the session.
  Result<std::vector<std::string>> hold_packs(const std::string& session_id,
                                              const std::vector<std::string>& pack_ids,
                                              SystemTime now, SystemTime expires_at);
  // Announces `pack` (its repository must be the session's) with its blobs
  // and holds it for the session; extends the session to `expires_at`.
  // A new id is inserted pending; an existing pending or corrupt one is
  // replaced (pending again, owned by the announcing
  // agent, who uploads it now); an available one is only
  // held. kConflict when the id is being deleted or belongs to another
  // namespace. Returns the pack as stored now.
  Result<Pack> announce_pack(const std::string& session_id, const Pack& pack,
                             const std::vector<PackBlob>& blobs, SystemTime now,
                             SystemTime expires_at);
  Result<Pack> get_pack(const std::string& id);  // kNotFound
  // Moves expires_at of the live sessions holding the pack forward to
  // `expires_at` (an upload is a call of the sessions that wait for it).
  Status extend_sessions_holding(const std::string& pack_id, SystemTime now, SystemTime expires_at);
  // Compare-and-set like update_snapshot_status.
  Status update_pack_status(const std::string& id, const std::string& from, const std::string& to,
                            std::optional<SystemTime> uploaded_at);
  // Commits the session as `snapshot` in one transaction: kConflict naming
  // the first held pack (by id) that is not available; else inserts the
  // snapshot (stored_bytes: the sizes of the packs this session announced
  // new) referencing exactly the held packs, and closes the session.
  // Returns the snapshot as inserted.
  Result<Snapshot> commit_repo_session(const std::string& session_id, Snapshot snapshot,
                                       SystemTime now);
  // Where each of `blob_ids` is inside the packs `snapshot_id` references;
  // ids found in none are left out.
  Result<std::vector<std::pair<std::string, BlobLocation>>> locate_blobs(
      const std::string& snapshot_id, const std::vector<std::string>& blob_ids);
  // Whether `agent_id` owns a snapshot referencing the pack or is the target
  // of a restore job of one.
  Result<bool> agent_may_read_pack(const std::string& pack_id, const std::string& agent_id);
  // Bytes of the packs `agent_id` announced first, except deleting ones (quota).
  Result<int64_t> agent_pack_bytes(const std::string& agent_id);

  // Counts for metrics, read in one transaction (store/summary.cc).
  Result<StoreSummary> summarize();

  // Webhooks (store/webhooks.cc). insert: kConflict when the id exists;
  // get / delete: kNotFound when absent. list: oldest first.
  Status insert_webhook(const Webhook& w);
  Result<std::vector<Webhook>> list_webhooks();
  Result<Webhook> get_webhook(const std::string& id);
  Status delete_webhook(const std::string& id);
  // Records one delivery attempt; kNotFound when the webhook is gone.
  Status record_webhook_attempt(const std::string& id, bool ok, std::optional<int> status,
                                const std::string& error, SystemTime at);

  // Schedules (store/schedules.cc). insert: kConflict when the id exists;
  // get / update / delete: kNotFound when absent. list: oldest first.
  Status insert_schedule(const Schedule& s);
  Result<std::vector<Schedule>> list_schedules();
  Result<Schedule> get_schedule(const std::string& id);
  // Writes the settings (agent, kind, timing, paths, retention, target,
  // enabled), next_run_at and updated_at of `s`; leaves the run history.
  Status update_schedule(const Schedule& s);
  Status delete_schedule(const std::string& id);
  // Enabled schedules with next_run_at <= now, earliest first, at most `limit`.
  Result<std::vector<Schedule>> list_due_schedules(SystemTime now, int limit);
  // Claims one occurrence: moves next_run_at from `expected` to `next` only
  // if it is still `expected` (compare-and-set). True for the one caller
  // that moved it; false when another did (or the row is gone).
  Result<bool> claim_schedule(const std::string& id, SystemTime expected, SystemTime next);
  // Records the latest run (a run without a job keeps last_job_id); kNotFound
  // when the schedule is gone.
  Status record_schedule_run(const std::string& id, const ScheduleRun& run);
  // Sets retention_applied_job_id from `from` (nullopt: NULL) to `to`
  // (nullopt: NULL) as a compare-and-set; true for the caller that moved it.
  Result<bool> swap_retention_applied(const std::string& id, const std::optional<std::string>& from,
                                      const std::optional<std::string>& to);

  // GC, in one transaction: every pack no snapshot references, not held by a
  // live session and created at or before `cutoff` moves to deleting (unless
  // `dry_run`); holds of sessions that are no longer live are dropped.
  Result<GcMark> mark_unreferenced_packs(SystemTime now, SystemTime cutoff, bool dry_run);
  // Packs in status deleting, oldest first, at most `limit`.
  Result<std::vector<Pack>> list_deleting_packs(int limit);
  // Removes a deleting pack's rows (and its blobs' index). kConflict when it
  // is not deleting.
  Status delete_pack(const std::string& id);

 protected:
  // Runs fn inside one transaction of the backend (a write transaction when
  // `write`), committing when it returns ok and rolling back otherwise.
  virtual Status run_sql(bool write, const std::function<Status(detail::SqlTx&)>& fn) = 0;
};

// Opens the backend named by `database_url`:
//   sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite://:memory:
//   postgresql://user:pass@host:port/db (also postgres://)
// kInvalidArgument for an unknown scheme; kUnavailable when it cannot connect.
Result<std::unique_ptr<Store>> open_store(const std::string& database_url);

}  // namespace ff::store
