// Agents, their commands (leased on delivery) and their events.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/ids.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::core {

namespace {

std::vector<AgentView> agent_views(std::vector<store::Agent> agents, SystemTime now,
                                   std::chrono::seconds offline_after,
                                   const std::function<bool(const store::Agent&)>& keep) {
  std::vector<AgentView> out;
  for (auto& a : agents) {
    if (!keep(a)) continue;
    bool online = now - a.last_seen <= offline_after;
    out.push_back(AgentView{std::move(a), online});
  }
  // Sorted by id, byte by byte, as the seed lists them (ids are ASCII).
  std::sort(out.begin(), out.end(),
            [](const AgentView& x, const AgentView& y) { return x.agent.id < y.agent.id; });
  return out;
}

}  // namespace

Result<std::vector<AgentView>> Service::list_agents(const auth::Claims& caller) {
  FF_ASSIGN_OR_RETURN(auto agents, store_.list_agents());
  return agent_views(std::move(agents), env_.clock->now(), options_.agent_offline,
                     [&](const store::Agent& a) { return caller.may_act_for(a.id); });
}

Result<OperationsSummary> Service::summarize() {
  OperationsSummary out;
  FF_ASSIGN_OR_RETURN(out.store, store_.summarize());
  FF_ASSIGN_OR_RETURN(auto agents, store_.list_agents());
  out.now = env_.clock->now();
  out.agents = agent_views(std::move(agents), out.now, options_.agent_offline,
                           [](const store::Agent&) { return true; });
  return out;
}

Status Service::require_known_agent(const std::string& agent_id) {
  auto agent = store_.get_agent(agent_id);
  if (agent.ok()) return OkStatus();
  if (agent.status().code() != Code::kNotFound) return agent.status();
  return NotFound("agent " + agent_id + " not found: it has never registered (see GET /agents)");
}

Result<std::vector<store::Command>> Service::poll_commands(const auth::Claims& caller,
                                                           const std::string& agent_id) {
  FF_TRY(validate_id("agent_id", agent_id));
  if (!caller.may_act_for(agent_id)) {
    return PermissionDenied("token may not read commands of another agent");
  }
  FF_TRY(touch_agent(agent_id));
  SystemTime now = env_.clock->now();
  FF_ASSIGN_OR_RETURN(auto commands,
                      store_.lease_commands(agent_id, now, now + options_.command_lease, 50));
  for (const auto& c : commands) FF_TRY(audit(audit::command_dispatched(c)));
  return commands;
}

Result<bool> Service::poll_finds_nothing(const auth::Claims& caller, const std::string& agent_id) {
  FF_TRY(validate_id("agent_id", agent_id));
  if (!caller.may_act_for(agent_id)) {
    return PermissionDenied("token may not read commands of another agent");
  }
  if (touch_due(agent_id)) return false;
  FF_ASSIGN_OR_RETURN(bool any, store_.has_leasable_commands(agent_id, env_.clock->now()));
  return !any;
}

Result<wal::PreparedRecord> Service::admit_event(const auth::Claims& caller,
                                                 const std::string& agent_id,
                                                 const AgentEventInput& e, EventRefusal* refusal) {
  FF_TRY(validate_id("agent_id", agent_id));
  if (!caller.may_act_for(agent_id)) {
    return PermissionDenied("token may not post events for another agent");
  }
  FF_TRY(check_event_quotas(agent_id, e, refusal ? &refusal->retry_after_seconds : nullptr));
  FF_TRY(touch_agent(agent_id));
  // Built before anything is committed: an event too large for the WAL changes nothing.
  return prepare_audit(
      audit::agent_event(agent_id, e.job_id, e.snapshot_id, e.event_type, e.message, e.metadata));
}

Result<store::EventResult> Service::record_restore_job_event(const std::string& agent_id,
                                                             const AgentEventInput& e,
                                                             SystemTime now,
                                                             EventRefusal* refusal) {
  store::JobEvent row{0, *e.job_id, agent_id, e.event_type, e.message, e.metadata.dump(), now};
  auto transition = [&](const store::RestoreJob& job) -> Result<std::string> {
    if (job.kind == job_kind_name(store::JobKind::kVerify)) {
      return PermissionDenied("job " + job.id + " is a verify job, run by the orchestrator");
    }
    if (job.target_agent_id != agent_id) {
      return PermissionDenied("job " + job.id + " does not target agent " + agent_id);
    }
    if (refusal && is_terminal_job_status(job.status)) refusal->job_status = job.status;
    return next_job_status(job.kind, job.status, e.event_type);
  };
  return store_.record_job_event(row, transition, now + options_.command_lease);
}

Status Service::after_restore_job_status_change(const store::EventResult& changed,
                                                const std::string& agent_id, SystemTime now) {
  if (changed.previous_status == changed.job.status) return OkStatus();
  FF_TRY(audit(audit::job_status_changed(changed.job.kind, changed.job.id, agent_id,
                                         changed.previous_status, changed.job.status)));
  if (changed.job.kind == job_kind_name(store::JobKind::kDrill) &&
      changed.job.status == kCompleted) {
    // The event is committed and acknowledged either way; a proof not
    // recorded now is restored from the completed drill at the next start
    // (Store::reconcile_drill_proofs).
    Status proof = record_drill_proof(changed.job, now);
    if (!proof.ok()) {
      spdlog::warn("drill {}: proof not recorded: {}", changed.job.id, proof.to_string());
    }
  }
  return OkStatus();
}

