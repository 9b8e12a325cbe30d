// Retention applied to stored snapshots: select with core/retention.h, then
// delete through the one deletion path (remove_snapshot).
#include <map>

#include "common/ids.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::core {

namespace {

constexpr int64_t kListBatch = 1000;  // the store's largest page

}  // namespace

Result<PruneReport> Service::prune(const auth::Claims& caller, const PruneRequest& req) {
  // Deciding what to delete by policy is day-to-day operation, like starting
  // restores; deleting one chosen snapshot by hand stays an admin's.
  if (!auth::grants(caller.role, auth::Role::kOperator)) {
    return PermissionDenied("only operators and admins may prune snapshots");
  }
  FF_TRY(check_retention(req.policy));
  std::vector<std::string> agents;
  if (req.agent_id) {
    FF_TRY(validate_id("agent_id", *req.agent_id));
    FF_TRY(require_known_agent(*req.agent_id));
    agents.push_back(*req.agent_id);
  }
  return prune_agents(agents, req.policy, req.dry_run, "prune by " + caller.subject);
}

Result<PruneReport> Service::apply_retention(const std::string& agent_id,
                                             const RetentionPolicy& policy,
                                             std::string_view applied_by) {
  FF_TRY(validate_id("agent_id", agent_id));
  FF_TRY(check_retention(policy));
  return prune_agents({agent_id}, policy, false, std::string(applied_by));
}

Result<PruneReport> Service::prune_agents(const std::vector<std::string>& agents,
                                          const RetentionPolicy& policy, bool dry_run,
                                          const std::string& applied_by) {
  // Every candidate is read before anything is deleted, so deletions cannot
  // shift the pages still to be read.
  store::SnapshotFilter filter;
  filter.status = kSnapshotAvailable;
  if (agents.size() == 1) filter.agent_id = agents.front();
  std::map<std::string, std::vector<store::Snapshot>> by_agent;
  for (const auto& a : agents) by_agent[a];
  for (int64_t offset = 0;; offset += kListBatch) {
    FF_ASSIGN_OR_RETURN(auto page, store_.list_snapshots(filter, store::Page{kListBatch, offset}));
    for (auto& s : page.items) by_agent[s.agent_id].push_back(std::move(s));
    if (static_cast<int64_t>(page.items.size()) < kListBatch) break;
  }

  PruneReport report;
  report.dry_run = dry_run;
  report.policy = policy;
  const audit::RetentionDeletion why{policy, applied_by};
  for (auto& [agent_id, snapshots] : by_agent) {
    std::map<std::string, const store::Snapshot*> rows;
    std::vector<RetentionCandidate> candidates;
    for (const auto& s : snapshots) {
      rows[s.id] = &s;
      candidates.push_back({s.id, s.created_at});
    }
    AgentPrune out{agent_id, {}, {}};
    for (RetentionDecision& d : select_retention(std::move(candidates), policy)) {
      if (!d.keep) {
        Status gone = dry_run ? check_unpinned(d.id) : remove_snapshot(*rows[d.id], &why);
        if (gone.code() == Code::kConflict) {
          d.keep = true;
          d.reasons.push_back(kInUseReason);
        } else if (!gone.ok() && gone.code() != Code::kNotFound) {
          // kNotFound: deleted meanwhile, which is what was asked.
          return gone.with_context("snapshot " + d.id);
        }
      }
      (d.keep ? out.kept : out.removed).push_back(std::move(d));
    }
    report.kept += static_cast<int64_t>(out.kept.size());
    report.removed += static_cast<int64_t>(out.removed.size());
    report.agents.push_back(std::move(out));
  }
  return report;
}

Status Service::check_unpinned(const std::string& snapshot_id) {
  // The store's delete refuses the same jobs (pending or in progress).
  for (const char* status : {kPending, kInProgress}) {
    store::RestoreJobFilter f;
    f.snapshot_id = snapshot_id;
    f.status = status;
    FF_ASSIGN_OR_RETURN(auto jobs, store_.list_restore_jobs(f, store::Page{1, 0}));
    if (jobs.total > 0) return Conflict("snapshot " + snapshot_id + " is used by a restore job");
  }
  return OkStatus();
}

}  // namespace ff::core
