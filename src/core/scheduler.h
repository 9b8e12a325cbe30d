// Scheduler: runs the schedules stored in the database (docs/schedules.md).
//
// Each tick (every `interval`, default 1 s) it reads the enabled schedules
// due at the injected clock's now and, for each, claims the occurrence by
// moving next_run_at forward with a compare-and-set in the database: with
// several replicas on one PostgreSQL database exactly one replica runs each
// occurrence. The new next_run_at is the first occurrence after now, so after
// downtime a schedule runs once, not once per missed occurrence.
//
// Running an occurrence: a `backup` schedule whose agent is offline is
// recorded as missed (last_status "missed", WAL schedule_missed, alert
// backup.missed); otherwise the runner registered for the schedule's kind
// creates the job (its id is last_job_id). A kind with no runner records a
// failed run. After a backup schedule's last job completed, and once per
// such job, `on_backup_succeeded` runs (retention).
//
// Not guaranteed: exact timing (an occurrence runs within about one tick of
// its time while the orchestrator is up), or a run for a replica that claims
// an occurrence and then dies before creating the job (that occurrence is lost).
//
// Thread-safety: tick() from one thread at a time; start() and stop() from
// one thread. `service` and `alerts` must outlive the Scheduler.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "core/alerts.h"
#include "core/service.h"
#include "store/store.h"

namespace ff::core {

// Starts the job an occurrence of a schedule asks for; returns its id.
using ScheduleRunner = std::function<Result<std::string>(const store::Schedule&)>;
// Called once per completed backup job of a schedule with retention.
using BackupSucceededHook =
    std::function<Status(const store::Schedule&, const std::string& job_id)>;

struct SchedulerOptions {
  std::chrono::milliseconds interval{1000};
  int batch = 100;  // schedules claimed per tick at most
};

// The `backup` runner: a backup job as POST /backup-jobs creates it, with
// the orchestrator as the caller.
ScheduleRunner backup_runner(Service& service);
// `verify`: a verify job (read_data) of the agent's available snapshots.
ScheduleRunner verify_runner(Service& service);
// `drill`: a drill of the agent's newest available snapshot on
// target_agent_id (default: the agent itself).
ScheduleRunner drill_runner(Service& service);
// After a scheduled backup completed: the schedule's retention applied to
// its agent (docs/retention.md), audited with the schedule and job.
BackupSucceededHook retention_hook(Service& service);

// What one tick did.
struct TickReport {
  int ran = 0;     // occurrences claimed and run (a job created)
  int missed = 0;  // claimed, agent offline
  int failed = 0;  // claimed, no runner or the runner failed
  int retention_applied = 0;
};

class Scheduler {
 public:
  // `alerts` may be null (no alerts); `on_backup_succeeded` may be empty
  // (retention is then only recorded as applied).
  Scheduler(Service& service, AlertNotifier* alerts, std::map<std::string, ScheduleRunner> runners,
            BackupSucceededHook on_backup_succeeded, SchedulerOptions options = {});
  ~Scheduler();  // stop()s
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // One pass at the clock's now. Errors of one schedule are logged and
  // counted, never stop the others; an error reading the due list returns.
  Result<TickReport> tick();

  // A thread calling tick() every options.interval until stop(), which
  // wakes it at once and joins. With `singleton` (replicas), only while this
  // replica holds it: occurrences are claimed by row anyway, but one replica
  // deciding keeps missed runs and retention from racing.
  void start(std::unique_ptr<store::SingletonLock> singleton = nullptr);
  void stop();

 private:
  // Runs the claimed occurrence of `s` due at `scheduled_for`.
  void run_occurrence(const store::Schedule& s, SystemTime scheduled_for, TickReport& report);
  Status record_missed(const store::Schedule& s, SystemTime scheduled_for,
                       const std::string& reason);
  Status apply_retention(TickReport& report);
  Result<bool> agent_online(const std::string& agent_id);

  Service& service_;
  AlertNotifier* alerts_;
  std::map<std::string, ScheduleRunner> runners_;
  BackupSucceededHook on_backup_succeeded_;
  SchedulerOptions options_;

  std::unique_ptr<store::SingletonLock> singleton_;  // used by the thread only

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace ff::core