Status Service::post_event(const auth::Claims& caller, const std::string& agent_id,
                           const AgentEventInput& e, EventRefusal* refusal) {
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record, admit_event(caller, agent_id, e, refusal));
  if (!e.job_id) return commit_audit(record).status();
  SystemTime now = env_.clock->now();
  auto r = commit_with_audit(record,
                             [&] { return record_restore_job_event(agent_id, e, now, refusal); });
  if (!r.ok()) {
    // Only the store says kNotFound (the log says kUnavailable or kInternal).
    if (r.status().code() == Code::kNotFound)
      return post_backup_event(agent_id, e, now, record, refusal);
    return r.status();
  }
  count_job_event(*e.job_id, e.event_type);
  return after_restore_job_status_change(*r, agent_id, now);
}

void Service::post_event_async(const auth::Claims& caller, const std::string& agent_id,
                               AgentEventInput e, EventDone done) {
  // Asynchronous only where a WAL leader commits the change with its record
  // (SQLite) and nothing is awaited after the log (no replicas' stream).
  if (!blocking_executor_ || !wal_.batches_changes() || stream_wait_ || !e.job_id) {
    EventRefusal refusal;
    Status s = post_event(caller, agent_id, e, &refusal);
    return done(std::move(s), std::move(refusal));
  }
  struct Pending {
    std::string agent_id;
    AgentEventInput e;
    SystemTime now;
    wal::PreparedRecord record;
    EventRefusal refusal;
    std::optional<Result<store::EventResult>> changed;  // set by the change, on the leader
    EventDone done;
  };
  auto p = std::make_shared<Pending>();
  auto admitted = admit_event(caller, agent_id, e, &p->refusal);
  if (!admitted.ok()) return done(admitted.status(), std::move(p->refusal));
  p->agent_id = agent_id;
  p->e = std::move(e);
  p->now = env_.clock->now();
  p->record = std::move(admitted).value();
  p->done = std::move(done);
  // Blocking work (a backup job's own path, the status change's audit and
  // a drill's proof) leaves the leader's thread: it appends, and a leader
  // waiting on an append of its own would stall every batch behind it.
  auto finish_blocking = [this, p](std::function<Status()> work) {
    blocking_executor_([p, work = std::move(work)] {
      Status s = work();  // first: it may fill in the refusal
      p->done(std::move(s), std::move(p->refusal));
    });
  };
  auto change = [this, p] {
    p->changed.emplace(record_restore_job_event(p->agent_id, p->e, p->now, &p->refusal));
    return p->changed->status();
  };
  auto told = [this, p, finish_blocking](Result<wal::RecordPtr> appended) {
    if (p->changed && !p->changed->ok()) {
      if (p->changed->status().code() == Code::kNotFound) {
        return finish_blocking([this, p] {
          return post_backup_event(p->agent_id, p->e, p->now, p->record, &p->refusal);
        });
      }
      return p->done(p->changed->status(), std::move(p->refusal));
    }
    Result<wal::RecordPtr> acked = appended_audit(p->record, std::move(appended));
    if (!acked.ok()) return p->done(acked.status(), std::move(p->refusal));
    count_job_event(*p->e.job_id, p->e.event_type);
    const store::EventResult& changed = **p->changed;
    if (changed.previous_status == changed.job.status) {
      return p->done(OkStatus(), std::move(p->refusal));
    }
    finish_blocking(
        [this, p] { return after_restore_job_status_change(**p->changed, p->agent_id, p->now); });
  };
  wal_.append_async(p->record, std::move(change), std::move(told));
}

Status Service::post_backup_event(const std::string& agent_id, const AgentEventInput& e,
                                  SystemTime now, const wal::PreparedRecord& record,
                                  EventRefusal* refusal) {
  store::JobEvent row{0, *e.job_id, agent_id, e.event_type, e.message, e.metadata.dump(), now};
  auto transition = [&](const store::BackupJob& job) -> Result<std::string> {
    if (job.agent_id != agent_id) {
      return PermissionDenied("job " + job.id + " belongs to another agent");
    }
    if (refusal && is_terminal_job_status(job.status)) refusal->job_status = job.status;
    return next_job_status("backup", job.status, e.event_type);
  };
  // The snapshot a backup produced is named by its completion event.
  std::optional<std::string> snapshot_id;
  if (e.snapshot_id && status_for_event("backup", e.event_type) == std::string(kCompleted)) {
    snapshot_id = e.snapshot_id;
  }
  // The agent may have uploaded through the presigned URL: verify the bytes
  // before the job reads `completed`, so whoever waits for the job finds the
  // snapshot decided (available or corrupt) rather than at the next sweep.
  // A store that cannot answer now leaves it to the sweep.
  if (snapshot_id) {
    auto snap = store_.get_snapshot(*snapshot_id);
    if (snap.ok() && snap->status == kSnapshotPending) {
      auto verified = verify_pending(*snap);
      if (!verified.ok()) {
        spdlog::warn("snapshot {}: verification after backup failed: {}", *snapshot_id,
                     verified.status().to_string());
      }
    }
  }
  auto r = commit_with_audit(record, [&] {
    return store_.record_backup_job_event(row, transition, snapshot_id,
                                          now + options_.command_lease);
  });
  if (!r.ok()) {
    if (r.status().code() == Code::kNotFound) return NotFound("job not found");
    return r.status();
  }
  count_job_event(*e.job_id, e.event_type);
  if (r->previous_status != r->job.status) {
    FF_TRY(audit(audit::job_status_changed("backup", r->job.id, agent_id, r->previous_status,
                                           r->job.status)));
  }
  return OkStatus();
}

}  // namespace ff::core
