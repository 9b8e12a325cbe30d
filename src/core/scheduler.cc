#include "core/scheduler.h"

#include <spdlog/spdlog.h>

#include "core/audit.h"
#include "core/job_rules.h"
#include "core/schedules.h"

namespace ff::core {

namespace {

// Who the scheduler acts as: the orchestrator itself, with an operator's
// rights (it starts jobs, it deletes nothing).
auth::Claims scheduler_claims() {
  auth::Claims c;
  c.subject = "scheduler";
  c.role = auth::Role::kOperator;
  return c;
}

// Errors end up in the schedule row, the WAL and the API: keep them short.
std::string short_error(const Status& s) {
  std::string m(s.message());
  if (m.size() > 1024) m.resize(1024);
  return m;
}

}  // namespace

ScheduleRunner backup_runner(Service& service) {
  return [&service](const store::Schedule& s) -> Result<std::string> {
    NewBackupJob req;
    req.agent_id = s.agent_id;
    if (s.paths_json) {
      auto paths = nlohmann::json::parse(*s.paths_json, nullptr, false);
      if (paths.is_array()) {
        for (const auto& p : paths) {
          if (p.is_string()) req.paths.push_back(p.get<std::string>());
        }
      }
    }
    FF_ASSIGN_OR_RETURN(BackupJobView view, service.create_backup_job(scheduler_claims(), req));
    return view.job.id;
  };
}

ScheduleRunner verify_runner(Service& service) {
  return [&service](const store::Schedule& s) -> Result<std::string> {
    // A scheduled verification reads every object of the agent's snapshots.
    NewVerifyJob req;
    req.agent_id = s.agent_id;
    FF_ASSIGN_OR_RETURN(RestoreJobView view, service.create_verify_job(scheduler_claims(), req));
    return view.job.id;
  };
}

ScheduleRunner drill_runner(Service& service) {
  return [&service](const store::Schedule& s) -> Result<std::string> {
    // The agent's newest available snapshot, on the target (default: itself).
    NewDrill req;
    req.agent_id = s.agent_id;
    req.target_agent_id = s.target_agent_id;
    FF_ASSIGN_OR_RETURN(RestoreJobView view, service.create_drill(scheduler_claims(), req));
    return view.job.id;
  };
}

BackupSucceededHook retention_hook(Service& service) {
  return [&service](const store::Schedule& s, const std::string& job_id) -> Status {
    if (!s.retention_json) return OkStatus();
    auto j = nlohmann::json::parse(*s.retention_json, nullptr, false);
    FF_ASSIGN_OR_RETURN(RetentionPolicy policy, parse_retention(j));
    FF_ASSIGN_OR_RETURN(
        PruneReport pruned,
        service.apply_retention(s.agent_id, policy,
                                "schedule " + s.id + " after backup job " + job_id));
    if (pruned.removed == 0) return OkStatus();
    // What retention removed returns its space: packs no snapshot references
    // any more, past the default grace, go (restic's forget --prune). A
    // failure here leaves them for the next run or `fortfail gc`; the
    // retention itself stands.
    auth::Claims gc_caller = scheduler_claims();
    gc_caller.role = auth::Role::kAdmin;
    auto gc = service.collect_garbage(gc_caller, GcRequest{});
    if (!gc.ok()) {
      spdlog::warn("schedule {}: gc after retention: {}", s.id, gc.status().to_string());
    }
    return OkStatus();
  };
}

Scheduler::Scheduler(Service& service, AlertNotifier* alerts,
                     std::map<std::string, ScheduleRunner> runners,
                     BackupSucceededHook on_backup_succeeded, SchedulerOptions options)
    : service_(service),
      alerts_(alerts),
      runners_(std::move(runners)),
      on_backup_succeeded_(std::move(on_backup_succeeded)),
      options_(options) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start(std::unique_ptr<store::SingletonLock> singleton) {
  singleton_ = std::move(singleton);
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
      lock.unlock();
      // Third-party code (JSON, allocation) may throw: never out of the thread.
      try {
        if (singleton_ && !singleton_->held_now()) {
          lock.lock();
          continue;
        }
        auto report = tick();
        if (!report.ok()) spdlog::warn("scheduler: {}", report.status().to_string());
      } catch (const std::exception& e) {
        spdlog::error("scheduler: {}", e.what());
      }
      lock.lock();
    }
  });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<TickReport> Scheduler::tick() {
  TickReport report;
  SystemTime now = service_.env().clock->now();
  store::Store& store = service_.store();
  FF_ASSIGN_OR_RETURN(auto due, store.list_due_schedules(now, options_.batch));
  for (const store::Schedule& s : due) {
    auto next = following_occurrence(s, now);
    if (!next.ok()) {
      spdlog::warn("schedule {}: {}", s.id, next.status().to_string());
      continue;
    }
    auto claimed = store.claim_schedule(s.id, s.next_run_at, *next);
    if (!claimed.ok()) {
      spdlog::warn("schedule {}: claiming: {}", s.id, claimed.status().to_string());
      continue;
    }
    if (!*claimed) continue;  // another replica runs this occurrence
    run_occurrence(s, s.next_run_at, report);
  }
  if (Status st = apply_retention(report); !st.ok()) {
    spdlog::warn("scheduler: retention: {}", st.to_string());
  }
  return report;
}

