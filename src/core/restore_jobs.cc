// Restore jobs: creation queues one restore command in the same transaction.
#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "core/job_rules.h"
#include "core/pending_command.h"
#include "core/service.h"

namespace ff::core {

Result<RestoreJobView> Service::create_restore_job(const auth::Claims& caller,
                                                   const NewRestoreJob& req) {
  if (!auth::grants(caller.role, auth::Role::kOperator)) {
    return PermissionDenied("only operators and admins may create restore jobs");
  }
  FF_TRY(validate_id("snapshot_id", req.snapshot_id));
  FF_TRY(validate_id("target_agent_id", req.target_agent_id));
  FF_TRY(require_known_agent(req.target_agent_id));
  FF_ASSIGN_OR_RETURN(store::Snapshot snap, store_.get_snapshot(req.snapshot_id));
  // A presigned upload may have landed since: decide before queueing work.
  if (snap.status == kSnapshotPending) {
    FF_ASSIGN_OR_RETURN(snap, verify_pending(snap));
  }
  if (snap.status == kSnapshotCorrupt) {
    return Conflict("snapshot " + snap.id + " is corrupt and cannot be restored");
  }
  SystemTime now = env_.clock->now();
  store::RestoreJob job{env_.random->unique_id("rj-"),
                        snap.id,
                        req.target_agent_id,
                        req.target_path,
                        kPending,
                        now,
                        now};
  nlohmann::json payload = {{"snapshot_id", snap.id},
                            {"job_id", job.id},
                            {"checksum", snap.checksum},
                            {"size", snap.size}};
  if (!req.target_path.empty()) payload["target_path"] = req.target_path;
  // Additive: agents that know the repository format restore from packs
  // (root tree, namespace); older agents ignore these fields.
  payload["format"] = snap.format;
  if (snap.format == kFormatRepository) {
    payload["root"] = snap.root.value_or("");
    payload["encrypted"] = snap.encrypted;
    if (snap.encrypted) payload["repository_id"] = snap.repository.value_or("");
  }
  store::Command cmd = pending_command(env_.random->unique_id("cmd-"), req.target_agent_id, job.id,
                                       "restore", payload.dump(), now);
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record,
                      prepare_audit(audit::restore_job_created(job, cmd)));
  FF_TRY(store_.create_restore_job(job, cmd));
  FF_TRY(commit_audit(record));
  notifier_.notify(job.target_agent_id);
  return RestoreJobView{std::move(job), {}};
}

Result<RestoreJobView> Service::get_restore_job(const auth::Claims& caller, const std::string& id) {
  FF_TRY(validate_id("job_id", id));
  FF_ASSIGN_OR_RETURN(auto found, store_.get_restore_job_with_events(id));
  if (!caller.may_act_for(found.first.target_agent_id)) {
    return PermissionDenied("job does not target this agent");
  }
  return RestoreJobView{std::move(found.first), std::move(found.second)};
}

Result<store::Listing<store::RestoreJob>> Service::list_restore_jobs(const auth::Claims& caller,
                                                                     store::RestoreJobFilter filter,
                                                                     const store::Page& page) {
  if (caller.is_agent()) {
    if (filter.target_agent_id && *filter.target_agent_id != caller.subject) {
      return PermissionDenied("token may not list another agent's jobs");
    }
    filter.target_agent_id = caller.subject;
  }
  return store_.list_restore_jobs(filter, page);
}

}  // namespace ff::core
