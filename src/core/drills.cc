// Restore drills: a snapshot restored into scratch on an agent, every file
// checked against the hashes recorded at backup, the scratch removed. A
// drill is a restore job of kind "drill" (restore_jobs.cc queues it); what is
// particular is choosing the snapshot and, when it completes, recording the
// proof (docs/verification.md).
#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::core {

Result<RestoreJobView> Service::create_drill(const auth::Claims& caller, const NewDrill& req) {
  if (!auth::grants(caller.role, auth::Role::kOperator)) {
    return PermissionDenied("only operators and admins may start drills");
  }
  if (req.snapshot_id.has_value() == req.agent_id.has_value()) {
    return ValidationError("give exactly one of snapshot_id or agent_id");
  }
  std::string snapshot_id;
  if (req.snapshot_id) {
    FF_TRY(validate_id("snapshot_id", *req.snapshot_id));
    snapshot_id = *req.snapshot_id;
  } else {
    FF_TRY(validate_id("agent_id", *req.agent_id));
    FF_TRY(require_known_agent(*req.agent_id));
    // The agent's newest snapshot that can be restored: the one a bad day would need.
    store::SnapshotFilter filter{*req.agent_id, std::string(kSnapshotAvailable)};
    FF_ASSIGN_OR_RETURN(auto newest, store_.list_snapshots(filter, store::Page{1, 0}));
    if (newest.items.empty()) {
      return Conflict("agent " + *req.agent_id + " has no available snapshot to drill");
    }
    snapshot_id = newest.items.front().id;
  }
  FF_ASSIGN_OR_RETURN(store::Snapshot snap, restorable_snapshot(snapshot_id));
  std::string target = req.target_agent_id.value_or(snap.agent_id);
  FF_TRY(validate_id("target_agent_id", target));
  FF_TRY(require_known_agent(target));
  nlohmann::json params = {{"snapshot_agent_id", snap.agent_id}};
  if (req.agent_id) params["agent_id"] = *req.agent_id;
  return queue_restore(store::JobKind::kDrill, snap, target, "", params);
}

Status Service::record_drill_proof(const store::RestoreJob& drill, SystemTime at) {
  FF_ASSIGN_OR_RETURN(store::Snapshot snap, store_.get_snapshot(drill.snapshot_id));
  FF_TRY(store_.mark_snapshot_proven(drill.snapshot_id, at));
  FF_TRY(audit(audit::snapshot_proven_restorable(drill, snap.agent_id, at)));
  spdlog::info("snapshot {} of {}: proven restorable by drill {} on {}", snap.id, snap.agent_id,
               drill.id, drill.target_agent_id);
  return OkStatus();
}

}  // namespace ff::core