Result<bool> Scheduler::agent_online(const std::string& agent_id) {
  FF_ASSIGN_OR_RETURN(auto agents, service_.list_agents(scheduler_claims()));
  for (const AgentView& a : agents) {
    if (a.agent.id == agent_id) return a.online;
  }
  return false;
}

Status Scheduler::record_missed(const store::Schedule& s, SystemTime scheduled_for,
                                const std::string& reason) {
  SystemTime now = service_.env().clock->now();
  FF_TRY(service_.store().record_schedule_run(
      s.id, store::ScheduleRun{now, std::nullopt, kRunMissed, reason}));
  FF_TRY(service_.audit(audit::schedule_missed(s, scheduled_for, reason)));
  if (alerts_ && s.kind == kScheduleBackup) {
    alerts_->notify(Alert{kAlertBackupMissed,
                          {{"schedule_id", s.id},
                           {"agent_id", s.agent_id},
                           {"kind", s.kind},
                           {"scheduled_for", format_rfc3339(scheduled_for)},
                           {"reason", reason}},
                          now});
  }
  return OkStatus();
}

void Scheduler::run_occurrence(const store::Schedule& s, SystemTime scheduled_for,
                               TickReport& report) {
  // Backups and drills need the agent that runs them (a drill's target);
  // verify jobs run in the orchestrator.
  if (s.kind == kScheduleBackup || s.kind == kScheduleDrill) {
    const std::string& runner_agent =
        s.kind == kScheduleDrill && s.target_agent_id ? *s.target_agent_id : s.agent_id;
    auto online = agent_online(runner_agent);
    if (!online.ok()) {
      spdlog::warn("schedule {}: agents: {}", s.id, online.status().to_string());
    } else if (!*online) {
      ++report.missed;
      if (Status st = record_missed(s, scheduled_for, "agent offline"); !st.ok()) {
        spdlog::warn("schedule {}: recording a missed run: {}", s.id, st.to_string());
      }
      return;
    }
  }
  Result<std::string> job = NotFound("no runner for kind " + s.kind);
  if (auto it = runners_.find(s.kind); it != runners_.end()) job = it->second(s);
  SystemTime now = service_.env().clock->now();
  store::ScheduleRun run{now, std::nullopt, kRunOk, std::nullopt};
  if (job.ok()) {
    ++report.ran;
    run.job_id = *job;
  } else {
    ++report.failed;
    run.status = kRunFailed;
    run.error = short_error(job.status());
    spdlog::warn("schedule {}: run failed: {}", s.id, job.status().to_string());
  }
  if (Status st = service_.store().record_schedule_run(s.id, run); !st.ok()) {
    spdlog::warn("schedule {}: recording the run: {}", s.id, st.to_string());
    return;
  }
  if (auto st =
          service_.audit(audit::schedule_run(s, scheduled_for, run.status, run.job_id, run.error));
      !st.ok()) {
    spdlog::warn("schedule {}: audit: {}", s.id, st.status().to_string());
  }
}

Status Scheduler::apply_retention(TickReport& report) {
  store::Store& store = service_.store();
  FF_ASSIGN_OR_RETURN(auto schedules, store.list_schedules());
  for (const store::Schedule& s : schedules) {
    if (s.kind != kScheduleBackup || !s.retention_json || !s.last_job_id ||
        s.retention_applied_job_id == s.last_job_id) {
      continue;
    }
    auto job = store.get_backup_job(*s.last_job_id);
    if (!job.ok()) {
      if (job.status().code() != Code::kNotFound) return job.status();
      continue;
    }
    if (job->status != kCompleted) continue;
    // Claimed first, so with several replicas one applies it; released again
    // when the hook fails, so a later tick retries.
    FF_ASSIGN_OR_RETURN(bool claimed,
                        store.swap_retention_applied(s.id, s.retention_applied_job_id, job->id));
    if (!claimed) continue;
    Status applied = on_backup_succeeded_ ? on_backup_succeeded_(s, job->id) : OkStatus();
    if (!applied.ok()) {
      spdlog::warn("schedule {}: retention after job {}: {}", s.id, job->id, applied.to_string());
      FF_TRY(store.swap_retention_applied(s.id, job->id, s.retention_applied_job_id).status());
      continue;
    }
    ++report.retention_applied;
  }
  return OkStatus();
}

}  // namespace ff::core
