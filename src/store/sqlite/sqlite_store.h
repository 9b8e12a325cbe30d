// SqliteStore: the Store on one SQLite database file (or in memory).
//
// Layout: see migrations/v001_initial.cc and v002_backup_jobs.cc. Writes run in BEGIN IMMEDIATE
// transactions on the single writer connection; reads use a small pool of
// reader connections (WAL mode), so reads never wait for writes.
//
// Thread-safety: as Store; all methods may be called from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/database.h"
#include "store/store.h"

namespace ff::store::sqlite {

// Parses sqlite:///relative.db, sqlite:////absolute.db or sqlite://:memory:.
// A query string is ignored. kInvalidArgument for anything else.
Result<Options> options_from_url(std::string_view url);

class SqliteStore final : public Store {
 public:
  // Opens (creating when missing) the database. Call migrate() before use.
  static Result<std::unique_ptr<SqliteStore>> open(const Options& options);

  Status migrate() override;
  Status ping() override;
  std::string backend_name() const override { return "sqlite"; }

  Status sync_commits() override { return db_->sync_commits(); }
  bool batches_changes() const override { return true; }
  Status open_change_batch() override { return db_->open_joined(); }
  Status commit_change_batch() override { return db_->commit_joined(); }
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
  Result<std::pair<RestoreJob, std::vector<JobEvent>>> get_restore_job_with_events(
      const std::string& id) override;

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
  explicit SqliteStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  std::unique_ptr<Database> db_;
};

}  // namespace ff::store::sqlite
