// PostgresStore: the Store on PostgreSQL through libpq.
//
// Layout: see migrations/v001_initial.cc and v002_backup_jobs.cc. Transactions run at READ
// COMMITTED and take row locks where a decision depends on a row: the job row (FOR UPDATE) while an
// event is recorded, the snapshot row while a restore job is created (FOR SHARE) or the snapshot
// deleted (FOR UPDATE), and commands with FOR UPDATE SKIP LOCKED while leasing, so replicas sharing
// the database never hand out one command twice. migrate() holds a transaction-level advisory lock,
// so replicas starting together apply each migration once.
//
// Thread-safety: as Store; all methods may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/keyed_batches.h"
#include "store/postgres/pool.h"
#include "store/store.h"

namespace ff::store::postgres {

struct Options {
  std::string conninfo;  // libpq URI without our own parameters
  std::string schema;    // search_path for every connection; empty: the server default
  int pool_size = 8;
  std::chrono::milliseconds acquire_timeout{30000};
};

// Parses postgresql:// or postgres:// URLs. Two query parameters are ours and
// removed before libpq sees the URL: `schema` (created by migrate() when
// missing) and `pool_size` (1..1000). connect_timeout defaults to 10 seconds.
// kInvalidArgument (never quoting the URL) when malformed.
Result<Options> options_from_url(std::string_view url);

class PostgresStore final : public Store {
 public:
  // Connects once to check the server is reachable: kUnavailable when not.
  static Result<std::unique_ptr<PostgresStore>> open(const Options& options);

  Status migrate() override;
  Status ping() override;
  void warm_up() override { pool_.warm_up(); }
  std::string backend_name() const override { return "postgresql"; }
  int pooled_connections() const override { return pool_.size(); }

  // Replicas (postgres_replicas.cc).
  Status notify_replicas(const std::string& channel, const std::string& payload) override;
  std::unique_ptr<ReplicaListener> replica_listener(std::vector<std::string> channels) override;
  std::unique_ptr<SingletonLock> singleton_lock(const std::string& name) override;
  bool has_global_stream() const override { return true; }
  Result<int64_t> append_stream(const std::string& replica, int64_t first_wal_seq,
                                const std::vector<std::string>& lines) override;
  Result<std::vector<StreamRecord>> read_stream(int64_t after, int limit) override;
  Result<int64_t> stream_head() override;
  Result<int64_t> stream_shipped(const std::string& replica) override;

  Status touch_agents(std::vector<AgentSeen> seen) override;
  using Store::touch_agent;
  Result<std::vector<Agent>> list_agents() override;
  Result<Agent> get_agent(const std::string& id) override;

  Status insert_snapshot(const Snapshot& s) override;
  Result<Snapshot> get_snapshot(const std::string& id) override;
  Result<Listing<Snapshot>> list_snapshots(const SnapshotFilter& f, const Page& p) override;
  Status update_snapshot_status(const std::string& id, const std::string& from,
                                const std::string& to,
                                std::optional<SystemTime> uploaded_at) override;
  Status delete_snapshot(const std::string& id) override;

  Status create_restore_job(const RestoreJob& job, const std::optional<Command>& command) override;
  Result<RestoreJob> get_restore_job(const std::string& id) override;
  Result<Listing<RestoreJob>> list_restore_jobs(const RestoreJobFilter& f, const Page& p) override;
  Result<std::vector<JobEvent>> list_job_events(const std::string& job_id) override;

  Result<std::vector<Command>> lease_commands(const std::string& agent_id, SystemTime now,
                                              SystemTime lease_until, int limit) override;
  Result<bool> has_leasable_commands(const std::string& agent_id, SystemTime now) override;
  Result<EventResult> record_job_event(const JobEvent& event, const JobTransition& transition,
                                       SystemTime lease_until) override;

  Status create_backup_job(const BackupJob& job, const Command& command) override;
  Result<BackupJob> get_backup_job(const std::string& id) override;
  Result<Listing<BackupJob>> list_backup_jobs(const BackupJobFilter& f, const Page& p) override;
  Result<BackupEventResult> record_backup_job_event(const JobEvent& event,
                                                    const BackupJobTransition& transition,
                                                    const std::optional<std::string>& snapshot_id,
                                                    SystemTime lease_until) override;

  Status insert_api_key(const ApiKey& key) override;
  Result<std::vector<ApiKey>> list_api_keys() override;
  Result<ApiKey> find_api_key_by_hash(const std::string& key_hash) override;
  Status revoke_api_key(const std::string& id, SystemTime at) override;
  Result<AgentCredential> get_agent_credential(const std::string& agent_id) override;
  Result<std::vector<AgentCredential>> list_agent_credentials() override;
  Status put_agent_credential(const AgentCredential& c) override;
  Status consume_enrollment(const std::string& agent_id, const std::string& enrollment_hash,
                            const std::string& secret_hash, SystemTime now) override;

 protected:
  Status run_sql(bool write, const std::function<Status(store::detail::SqlTx&)>& fn) override;

 private:
  explicit PostgresStore(const Options& options)
      : conninfo_(options.conninfo),
        schema_(options.schema),
        pool_(options.conninfo, options.schema, options.pool_size, options.acquire_timeout) {}

  // The most events one batch records (5 statement parameters each).
  static constexpr size_t kMaxJobEventBatch = 64;
  // An event waiting in job_event_batches_ for the batch that records it.
  struct PendingJobEvent {
    const JobEvent* event;
    const JobTransition* transition;
    SystemTime lease_until;
    Result<EventResult> result = Internal("job event not recorded");
  };
  // Records a batch of events for one job (in arrival order, one or more)
  // with one statement, setting each one's result.
  void record_job_events(const std::vector<PendingJobEvent*>& batch);

  // The most touch_agents calls one transaction writes together.
  static constexpr size_t kMaxTouchBatch = 64;
  // A touch_agents call waiting in touch_batches_ for the batch that writes it.
  struct PendingTouch {
    const std::vector<AgentSeen>* seen;
    Status result = Internal("agent sightings not written");
  };
  // Writes the sightings in one transaction (one statement each, sorted by id).
  Status write_sightings(std::vector<AgentSeen> seen);

  // pg_notify on `c` (inside its transaction: delivered at commit).
  Status notify_on(Connection& c, const std::string& channel, const std::string& payload);

  // Jobs that receive events, as this replica last wrote them: the first
  // guarded event statement goes out without reading the job first (one
  // round trip instead of two). Only the status can change under us (every
  // other column is fixed at creation), and the guarded statement checks
  // exactly that, so a stale hint costs one more attempt, never a wrong
  // decision.
  std::optional<RestoreJob> job_hint(const std::string& id);
  void remember_job(const RestoreJob& job);
  void forget_job(const std::string& id);

  const std::string conninfo_;  // for the replica listener's own connection
  const std::string schema_;
  Pool pool_;
  std::mutex job_hints_mu_;
  std::unordered_map<std::string, RestoreJob> job_hints_;  // guarded by job_hints_mu_
  // Concurrent events for one job go to the database together: each alone
  // would wait for the job's row lock, held until the previous one's commit
  // is flushed, so one job would take one event per disk flush.
  KeyedBatches<PendingJobEvent> job_event_batches_{kMaxJobEventBatch};
  // Concurrent touch_agents calls (a fleet registering at start-up, each new
  // agent written before its first request is answered) share one
  // transaction instead of a commit each.
  KeyedBatches<PendingTouch> touch_batches_{kMaxTouchBatch};
};

}  // namespace ff::store::postgres
