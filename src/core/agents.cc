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

Status Service::post_event(const auth::Claims& caller, const std::string& agent_id,
                           const AgentEventInput& e, EventRefusal* refusal) {
  FF_TRY(validate_id("agent_id", agent_id));
  if (!caller.may_act_for(agent_id)) {
    return PermissionDenied("token may not post events for another agent");
  }
  FF_TRY(check_event_quotas(agent_id, e, refusal ? &refusal->retry_after_seconds : nullptr));
  FF_TRY(touch_agent(agent_id));
  // Built before anything is committed: an event too large for the WAL changes nothing.
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record,
                      prepare_audit(audit::agent_event(agent_id, e.job_id, e.snapshot_id,
                                                       e.event_type, e.message, e.metadata)));
  SystemTime now = env_.clock->now();
  std::optional<store::EventResult> changed;
  if (e.job_id) {
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
    auto r = commit_with_audit(record, [&] {
      return store_.record_job_event(row, transition, now + options_.command_lease);
    });
    if (!r.ok()) {
      // Only the store says kNotFound (the log says kUnavailable or kInternal).
      if (r.status().code() == Code::kNotFound)
        return post_backup_event(agent_id, e, now, record, refusal);
      return r.status();
    }
    changed = std::move(r).value();
    count_job_event(*e.job_id, e.event_type);
  } else {
    FF_TRY(commit_audit(record));
  }
  if (changed && changed->previous_status != changed->job.status) {
    FF_TRY(audit(audit::job_status_changed(changed->job.kind, changed->job.id, agent_id,
                                           changed->previous_status, changed->job.status)));
    if (changed->job.kind == job_kind_name(store::JobKind::kDrill) &&
        changed->job.status == kCompleted) {
      // The event is committed and acknowledged either way; a proof not
      // recorded now is restored from the completed drill at the next start
      // (Store::reconcile_drill_proofs).
      Status proof = record_drill_proof(changed->job, now);
      if (!proof.ok()) {
        spdlog::warn("drill {}: proof not recorded: {}", changed->job.id, proof.to_string());
      }
    }
  }
  return OkStatus();
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
